//! The depth model's properties (model §2a, depth model v2), each on the devices as built by
//! the engine: depth rises continuously and strictly with force between puncture and
//! saturation for one needle, a pen, a stamp and a roller; it never rises with the tip's
//! radius, and a 40 µm tip pierces at 3 N; a dense array goes less deep than one needle at
//! the same force per needle; the inserted fraction at high force does not rise with length;
//! a pen never passes its setting; a channel is never deeper than its insertion.

mod common;

use needlemap::design::Design;
use needlemap::kinematics::MadeDevice;
use std::path::Path;

/// A one-needle or grid stamp: `rows` × `rows` needles `pitch` apart, `length` long,
/// `tip_um` tip radius, pressed with `force`.
fn stamp(rows: u32, pitch: f64, length: f64, tip_um: f64, force: f64) -> Design {
    stamp_of(rows, pitch, length, 0.25, tip_um, force)
}

/// [`stamp`] with needles `dia` mm across.
fn stamp_of(rows: u32, pitch: f64, length: f64, dia: f64, tip_um: f64, force: f64) -> Design {
    let text = format!(
        "name = \"s\"\nkind = \"stamp\"\n[stamp]\nforce_n = {force:?}\n\
         [stamp.array]\npattern = \"grid\"\nrows = {rows}\ncols = {rows}\npitch_mm = {pitch:?}\n\
         [needle]\nlength_mm = {length:?}\ndiameter_mm = {dia:?}\ntip_length_mm = 0.5\ntip_radius_um = {tip_um:?}\n\
         [skin]\npreset = \"face\"\n\
         [treatment]\narea_mm = [10.0, 10.0]\npasses = [{{ angle_deg = 0.0 }}]\n"
    );
    Design::from_bytes(text.as_bytes(), Path::new("s.toml")).unwrap()
}

fn shipped(file: &str) -> Design {
    let mut d = Design::load(&common::design(file)).unwrap();
    d.tolerance = Default::default();
    d
}

