//! Needle integrity (issue 27): the closed forms the tapered-column solver must meet, and the
//! properties the safety factors must show — buckling falls with length (as 1/L² when slender)
//! and rises with diameter (as d⁴); a stiffer, stronger material never lowers a factor; a roller
//! needle's bending factor falls as its entry angle grows; the fatigue factor never rises with
//! frequency × session time; no factor depends on the raster pitch or the thread count.

mod common;

use approx::assert_relative_eq;
use needlemap::base::progress::Silent;
use needlemap::design::Design;
use needlemap::kinematics::MadeDevice;
use needlemap::metrics::{analysis, integrity};
use needlemap::model::material::{MaterialProps, MATERIALS};
use needlemap::model::strength::bending::{Approach, InsertionLoad, SkinGrip};
use needlemap::model::strength::buckling::*;
use needlemap::model::strength::fatigue::{fatigue_check, PenDuty};
use needlemap::model::strength::geometry::NeedleGeometry;
use needlemap::model::strength::{assess_needle, NeedleCase, NeedleIntegrity};
use std::f64::consts::PI;

const E_SS: f64 = 193_000.0;

fn needle(l: f64, d: f64, t: f64, r_um: f64) -> NeedleGeometry {
    NeedleGeometry {
        length_mm: l,
        shaft_diameter_mm: d,
        tip_length_mm: t,
        tip_radius_um: r_um,
    }
}

fn cyl(l: f64, d: f64) -> NeedleGeometry {
    needle(l, d, 0.0, 0.0)
}

fn elastic(g: &NeedleGeometry, s: TipSupport) -> f64 {
    elastic_load_per_modulus(g, s, AxialLoading::FlankPressure, Discretisation::default())
}

fn capacity(g: &NeedleGeometry, mat: &MaterialProps) -> BucklingCapacity {
    BucklingCapacity::new(g, ElasticCapacity::solve(g, Discretisation::default()), mat)
}

fn check(case: &NeedleCase, mat: &MaterialProps, duty: Option<PenDuty>) -> NeedleIntegrity {
    let elastic = ElasticCapacity::solve(&case.geometry, Discretisation::default());
    assess_needle(case, mat, &SkinGrip::default(), duty, elastic)
}

/// A needle pressed with `force_n` in the `face` skin's linear law (F_p + 0.30 N/mm · depth,
/// saturating at the length less 0.14 mm): the loads the force balance hands over.
fn load(length_mm: f64, force_n: f64) -> InsertionLoad {
    let fp = 0.020 + 150.0 * PI * 0.004 * 0.004;
    let f = force_n.min(fp + 0.30 * (length_mm - 0.14));
    InsertionLoad {
        puncture_force_n: fp,
        load_n: f,
        depth_mm: ((f - fp) / 0.30).max(0.0),
    }
}

fn mf8_case(drum_diameter_mm: f64, force_n: f64) -> NeedleCase {
    NeedleCase {
        geometry: needle(1.5, 0.25, 0.5, 4.0),
        load: load(1.5, force_n),
        approach: Approach::Drum {
            radius_mm: drum_diameter_mm / 2.0,
        },
    }
}

fn pen_case(d: f64, tilt_deg: f64, force_n: f64) -> NeedleCase {
    NeedleCase {
        geometry: needle(1.0, d, 2.0 * d, 4.0),
        load: load(1.0, force_n),
        approach: Approach::Tilted {
            misalignment_deg: tilt_deg,
        },
    }
}

/// A shipped design with dotted numeric keys set, as a sweep sets them.
fn shipped(file: &str, keys: &[(&str, f64)]) -> Design {
    let text = std::fs::read_to_string(common::design(file)).unwrap();
    let mut t: toml::Table = toml::from_str(&text).unwrap();
    for (k, v) in keys {
        needlemap::studies::sweep::set_key(&mut t, k, *v).unwrap();
    }
    let text = toml::to_string(&t).unwrap();
    Design::from_bytes(text.as_bytes(), file.as_ref()).unwrap()
}

fn factors(d: &Design) -> integrity::Integrity {
    integrity::assess(d, &MadeDevice::new(d))
}

// ---------------------------------------------------------------- closed forms

