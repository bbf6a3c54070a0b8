//! `needlemap optimise`: the answer of a space with a closed form, the Pareto front's designs
//! re-analyzed, the screening stages against the full analysis, the same bytes at any thread
//! count, and bad files refused with nothing written.

mod common;

use common::{bin, root};
use needlemap::base::input::ReadPolicy;
use needlemap::metrics::analysis::Overrides;
use needlemap::studies::optimise::{self, Optimise, Stage};
use std::path::Path;

/// Writes `text` as an optimisation file beside the shipped designs' copy in a temporary
/// project (designs/ copied, so `base` resolves inside its root).
fn project(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let designs = dir.path().join("designs");
    std::fs::create_dir_all(designs.join("optimise")).unwrap();
    for f in ["mf8-192.toml", "pen-12-110.toml"] {
        std::fs::copy(root().join("designs").join(f), designs.join(f)).unwrap();
    }
    let file = designs.join("optimise/o.toml");
    std::fs::write(&file, text).unwrap();
    (dir, file)
}

fn load(file: &Path) -> Optimise {
    Optimise::load_with(file, &ReadPolicy::default()).unwrap()
}

/// The whole search of `opt`, silent, with no budget on its yield stage.
fn search(opt: &Optimise) -> optimise::Outcome {
    optimise::run(
        opt,
        &Overrides::default(),
        f64::INFINITY,
        &needlemap::base::progress::Silent,
    )
    .unwrap()
}

/// The MF8 drum (20 mm × 20 mm, 8 rings, 15 passes) with every needle count per ring from 4 to
/// 40, the fewest needles reaching `rho` channels/cm².
fn density_search(rho: f64) -> String {
    format!(
        "name = \"o\"\nbase = \"../mf8-192.toml\"\n\
         [search]\n\"roller.layout.needles_per_ring\" = {{ min = 4, max = 40, step = 2 }}\n\
         \"tolerance.length_sd_mm\" = [0.0]\n\
         [constraints]\ndensity_per_cm2 = {{ min = {rho:?} }}\n\
         [objective]\nminimise = [\"needles\"]\n"
    )
}

#[test]
fn the_fewest_needles_for_a_density_is_the_closed_form() {
    // N ≥ ρ·π·D·W / passes on a drum of diameter D, width W: 100/cm² × π·2 cm·2 cm / 15
    // passes = 83.8 needles per pass, so 8 rings of 12 (96); 8 × 10 = 80 falls 4.5 % short
    let rho = 100.0;
    let (_d, file) = project(&density_search(rho));
    let opt = load(&file);
    let o = search(&opt);
    let n_min = rho * std::f64::consts::PI * 2.0 * 2.0 / 15.0;
    let per_ring = ((n_min / 8.0 / 2.0).ceil() * 2.0) as usize;
    assert_eq!(o.front.len(), 1, "{:?}", o.front);
    let best = &o.candidates[o.front[0]];
    assert_eq!(best.objectives[0], Some((8 * per_ring) as f64));
    assert_eq!(per_ring, 12);
}