/// Depth of every piercing needle and whether all present needles pierced.
fn depths(d: &Design) -> (Vec<f64>, bool) {
    let m = MadeDevice::new(d);
    let all = m.unpierced == 0;
    (m.needles.iter().map(|n| n.depth_mm).collect(), all)
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Mean depth over forces `f0 · r^k`: strictly rising and without jumps once every needle has
/// pierced, until the body stops the device (no plateau, no step).
fn rises_continuously(mut d: Design, f0: f64, f1: f64, what: &str) {
    let steps = 400;
    let mut last: Option<f64> = None;
    let mut rising = 0;
    for k in 0..=steps {
        let f = f0 * (f1 / f0).powf(k as f64 / steps as f64);
        d.device.set_force_n(f);
        let (ds, all) = depths(&d);
        if !all {
            last = None;
            continue;
        }
        let now = mean(&ds);
        if let Some(prev) = last {
            let saturated = (now - prev).abs() < 1e-12;
            if !saturated {
                assert!(now > prev, "{what}: {f} N: {now} < {prev}");
                // force steps of about 1 % move the depth by hundredths of a mm: the most a
                // neighbour's snap-through at puncture shifts it, never a needle's length
                assert!(
                    now - prev < 0.03,
                    "{what}: a jump of {} mm at {f} N",
                    now - prev
                );
                rising += 1;
            }
        }
        last = Some(now);
    }
    assert!(rising > 20, "{what}: rose on only {rising} steps");
}

#[test]
fn depth_rises_continuously_with_force_for_every_kind() {
    rises_continuously(stamp(1, 1.0, 1.5, 4.0, 1.0), 0.03, 3.0, "one needle");
    rises_continuously(shipped("mf8-192.toml"), 0.1, 20.0, "MF8 roller");
    let mut pen = shipped("pen-12-110.toml");
    if let needlemap::design::Device::Pen(p) = &mut pen.device {
        p.preload_n = 100.0;
    }
    rises_continuously(pen, 0.4, 20.0, "12-needle pen");
    rises_continuously(
        stamp(11, 0.6, 0.6, 4.0, 1.0),
        3.5,
        200.0,
        "121-needle stamp",
    );
}

#[test]
fn blunter_tips_never_go_deeper_and_a_40_um_tip_pierces_at_3_n() {
    for force in [0.1, 0.5, 1.0, 3.0] {
        let mut last = f64::INFINITY;
        for tip in [1.0, 4.0, 8.0, 12.0, 20.0, 40.0, 60.0, 80.0] {
            let (ds, _) = depths(&stamp(1, 1.0, 1.5, tip, force));
            let d = ds.first().copied().unwrap_or(0.0);
            assert!(d <= last, "{tip} µm at {force} N: {d} > {last}");
            last = d;
        }
    }
    let (ds, all) = depths(&stamp(1, 1.0, 1.0, 40.0, 3.0));
    assert!(
        all && ds[0] > 0.0,
        "a 1 mm needle with a 40 µm tip at 3 N: {ds:?}"
    );
}

#[test]
fn a_dense_array_goes_less_deep_than_one_needle_at_the_same_force_per_needle() {
    for per_needle in [0.05, 0.2, 0.5, 2.0] {
        let (one, _) = depths(&stamp_of(1, 1.0, 1.0, 0.07, 4.0, per_needle));
        let (many, _) = depths(&stamp_of(20, 0.1, 1.0, 0.07, 4.0, 400.0 * per_needle));
        let many = many.iter().sum::<f64>() / 400.0; // an unpierced needle counts 0
        assert!(many < one[0], "{per_needle} N each: {many} vs {}", one[0]);
    }
    // spacing: the same 100 needles 1 mm apart act almost alone
    let (sparse, _) = depths(&stamp_of(10, 1.0, 1.0, 0.07, 4.0, 20.0));
    let (dense, _) = depths(&stamp_of(10, 0.1, 1.0, 0.07, 4.0, 20.0));
    assert!(mean(&dense) < mean(&sparse));
}

#[test]
fn the_inserted_fraction_at_high_force_does_not_rise_with_length() {
    for force in [3.0, 1000.0] {
        let mut last = 1.0;
        for h in [0.5, 0.75, 1.0, 1.5, 2.0, 2.5] {
            let (ds, _) = depths(&stamp(1, 1.0, h, 4.0, force));
            let frac = ds[0] / h;
            assert!(frac <= last + 1e-12, "{force} N, {h} mm: {frac} > {last}");
            last = frac;
        }
    }
}

#[test]
fn a_pen_never_passes_its_setting_and_channels_never_pass_insertion() {
    for setting in [0.25, 0.5, 1.0, 1.5, 2.5] {
        for force in [0.5, 5.0, 50.0, 5000.0] {
            let mut pen = shipped("pen-12-110.toml");
            if let needlemap::design::Device::Pen(p) = &mut pen.device {
                p.depth_mm = setting;
                p.drive_force_n = force;
                p.preload_n = force;
            }
            for n in MadeDevice::new(&pen).needles {
                assert!(
                    n.depth_mm <= setting,
                    "{setting} mm at {force} N: {}",
                    n.depth_mm
                );
                assert!(n.channel_depth_mm <= n.depth_mm);
            }
        }
    }
    for file in [
        "mf8-192.toml",
        "stamp-35.toml",
        "home-0.2.toml",
        "cit8-0.5.toml",
    ] {
        for n in MadeDevice::new(&shipped(file)).needles {
            assert!(n.channel_depth_mm <= n.depth_mm && n.depth_mm <= n.length_mm);
        }
    }
}

#[test]
fn the_roller_arc_is_not_symmetric() {
    // a needle pointing down with one neighbour 5° behind (withdrawing) goes as deep as a lone
    // needle; with the neighbour 5° ahead (entering) the two share the force
    use needlemap::model::insertion::{press_drum, DrumNeedle, Mechanics};
    let face = needlemap::model::skin::Skin::preset("face").unwrap();
    let m = Mechanics::new(&face, 0.25, 0.5, 4.0);
    let at = |deg: f64| DrumNeedle {
        angle_rad: deg.to_radians(),
        axial_mm: 0.0,
        length_mm: 1.5,
    };
    let depth = |ns: &[DrumNeedle]| press_drum(&vec![m; ns.len()], 10.0, ns, 0.15, 0.3)[0].depth_mm;
    let lone = depth(&[at(0.0)]).unwrap();
    let behind = depth(&[at(0.0), at(-5.0)]).unwrap();
    let ahead = depth(&[at(0.0), at(5.0)]).unwrap();
    assert_eq!(behind, lone);
    assert!(ahead < lone, "{ahead} vs {lone}");
}

#[test]
fn the_pens_setting_tolerance_moves_every_needle_together() {
    let mut pen = shipped("pen-12-110.toml");
    if let needlemap::design::Device::Pen(p) = &mut pen.device {
        p.setting_tolerance_mm = 0.15;
        p.drive_force_n = 1000.0;
        p.preload_n = 1000.0;
    }
    let mut seen = Vec::new();
    for seed in 1..40 {
        pen.treatment.seed = seed;
        let m = MadeDevice::new(&pen);
        let first = m.needles[0].length_mm;
        assert!(m.needles.iter().all(|n| n.length_mm == first));
        assert!((first - 1.0).abs() <= 0.15 + 1e-12, "{first}");
        seen.push(first);
    }
    let (lo, hi) = seen
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    assert!(hi - lo > 0.15, "the draws span the tolerance: {lo}–{hi}");
}

#[test]
fn a_setting_tolerance_as_large_as_the_setting_is_refused() {
    let text = std::fs::read_to_string(common::design("pen-12-110.toml"))
        .unwrap()
        .replace(
            "depth_mm = 1.0",
            "depth_mm = 0.3\nsetting_tolerance_mm = 0.3",
        );
    assert!(text.contains("setting_tolerance_mm = 0.3"));
    let e = Design::from_bytes(text.as_bytes(), Path::new("p.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("pen.setting_tolerance_mm") && e.contains("pen.depth_mm = 0.3"),
        "{e}"
    );
}