#[test]
fn cylinder_matches_euler_within_1_percent_both_ends() {
    for (l, d) in [(0.5, 0.07), (1.5, 0.25), (2.5, 0.4), (3.0, 0.1)] {
        let g = cyl(l, d);
        let free = elastic(&g, TipSupport::Free) * E_SS;
        let held = elastic(&g, TipSupport::Held) * E_SS;
        let euler = |k: f64| PI * PI * E_SS * (PI * d.powi(4) / 64.0) / (k * l).powi(2);
        assert_relative_eq!(free, euler(K_CLAMPED_FREE), max_relative = 0.01);
        assert_relative_eq!(held, euler(K_CLAMPED_PINNED), max_relative = 0.01);
        // the rounded K = 0.7, and the closed form the module states
        assert_relative_eq!(held, euler(0.7), max_relative = 0.01);
        // in fact far closer than 1 %, as docs/model.md says
        assert_relative_eq!(free, euler(K_CLAMPED_FREE), max_relative = 1e-4);
        assert_relative_eq!(held, euler(K_CLAMPED_PINNED), max_relative = 1e-3);
        assert_relative_eq!(free, euler_cylinder_n(E_SS, d, l, 2.0), max_relative = 1e-4);
    }
}

#[test]
fn cylinder_matches_johnson_within_1_percent_below_the_transition() {
    let mat = MaterialProps::of("ss304").unwrap();
    let (e, sy) = (mat.youngs_modulus_mpa, mat.yield_strength_mpa);
    let lt = transition_slenderness(e, sy);
    let mut johnson = 0;
    for (l, d) in [
        (0.5, 0.25),
        (1.0, 0.25),
        (1.5, 0.1),
        (2.5, 0.07),
        (0.25, 0.07),
        (2.0, 0.2),
    ] {
        let cap = capacity(&cyl(l, d), &mat);
        for (k, got) in [
            (K_CLAMPED_FREE, cap.critical_free_n),
            (K_CLAMPED_PINNED, cap.critical_held_n),
        ] {
            let lambda = k * l / (d / 4.0);
            if lambda < lt {
                johnson += 1;
                // A·S_y·[1 − S_y/(4π²E)·(KL/k)²], written out
                let parabola =
                    PI * d * d / 4.0 * sy * (1.0 - sy / (4.0 * PI * PI * e) * lambda * lambda);
                assert_relative_eq!(got, parabola, max_relative = 0.01);
            }
            assert_relative_eq!(
                got,
                critical_cylinder_n(e, sy, d, l, k),
                max_relative = 0.01
            );
        }
    }
    assert!(johnson >= 6, "the cases must exercise Johnson's range");
    // continuous at the transition, where the stress is S_y/2
    let d = 0.1;
    let l_t = lt * d / 4.0;
    let below = critical_cylinder_n(e, sy, d, l_t * (1.0 - 1e-9), 1.0);
    let above = critical_cylinder_n(e, sy, d, l_t * (1.0 + 1e-9), 1.0);
    assert_relative_eq!(below, above, max_relative = 1e-6);
    assert_relative_eq!(above / (PI * d * d / 4.0), sy / 2.0, max_relative = 1e-6);
}

#[test]
fn tapered_column_approaches_its_limits() {
    let (l, d) = (1.5, 0.25);
    // a vanishing cone is the cylinder
    let g = needle(l, d, 1e-3, 4.0);
    assert_relative_eq!(
        elastic(&g, TipSupport::Free),
        euler_cylinder_n(1.0, d, l, K_CLAMPED_FREE),
        max_relative = 2e-3
    );
    assert_relative_eq!(
        elastic(&g, TipSupport::Held),
        euler_cylinder_n(1.0, d, l, K_CLAMPED_PINNED),
        max_relative = 2e-3
    );
    // a sharpening pure cone under flank pressure tends to (9/4)·E·I_base/L² from above
    let i = PI * d.powi(4) / 64.0;
    let fine = Discretisation {
        cone_intervals: 160,
        max_shaft_intervals: 96,
    };
    let mut last = f64::INFINITY;
    for r in [10.0, 1.0, 0.1, 0.01, 0.001] {
        let g = needle(l, d, l, r);
        let p = elastic_load_per_modulus(&g, TipSupport::Free, AxialLoading::FlankPressure, fine)
            * l
            * l
            / i;
        assert!(p > 2.25 && p < last, "r {r}: {p}");
        last = p;
    }
    assert!(last < 2.25 * 1.04, "{last}");
    // a held point never lowers the load
    for t in [0.0, 0.2, 0.5, 1.0, 1.5] {
        let g = needle(l, d, t, 4.0);
        assert!(elastic(&g, TipSupport::Held) > elastic(&g, TipSupport::Free));
    }
}