#[test]
fn every_front_design_meets_the_constraints_again_and_none_is_dominated() {
    let text = "name = \"o\"\nbase = \"../pen-12-110.toml\"\n\
                [search]\n\"pen.cartridge.rows\" = [1, 2, 3]\n\"pen.cartridge.cols\" = [1, 2, 4]\n\
                \"pen.hand_speed_mm_s\" = [15.0, 30.0]\n\"analysis.resolution_um\" = [40.0]\n\
                [constraints]\ncoverage_fraction = { min = 0.2 }\nmax_gap_mm = { max = 0.6 }\n\
                [objective]\nminimise = [\"needles\", \"time_s\"]\n";
    let (dir, file) = project(text);
    let out = dir.path().join("out");
    let r = bin()
        .current_dir(dir.path())
        .args(["--quiet", "optimise"])
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let opt_dir = out.join("o/optimise");
    let pareto = std::fs::read_to_string(opt_dir.join("pareto.csv")).unwrap();
    let names: Vec<String> = pareto
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().to_string())
        .collect();
    assert!(!names.is_empty());
    // one best-<rank>.toml per trade-off point, each a design of the front
    let mut best: Vec<std::path::PathBuf> = std::fs::read_dir(&opt_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("best-")
        })
        .collect();
    best.sort();
    assert!(!best.is_empty() && best.len() <= names.len());
    for f in &best {
        let text = std::fs::read_to_string(f).unwrap();
        let n = names
            .iter()
            .find(|n| text.contains(&format!("name = \"{n}\"")))
            .unwrap_or_else(|| panic!("{}: not a design of pareto.csv", f.display()));
        // the written design, analyzed as a user would: its [spec] (the constraints) passes
        let a = bin()
            .current_dir(dir.path())
            .args(["--quiet", "analyze"])
            .arg(f)
            .args(["--no-plots", "--format", "json", "--out"])
            .arg(dir.path().join("re"))
            .output()
            .unwrap();
        assert_eq!(
            a.status.code(),
            Some(0),
            "{n}: {}",
            String::from_utf8_lossy(&a.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
        let spec = &v["results"][0]["spec"];
        assert!(
            spec.to_string().contains("true") && !spec.to_string().contains("false"),
            "{n}: {spec}"
        );
    }
    // none of the front is dominated by a feasible candidate
    let opt = load(&file);
    let o = search(&opt);
    let senses: Vec<_> = opt.objectives.iter().map(|o| o.sense()).collect();
    for &k in &o.front {
        let a: Vec<f64> = o.candidates[k]
            .objectives
            .iter()
            .map(|v| v.unwrap())
            .collect();
        for c in o.candidates.iter().filter(|c| c.feasible()) {
            let b: Vec<f64> = c.objectives.iter().map(|v| v.unwrap()).collect();
            assert!(
                !optimise::dominates(&b, &a, &senses),
                "{} dominates {}",
                c.name,
                o.candidates[k].name
            );
        }
    }
}

#[test]
fn screening_never_rejects_what_the_full_analysis_accepts_nor_accepts_what_it_rejects() {
    // a roller space across the limits: every candidate the early stages reject is checked
    // against the whole analysis at the design's pitch (a sample of 40 spread over the space)
    let text = "name = \"o\"\nbase = \"../mf8-192.toml\"\n\
                [search]\n\"roller.layout.needles_per_ring\" = [12, 24, 36]\n\
                \"roller.layout.rings\" = [4, 8]\n\"needle.length_mm\" = [0.3, 0.5, 0.8]\n\
                \"needle.tip_length_mm\" = [0.15]\n\"roller.force_n\" = [1.0, 3.0]\n\
                \"treatment.passes.*.count\" = [2, 5]\n\"analysis.resolution_um\" = [40.0]\n\
                [constraints]\ncoverage_fraction = { min = 0.04 }\nmax_gap_mm = { max = 1.5 }\n\
                p05_depth_mm = { min = 0.065 }\np95_depth_mm = { max = 0.35 }\n\
                density_per_cm2 = { min = 30.0 }\n[objective]\nminimise = [\"needles\"]\n";
    let (_d, file) = project(text);
    let opt = load(&file);
    let o = search(&opt);
    let rejected_early: Vec<usize> = o
        .candidates
        .iter()
        .filter(|c| c.stage < Stage::Full && c.stage != Stage::Invalid && c.failed.is_some())
        .map(|c| c.index)
        .collect();
    assert!(
        rejected_early.len() > 20,
        "the space exercises the screens: {}",
        rejected_early.len()
    );
    assert!(
        o.candidates.iter().any(|c| c.feasible()),
        "and holds feasible designs"
    );
    // and every candidate found feasible at the coarse pitch (by more than its error) is
    // feasible at the design's pitch too (a sample of 40)
    let accepted_early: Vec<usize> = o
        .candidates
        .iter()
        .filter(|c| c.stage == Stage::Coarse && c.feasible())
        .map(|c| c.index)
        .collect();
    assert!(accepted_early.len() > 5, "{}", accepted_early.len());
    let step = (accepted_early.len() / 40).max(1);
    for &i in accepted_early.iter().step_by(step) {
        assert_eq!(
            optimise::full_verdict(&opt, i, &Overrides::default()),
            None,
            "{} was found feasible at the coarse pitch but the full analysis rejects it",
            o.candidates[i].name
        );
    }
    // the front is analyzed at the design's pitch
    assert!(o
        .front
        .iter()
        .all(|&k| o.candidates[k].stage == Stage::Full));
    let step = (rejected_early.len() / 40).max(1);
    for &i in rejected_early.iter().step_by(step) {
        assert!(
            optimise::full_verdict(&opt, i, &Overrides::default()).is_some(),
            "{} was rejected at {:?} ({:?}) but the full analysis accepts it",
            o.candidates[i].name,
            o.candidates[i].stage,
            o.candidates[i].failed
        );
    }
}

#[test]
fn the_same_bytes_at_one_and_two_threads() {
    let (dir, file) = project(&density_search(100.0));
    let run = |threads: &str| {
        let out = dir.path().join(format!("out{threads}"));
        let r = bin()
            .current_dir(dir.path())
            .args(["--quiet", "--threads", threads, "optimise"])
            .arg(&file)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(
            r.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&r.stderr)
        );
        let d = out.join("o/optimise");
        ["candidates.csv", "pareto.csv", "pareto.png", "pareto.svg"]
            .map(|f| std::fs::read(d.join(f)).unwrap())
    };
    assert_eq!(run("1"), run("2"));
}