#[test]
fn fast_solver_agrees_with_nalgebra_dense_eigensolver() {
    let small = Discretisation {
        cone_intervals: 24,
        max_shaft_intervals: 32,
    };
    for g in [
        needle(1.5, 0.25, 0.5, 4.0),
        cyl(1.5, 0.25),
        needle(0.6, 0.3, 0.6, 12.5),
        needle(2.5, 0.07, 0.14, 4.0),
    ] {
        for s in [TipSupport::Free, TipSupport::Held] {
            for ld in [AxialLoading::FlankPressure, AxialLoading::AtTip] {
                let fast = elastic_load_per_modulus(&g, s, ld, small);
                let dense = elastic_load_per_modulus_dense(&g, s, ld, small);
                assert_relative_eq!(fast, dense, max_relative = 1e-9);
            }
        }
    }
}

#[test]
fn default_discretisation_is_converged_to_half_a_percent() {
    let fine = Discretisation {
        cone_intervals: 320,
        max_shaft_intervals: 400,
    };
    for g in [
        needle(1.5, 0.25, 0.5, 4.0),
        needle(1.0, 0.18, 0.36, 4.0),
        needle(0.5, 0.4, 0.5, 4.0),
        needle(2.5, 0.07, 0.14, 4.0),
    ] {
        for s in [TipSupport::Free, TipSupport::Held] {
            let a = elastic(&g, s);
            let b = elastic_load_per_modulus(&g, s, AxialLoading::FlankPressure, fine);
            assert_relative_eq!(a, b, max_relative = 0.005);
        }
    }
}

// ---------------------------------------------------------------- buckling against geometry

#[test]
fn buckling_load_falls_with_length_as_one_over_l_squared_when_slender() {
    for d in [0.07, 0.1, 0.25] {
        let p1 = elastic(&cyl(1.0, d), TipSupport::Held);
        let p2 = elastic(&cyl(2.0, d), TipSupport::Held);
        assert_relative_eq!(p2 / p1, 0.25, max_relative = 1e-3);
    }
    // a tapered needle scaled along its axis (L, t and the point's truncation): exactly 1/L²
    let (g1, g2) = (needle(1.0, 0.25, 0.4, 4.0), needle(2.0, 0.25, 0.8, 4.0));
    for s in [TipSupport::Free, TipSupport::Held] {
        assert_relative_eq!(elastic(&g2, s) / elastic(&g1, s), 0.25, max_relative = 1e-9);
    }
    // the critical load (Euler or Johnson) never rises with length, in any material
    for mat in MATERIALS.iter().map(|m| MaterialProps::of(m.key).unwrap()) {
        for d in [0.07, 0.15, 0.25, 0.4] {
            let mut last = (f64::INFINITY, f64::INFINITY);
            for k in 1..=20 {
                let cap = capacity(&needle(0.15 * k as f64, d, 0.5, 4.0), &mat);
                assert!(
                    cap.critical_free_n <= last.0 && cap.critical_held_n <= last.1,
                    "{} d {d} k {k}",
                    mat.key
                );
                last = (cap.critical_free_n, cap.critical_held_n);
            }
        }
    }
}

#[test]
fn buckling_load_rises_with_diameter_as_d_to_the_fourth() {
    for s in [TipSupport::Free, TipSupport::Held] {
        let r = elastic(&cyl(1.5, 0.2), s) / elastic(&cyl(1.5, 0.1), s);
        assert_relative_eq!(r, 16.0, max_relative = 1e-6);
        // tapered, scaled across (d and the tip radius together): exactly d⁴
        let (a, b) = (needle(1.5, 0.1, 0.5, 2.0), needle(1.5, 0.2, 0.5, 4.0));
        assert_relative_eq!(elastic(&b, s) / elastic(&a, s), 16.0, max_relative = 1e-9);
    }
    // with the design's fixed tip radius it still never falls with d, Euler or Johnson
    for mat in MATERIALS.iter().map(|m| MaterialProps::of(m.key).unwrap()) {
        let mut last = (0.0, 0.0);
        for k in 1..=12 {
            let cap = capacity(&needle(1.5, 0.05 + 0.03 * k as f64, 0.5, 4.0), &mat);
            assert!(cap.critical_free_n >= last.0 && cap.critical_held_n >= last.1);
            last = (cap.critical_free_n, cap.critical_held_n);
        }
    }
}

// ---------------------------------------------------------------- the properties

fn props(e_mpa: f64, sy: f64, su: f64, se: f64) -> MaterialProps {
    MaterialProps {
        key: "ss304",
        youngs_modulus_mpa: e_mpa,
        yield_strength_mpa: sy,
        ultimate_strength_mpa: su,
        endurance_limit_mpa: Some(se),
    }
}

#[test]
fn a_stiffer_stronger_material_never_lowers_a_factor() {
    let duty = Some(PenDuty {
        frequency_hz: 110.0,
        session_s: 1800.0,
    });
    let cases = [
        mf8_case(20.0, 0.1),
        mf8_case(20.0, 0.44),
        mf8_case(12.0, 0.3),
        pen_case(0.18, 10.0, 0.3),
        pen_case(0.07, 25.0, 0.2),
        pen_case(0.4, 0.0, 0.5),
    ];
    let base = props(100_000.0, 200.0, 500.0, 200.0);
    let variants = [
        props(200_000.0, 200.0, 500.0, 200.0), // stiffer
        props(100_000.0, 800.0, 900.0, 200.0), // stronger
        props(100_000.0, 200.0, 500.0, 400.0), // a higher endurance limit
        props(200_000.0, 800.0, 900.0, 400.0), // all of it
    ];
    let no_lower = |a: &NeedleIntegrity, b: &NeedleIntegrity| {
        assert!(b.buckling.factor >= a.buckling.factor);
        assert!(b.bending.factor >= a.bending.factor);
        assert!(b.bending.root_factor >= a.bending.root_factor);
        assert!(b.bending.tip_curl_factor >= a.bending.tip_curl_factor);
        if let (Some(fa), Some(fb)) = (a.fatigue, b.fatigue) {
            assert!(fb.factor >= fa.factor && fb.sessions_survived >= fa.sessions_survived);
        }
    };
    for case in &cases {
        let a = check(case, &base, duty);
        assert!(a.fatigue.is_some());
        for v in &variants {
            no_lower(&a, &check(case, v, duty));
        }
    }
    // every registry material, made stiffer or stronger
    for p in MATERIALS.iter().map(|m| MaterialProps::of(m.key).unwrap()) {
        let stiffer = MaterialProps {
            youngs_modulus_mpa: 1.5 * p.youngs_modulus_mpa,
            ..p
        };
        let stronger = MaterialProps {
            yield_strength_mpa: 1.5 * p.yield_strength_mpa,
            ultimate_strength_mpa: 1.5 * p.ultimate_strength_mpa,
            ..p
        };
        for case in &cases {
            let a = check(case, &p, duty);
            for q in [stiffer, stronger] {
                no_lower(&a, &check(case, &q, duty));
            }
        }
    }
    // and a whole device: spring-temper wire against annealed 304, through the design file
    let soft = factors(&shipped("mf8-192.toml", &[]));
    let mut hard = shipped("mf8-192.toml", &[]);
    hard.needle.material = MaterialProps::of("ss-spring").unwrap();
    let hard = factors(&hard);
    assert!(hard.min_buckling_safety_factor() >= soft.min_buckling_safety_factor());
    assert!(hard.min_bending_safety_factor() > soft.min_bending_safety_factor());
}