#[test]
fn bad_files_are_refused_naming_file_key_and_value_with_nothing_written() {
    let good = density_search(100.0);
    for (from, to, expect) in [
        ("\"roller.layout.needles_per_ring\"", "\"roller.layout.nedles_per_ring\"", "nedles_per_ring"),
        ("{ min = 4, max = 40, step = 2 }", "{ min = 40, max = 4, step = 2 }", "inverted"),
        ("{ min = 4, max = 40, step = 2 }", "{ min = 4, max = 40, step = 0 }", "step above 0"),
        ("{ min = 4, max = 40, step = 2 }", "{ min = 4.5, max = 40 }", "a step unless"),
        ("{ min = 4, max = 40, step = 2 }", "{ max = 40, step = 2 }", "needs min and max"),
        ("{ min = 4, max = 40, step = 2 }", "[\"ss304\"]", "every value must be a number"),
        ("\"tolerance.length_sd_mm\" = [0.0]", "\"needle.material\" = [\"steel\"]", "ss304 | ss316l"),
        ("\"tolerance.length_sd_mm\" = [0.0]", "\"needle.material\" = [1.0]", "must be one of"),
        ("[objective]", "yield = { min = 0.9 }\n[objective]", "constraints.yield.runs"),
        ("[objective]", "yield = { min = 1.5, runs = 10 }\n[objective]", "a fraction from 0 to 1"),
        ("[objective]", "time_s = { max = 100, runs = 10 }\n[objective]", "constraints.time_s.runs"),
        ("density_per_cm2 = { min = 100.0 }", "", "needs a limit on a metric"),
        ("[objective]", "[objectives]", "did you mean [objective]"),
        ("[constraints]", "[spec]", "did you mean [constraints]"),
        ("{ min = 4, max = 40, step = 2 }", "{ min = 4, max = 40, step = 5 }", "leave out 40"),
        ("\"tolerance.length_sd_mm\" = [0.0]", "\"tolerance.length_sd_mm\" = [0.0, 0.0]", "listed twice"),
        ("minimise = [\"needles\"]", "minimise = [\"roller.force_n\"]", "numeric key of [search]"),
        ("{ min = 4, max = 40, step = 2 }", "[]", "at least one value"),
        ("density_per_cm2", "densty_per_cm2", "densty_per_cm2"),
        ("minimise = [\"needles\"]", "minimise = [\"neddles\"]", "neddles"),
        ("minimise = [\"needles\"]", "minimise = []", "objective"),
        (
            "\"tolerance.length_sd_mm\" = [0.0]",
            "\"tolerance.length_sd_mm\" = { min = 0.0, max = 1.0, step = 0.00001 }",
            "10000",
        ),
        (
            "\"tolerance.length_sd_mm\" = [0.0]",
            "\"needle.length_mm\" = { min = 0.3, max = 2.0, step = 0.001 }\n\"roller.force_n\" = { min = 1, max = 10, step = 0.01 }",
            "combinations",
        ),
    ] {
        let text = good.replace(from, to);
        assert_ne!(text, good, "{from}");
        let (dir, file) = project(&text);
        let out = dir.path().join("out");
        let r = bin()
            .current_dir(dir.path())
            .args(["optimise"])
            .arg(&file)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(2), "{to}: {err}");
        assert!(err.contains("o.toml") && err.contains(expect), "{to}: {err}");
        assert!(!out.join("o").exists(), "{to}: nothing written");
    }
}