#[test]
fn a_roller_needles_bending_factor_falls_as_the_entry_angle_grows() {
    let mat = MaterialProps::of("ss304").unwrap();
    for force in [0.1, 0.25, 0.44] {
        // smaller drums enter steeper: the factors never rise, the tip's (set at the entry
        // angle) falls at every step, and the whole range lowers the needle's factor (the
        // root's may be set at full depth, where the needle points straight down whatever
        // the drum, by the drag alone)
        let mut last: Option<(f64, NeedleIntegrity)> = None;
        let mut first = None;
        for drum in [200.0, 80.0, 40.0, 20.0, 12.0, 8.0, 5.0] {
            let case = mf8_case(drum, force);
            let beta = case.approach.angle_rad(1.5, case.load.depth_mm, 0.0);
            let r = check(&case, &mat, None);
            if let Some((b0, r0)) = last {
                assert!(beta > b0);
                assert!(
                    r.bending.root_factor <= r0.bending.root_factor,
                    "drum {drum}"
                );
                assert!(r.bending.tip_curl_factor < r0.bending.tip_curl_factor);
                assert!(r.bending.factor <= r0.bending.factor);
            }
            first.get_or_insert(r.bending.factor);
            last = Some((beta, r));
        }
        let (_, steep) = last.unwrap();
        assert!(steep.bending.factor < first.unwrap(), "force {force}");
    }
    // the entry angle is the roller's of model §2
    let case = mf8_case(20.0, 0.3);
    let dj = case.load.depth_mm;
    assert_relative_eq!(
        case.approach.angle_rad(1.5, dj, 0.0),
        needlemap::design::kinds::roller::entry_angle_rad(10.0, 1.5 - dj, 1.5).unwrap(),
        max_relative = 1e-15
    );
    // a whole MF8: a smaller drum, or longer needles pressed home, enter steeper and bend more
    let at = |keys: &[(&str, f64)]| {
        factors(&shipped("mf8-192.toml", keys))
            .min_bending_safety_factor()
            .unwrap()
    };
    let falls = |values: Vec<f64>| {
        assert!(values.windows(2).all(|w| w[1] <= w[0]), "{values:?}");
        assert!(values[values.len() - 1] < values[0], "{values:?}");
    };
    let drums = [40.0, 30.0, 20.0, 14.0, 10.0];
    falls(
        drums
            .map(|d| at(&[("roller.drum_diameter_mm", d), ("roller.force_n", 50.0)]))
            .to_vec(),
    );
    let lengths = [1.0, 1.5, 2.0, 2.5];
    falls(
        lengths
            .map(|l| at(&[("needle.length_mm", l), ("roller.force_n", 50.0)]))
            .to_vec(),
    );
    // a pen or stamp: the factor falls as the hand's misalignment grows
    let mut last = f64::INFINITY;
    for tilt in [1.0, 5.0, 10.0, 20.0, 30.0] {
        let r = check(&pen_case(0.18, tilt, 0.3), &mat, None);
        assert!(r.bending.factor < last);
        last = r.bending.factor;
    }
}

#[test]
fn the_fatigue_factor_never_rises_with_frequency_times_time() {
    let mat = MaterialProps::of("ss304").unwrap();
    let mut runs: Vec<(f64, f64, f64)> = vec![];
    for f in [10.0, 50.0, 90.0, 110.0, 150.0] {
        for t in [1.0, 60.0, 600.0, 1800.0, 3600.0, 36_000.0] {
            runs.push((f * t, f, t));
        }
    }
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut last = f64::INFINITY;
    for (ft, f, t) in runs {
        let duty = PenDuty {
            frequency_hz: f,
            session_s: t,
        };
        let c = fatigue_check(300.0, &mat, &duty).unwrap();
        assert!(c.factor <= last * (1.0 + 1e-12), "f·T {ft}");
        last = c.factor;
        assert_relative_eq!(
            c.sessions_survived * ft,
            c.cycles_to_failure,
            max_relative = 1e-12
        );
    }
    // a whole pen: more strokes a session, never a higher factor
    let at = |hz: f64, s: f64| {
        let d = shipped(
            "pen-12-110.toml",
            &[("pen.frequency_hz", hz), ("pen.session_s", s)],
        );
        factors(&d).fatigue_safety_factor().unwrap()
    };
    let mut last = f64::INFINITY;
    for (hz, s) in [
        (50.0, 1.0),
        (50.0, 60.0),
        (100.0, 60.0),
        (150.0, 600.0),
        (150.0, 3600.0),
    ] {
        let f = at(hz, s);
        assert!(f <= last, "{hz} Hz × {s} s: {f} after {last}");
        last = f;
    }
    // a roller or stamp has none, nor a material without an endurance limit
    assert!(factors(&shipped("mf8-192.toml", &[]))
        .fatigue_safety_factor()
        .is_none());
    assert!(factors(&shipped("stamp-35.toml", &[]))
        .fatigue_safety_factor()
        .is_none());
    let mut pla = shipped("pen-12-110.toml", &[]);
    pla.needle.material = MaterialProps::of("pla").unwrap();
    assert!(factors(&pla).fatigue_safety_factor().is_none());
}

#[test]
fn factors_do_not_depend_on_the_raster_pitch_or_the_thread_count() {
    let keys = [
        "min_buckling_safety_factor",
        "min_bending_safety_factor",
        "fatigue_safety_factor",
    ];
    for file in ["mf8-192.toml", "pen-12-110.toml"] {
        let small = [("treatment.area_mm.0", 12.0), ("treatment.area_mm.1", 12.0)];
        let mut runs = Vec::new();
        for (pitch, threads) in [(10.0, 1), (40.0, 1), (25.0, 2)] {
            let mut d = shipped(file, &small);
            d.analysis.resolution_um = pitch;
            let a = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| analysis::analyze(&d, &Silent).unwrap());
            let m: Vec<Option<f64>> = keys.iter().map(|k| a.metrics.get(k)).collect();
            runs.push(m);
        }
        assert!(runs[0][0].is_some() && runs[0][1].is_some(), "{file}");
        assert!(runs.iter().all(|r| *r == runs[0]), "{file}: {runs:?}");
    }
}

#[test]
fn the_shared_cache_gives_what_a_fresh_solve_gives() {
    let g = needle(1.500_01, 0.25, 0.5, 4.0);
    let a = shared_elastic(&g);
    let b = shared_elastic(&g);
    assert_eq!(a, b);
    // the shared cache rounds lengths to 0.1 µm: the geometry it solves is that one
    let rounded = needle(1.5, 0.25, 0.5, 4.0);
    assert_eq!(
        a,
        ElasticCapacity::solve(&rounded, Discretisation::default())
    );
    let mut q = BucklingCache::with_length_quantum_mm(1e-4);
    assert_eq!(q.elastic(&needle(1.500_02, 0.25, 0.5, 4.0)), a);
    assert_eq!(q.len(), 1);
}

// ---------------------------------------------------------------- advisories and nulls