#[test]
fn a_device_shared_across_treatments_is_the_device_made_for_each() {
    // optimise shares one made device between candidates that differ in [treatment] alone
    let base = needlemap::design::Design::load(&root().join("designs/mf8-192.toml")).unwrap();
    let made = needlemap::kinematics::MadeDevice::new(&base);
    let mut other = base.clone();
    other.treatment.pass_angles_deg = vec![0.0, 90.0];
    other.treatment.lane_spacing_mm = 7.5;
    other.treatment.area_mm = [25.0, 30.0];
    let fresh = needlemap::kinematics::MadeDevice::new(&other);
    assert_eq!(
        format!("{:?}", made.with_treatment(&other)),
        format!("{fresh:?}")
    );
}

/// Runs `needlemap <args>` in the project `dir`; returns the exit code and stderr.
fn run_in(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let r = bin().current_dir(dir).args(args).output().unwrap();
    (r.status.code(), String::from_utf8_lossy(&r.stderr).into())
}

#[test]
fn shards_merged_give_the_bytes_of_the_whole_search_and_a_changed_file_is_refused() {
    let (dir, file) = project(&density_search(100.0));
    let f = file.to_str().unwrap();
    let (code, err) = run_in(dir.path(), &["--quiet", "optimise", f, "--out", "whole"]);
    assert_eq!(code, Some(0), "{err}");
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let (code, err) = run_in(
            dir.path(),
            &[
                "--quiet", "optimise", f, "--shard", &shard, "--out", "parts",
            ],
        );
        assert_eq!(code, Some(0), "{err}");
    }
    // a shard writes its candidates and provenance, no front
    assert!(dir.path().join("parts/o/candidates.2-of-3.csv").is_file());
    assert!(dir.path().join("parts/o/candidates.2-of-3.json").is_file());
    assert!(!dir.path().join("parts/o/optimise").exists());
    let (code, err) = run_in(
        dir.path(),
        &["--quiet", "optimise", f, "--merge", "3", "--out", "parts"],
    );
    assert_eq!(code, Some(0), "{err}");
    let files = |out: &str| {
        let d = dir.path().join(out).join("o/optimise");
        let mut names: Vec<String> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|n| (n.clone(), std::fs::read(d.join(&n)).unwrap()))
            .collect::<Vec<_>>()
    };
    let whole = files("whole");
    assert!(whole.iter().any(|(n, _)| n == "best-1.toml"));
    assert_eq!(whole, files("parts"));

    // the file changed after the shards ran: the merge names the provenance and writes nothing
    std::fs::write(&file, density_search(120.0)).unwrap();
    std::fs::remove_dir_all(dir.path().join("parts/o/optimise")).unwrap();
    let (code, err) = run_in(
        dir.path(),
        &["--quiet", "optimise", f, "--merge", "3", "--out", "parts"],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("candidates.1-of-3.json") && err.contains("sweep_sha256"),
        "{err}"
    );
    assert!(!dir.path().join("parts/o/optimise").exists());
    // a shard missing
    std::fs::write(&file, density_search(100.0)).unwrap();
    std::fs::remove_file(dir.path().join("parts/o/candidates.3-of-3.csv")).unwrap();
    let (code, err) = run_in(
        dir.path(),
        &["--quiet", "optimise", f, "--merge", "3", "--out", "parts"],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("candidates.3-of-3.csv"), "{err}");
}