#[test]
fn advisories_name_the_needle_the_load_and_a_fix() {
    // long thin annealed needles on a small drum, pressed home: they bend and buckle
    let d = shipped(
        "mf8-192.toml",
        &[
            ("needle.length_mm", 2.5),
            ("needle.diameter_mm", 0.07),
            ("needle.tip_length_mm", 0.14),
            ("roller.drum_diameter_mm", 10.0),
            ("roller.layout.needles_per_ring", 12.0),
            ("roller.force_n", 50.0),
        ],
    );
    let i = factors(&d);
    let adv = integrity::advisories(&i, &d.needle.material);
    let codes: Vec<&str> = adv.iter().map(|a| a.code).collect();
    assert_eq!(codes, ["needle_may_buckle", "needle_may_bend"], "{adv:?}");
    for (a, w) in adv.iter().zip([i.buckling.unwrap(), i.bending.unwrap()]) {
        assert!(w.factor < integrity::ADVISORY_FACTOR);
        let m = &a.message;
        assert!(m.starts_with(&format!("needle {}", w.needle)), "{m}");
        assert!(m.contains(" N ") && m.contains("Fix: "), "{m}");
        assert!(m.contains("needles below 2"), "{m}");
    }
    // a pen whose needles fatigue: 0.07 mm needles at 2.5 mm, 30° off square, all day
    let pen = shipped(
        "pen-12-110.toml",
        &[
            ("pen.depth_mm", 2.5),
            ("needle.diameter_mm", 0.1),
            ("needle.tip_length_mm", 0.2),
            ("pen.misalignment_deg", 30.0),
            ("pen.session_s", 36_000.0),
            ("pen.drive_force_n", 50.0),
        ],
    );
    let i = factors(&pen);
    let adv = integrity::advisories(&i, &pen.needle.material);
    let fat = adv.iter().find(|a| a.code == "cartridge_fatigue");
    let fat = fat.unwrap_or_else(|| panic!("{adv:?} {:?}", i.fatigue_safety_factor()));
    assert!(fat.message.contains("strokes a session") && fat.message.contains("Fix: "));
    // and none for the shipped pen, stamp and short roller
    for file in ["pen-12-110.toml", "stamp-35.toml", "home-0.2.toml"] {
        let d = shipped(file, &[]);
        assert!(integrity::advisories(&factors(&d), &d.needle.material).is_empty());
    }
    // MF8's leading needles carry the 3 N (depth model v2): its 1.5 mm needles, 0.76 mm in
    // and tilted on the drum, bend at just under a factor of 2, and only that is said
    let d = shipped("mf8-192.toml", &[]);
    let i = factors(&d);
    let adv = integrity::advisories(&i, &d.needle.material);
    assert!(adv.iter().all(|a| a.code == "needle_may_bend"), "{adv:?}");
    let f = i.min_bending_safety_factor().unwrap();
    assert!((1.5..2.0).contains(&f), "{f}");
}

#[test]
fn a_device_that_does_not_pierce_has_undefined_factors() {
    let d = shipped("mf8-192.toml", &[("roller.force_n", 0.001)]);
    let i = factors(&d);
    assert!(MadeDevice::new(&d).needles.is_empty());
    assert!(i.min_buckling_safety_factor().is_none());
    assert!(i.min_bending_safety_factor().is_none());
    // a needle that just pierces takes no side load: no bending factor, a buckling factor
    let mut case = mf8_case(20.0, 0.1);
    case.load.load_n = case.load.puncture_force_n;
    let r = check(&case, &MaterialProps::of("ss304").unwrap(), None);
    assert!(r.bending.factor.is_infinite() && r.buckling.factor.is_finite());
}

#[test]
fn validate_carries_the_strength_rows_with_their_units() {
    use needlemap::design::experiment::Quantity;
    let files = [
        "validation/park-prausnitz-2010-transition.toml",
        "validation/lee-2008-pla-cone.toml",
    ];
    let designs = files.map(|f| Design::load(&common::design(f)).unwrap());
    let rows = needlemap::studies::validation::validate(&designs, &Silent).unwrap();
    // Park & Prausnitz 2010: the transition of a 3 GPa, 60 MPa polymer, held (K ≈ 0.7); gates
    let park = &rows[0];
    assert_eq!(park.measured.quantity, Quantity::TransitionAspect);
    let want = (2.0 * PI * PI * 3000.0 / 60.0f64).sqrt() / (4.0 * K_CLAMPED_PINNED);
    assert_relative_eq!(park.predicted.unwrap(), want, max_relative = 1e-12);
    assert!(park.within && park.measured.gate);
    // Lee 2008: a simulated load, model to model; shown, never gating
    let lee = &rows[1];
    assert_eq!(lee.measured.quantity, Quantity::FailureForceN);
    assert!(!lee.measured.gate);
    let p = lee.predicted.unwrap();
    assert!(p > 3.0 && p < 5.0, "{p}");
    // the JSON's value keys carry each figure's unit
    let json: serde_json::Value =
        serde_json::from_slice(&needlemap::output::validation::json(&rows)).unwrap();
    assert_eq!(json["rows"][0]["predicted"].as_f64(), park.predicted);
    assert_eq!(json["rows"][1]["predicted_n"].as_f64(), Some(p));
    assert_eq!(json["rows"][1]["measured_n"].as_f64(), Some(4.7));
    let text = needlemap::output::validation::table(&rows);
    assert!(
        text.contains("axial failure force") && text.contains(" N "),
        "{text}"
    );
}