#[test]
fn a_word_key_is_searched_and_a_searched_key_is_an_objective() {
    // the MF8's 1.5 mm needles in PLA and in steel: PLA (E 3.5 GPa) bends under any of these
    // forces (bending factor 1.09 at 1 N), steel up to 3 N (1.92; 1.40 at 5 N); the most
    // force a design survives with a bending factor of 1.5 is steel at 3 N
    let text = "name = \"o\"\nbase = \"../mf8-192.toml\"\n\
                [search]\n\"needle.material\" = [\"pla\", \"ss304\"]\n\
                \"roller.force_n\" = { min = 1, max = 5, step = 2 }\n\"needle.length_mm\" = [1.5]\n\
                \"analysis.resolution_um\" = [40.0]\n\
                [constraints]\nmin_bending_safety_factor = { min = 1.5 }\n\
                coverage_fraction = { min = 0.01 }\n\
                [objective]\nmaximise = [\"roller.force_n\"]\n";
    let (_d, file) = project(text);
    let opt = load(&file);
    assert_eq!(opt.sweep.len(), 6);
    assert_eq!(opt.sweep.keys[0].show(1), "ss304");
    let o = search(&opt);
    for c in &o.candidates {
        let material = opt.sweep.keys[0].show(opt.sweep.combination(c.index)[0]);
        let force = opt.sweep.keys[1].values[opt.sweep.combination(c.index)[1]];
        // the objective is the searched key's value
        assert_eq!(c.objectives[0], Some(force), "{}", c.name);
        if material == "pla" {
            assert_eq!(
                c.failed.as_deref(),
                Some("min_bending_safety_factor"),
                "{}",
                c.name
            );
        }
    }
    assert_eq!(o.front.len(), 1);
    let best = &o.candidates[o.front[0]];
    let combo = opt.sweep.combination(best.index);
    assert_eq!(opt.sweep.keys[0].show(combo[0]), "ss304");
    assert_eq!(best.objectives[0], Some(3.0));
    // words have no order: not an objective
    let (_d, file) = project(&text.replace(
        "maximise = [\"roller.force_n\"]",
        "maximise = [\"needle.material\"]",
    ));
    let e = Optimise::load_with(&file, &ReadPolicy::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("needle.material") && e.contains("no order"),
        "{e}"
    );
    // the written design names its material as a word
    assert!(
        optimise::design_text(&opt, best.index, &Overrides::default())
            .contains("material = \"ss304\"")
    );
}

#[test]
fn the_review_page_shows_the_search_its_front_and_a_datasheet_per_front_design() {
    let text = "name = \"o\"\nbase = \"../pen-12-110.toml\"\n\
                [search]\n\"pen.cartridge.rows\" = [1, 2]\n\"pen.cartridge.cols\" = [1, 2, 4]\n\
                \"analysis.resolution_um\" = [40.0]\n\
                [constraints]\ncoverage_fraction = { min = 0.1 }\n\
                [objective]\nminimise = [\"needles\", \"time_s\"]\n";
    let (dir, file) = project(text);
    let opt = load(&file);
    let o = search(&opt);
    let groups = o.front_groups();
    assert!(
        groups.len() >= 2,
        "{groups:?} {:?}",
        o.candidates
            .iter()
            .map(|c| (&c.failed, &c.objectives))
            .collect::<Vec<_>>()
    );
    let (code, err) = run_in(
        dir.path(),
        &[
            "--quiet",
            "report",
            "--optimise",
            file.to_str().unwrap(),
            "--out",
            "out",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let page = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    let html = scraper::Html::parse_document(&page);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    let section = html
        .select(&sel("section#optimise"))
        .next()
        .expect("the section");
    assert!(
        section.select(&sel("figure img")).next().is_some(),
        "its picture"
    );
    let rows: Vec<_> = section.select(&sel("table.front tbody tr")).collect();
    assert_eq!(rows.len(), groups.len());
    for (row, (k, _)) in rows.iter().zip(&groups) {
        let name = &o.candidates[*k].name;
        assert_eq!(row.value().attr("data-design"), Some(name.as_str()));
        // its datasheet is on the page
        let id = format!("section#design-{name}");
        assert!(html.select(&sel(&id)).next().is_some(), "{id}");
    }
    // and the summary judges each front design against the constraints, its [spec]: met
    let verdicts: Vec<_> = html
        .select(&sel("table.summary tr[data-key=\"spec\"] td.spec"))
        .collect();
    assert_eq!(verdicts.len(), groups.len());
    for v in verdicts {
        assert!(v.value().classes().any(|c| c == "pass"), "{}", v.html());
    }
    let stages: Vec<_> = section.select(&sel("table.stages tbody tr")).collect();
    assert_eq!(stages.len(), 3, "screen, coarse, full");
}

#[test]
fn the_yield_stage_is_refused_past_its_budget_and_written_designs_keep_the_overrides() {
    let text = density_search(100.0).replace(
        "[objective]",
        "yield = { min = 0.5, runs = 10000 }\n[objective]",
    );
    let (dir, file) = project(&text);
    let f = file.to_str().unwrap();
    let (code, err) = run_in(
        dir.path(),
        &[
            "--quiet",
            "optimise",
            f,
            "--max-cpu-min",
            "0.2",
            "--out",
            "out",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("the yield constraint would run 1 Monte Carlo studies of 10000 runs")
            && err.contains("nothing written"),
        "{err}"
    );
    assert!(!dir.path().join("out/o/optimise").exists());
    // without the yield: the written design carries the run's seed and raster pitch
    let (dir, file) = project(&density_search(100.0));
    let f = file.to_str().unwrap();
    let (code, err) = run_in(
        dir.path(),
        &[
            "--quiet",
            "--seed",
            "7",
            "--resolution-um",
            "25",
            "optimise",
            f,
            "--out",
            "out",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let best = std::fs::read_to_string(dir.path().join("out/o/optimise/best-1.toml")).unwrap();
    let d: toml::Table = best.parse().unwrap();
    assert_eq!(d["treatment"]["seed"].as_integer(), Some(7));
    assert_eq!(d["analysis"]["resolution_um"].as_float(), Some(25.0));
    assert!(d["description"]
        .as_str()
        .unwrap()
        .contains("roller.layout.needles_per_ring = 12"));
}

#[test]
fn a_coarse_raster_too_small_for_the_region_leaves_the_decision_to_the_full_one() {
    // a 1 mm region at 50 µm: 20 pixels across, 5 at the coarse 200 µm, which the raster
    // refuses; the candidate is decided at its own pitch, and an undefined objective (no
    // fatigue factor on a roller) makes a candidate infeasible, saying so
    let text = "name = \"o\"\nbase = \"../mf8-192.toml\"\n\
                [search]\n\"treatment.area_mm.*\" = [1.0]\n\"analysis.resolution_um\" = [50.0]\n\
                \"roller.force_n\" = [1.0, 3.0]\n\
                [constraints]\ncoverage_fraction = { min = 0.0 }\n\
                [objective]\nminimise = [\"force_n\"]\n";
    let (_d, file) = project(text);
    let opt = load(&file);
    let o = search(&opt);
    assert!(
        o.candidates.iter().all(|c| c.feasible()),
        "{:?}",
        o.candidates
    );
    assert_eq!(o.front.len(), 1);
    let (_d, file) = project(&text.replace(
        "minimise = [\"force_n\"]",
        "maximise = [\"fatigue_safety_factor\"]",
    ));
    let opt = load(&file);
    let o = search(&opt);
    for c in &o.candidates {
        assert!(!c.feasible());
        assert_eq!(
            c.failed.as_deref(),
            Some("objective fatigue_safety_factor undefined")
        );
    }
}

#[test]
fn a_searched_pattern_sets_each_pattern_s_keys_in_its_own_candidates() {
    // grid or ring cartridges on the 12-needle pen: a grid candidate keeps its rows (× the
    // base's 4 columns), a ring candidate drops them and takes its count
    let text = "name = \"o\"\nbase = \"../pen-12-110.toml\"\n\
                [search]\n\"pen.cartridge.pattern\" = [\"grid\", \"ring\"]\n\
                \"pen.cartridge.rows\" = [2, 3]\n\"pen.cartridge.count\" = [6, 10]\n\
                \"pen.cartridge.diameter_mm\" = [3.0]\n\"analysis.resolution_um\" = [40.0]\n\
                [constraints]\ncoverage_fraction = { min = 0.0 }\n\
                [objective]\nminimise = [\"needles\"]\n";
    let (_d, file) = project(text);
    let opt = load(&file);
    assert_eq!(opt.sweep.len(), 8);
    let o = search(&opt);
    for c in &o.candidates {
        let combo = opt.sweep.combination(c.index);
        let pattern = opt.sweep.keys[0].show(combo[0]);
        let rows = opt.sweep.keys[1].values[combo[1]];
        let count = opt.sweep.keys[2].values[combo[2]];
        let expect = if pattern == "grid" { rows * 4.0 } else { count };
        assert_eq!(c.objectives[0], Some(expect), "{} {pattern}", c.name);
        assert!(c.feasible(), "{}: {:?}", c.name, c.failed);
        let written = optimise::design_text(&opt, c.index, &Overrides::default());
        assert!(written.contains(&format!("pattern = \"{pattern}\"")));
        assert_eq!(written.contains("\nrows ="), pattern == "grid", "{written}");
    }
    // the fewest needles: a ring of 6
    let best = &o.candidates[o.front[0]];
    assert_eq!(best.objectives[0], Some(6.0));
}
