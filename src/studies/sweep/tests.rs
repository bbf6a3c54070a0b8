//! Unit tests of sweep files, combinations, shards, the chart and the ranking.

use super::*;
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// A sweep of the shipped MF8 with the `[vary]` table `vary` (its body).
pub(crate) fn mf8_sweep(vary: &str) -> Result<Sweep, InputError> {
    let dir = tempfile::tempdir().unwrap();
    let base =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/designs/mf8-192.toml"))
            .unwrap();
    write(dir.path(), "base.toml", &base);
    let p = write(
        dir.path(),
        "s.toml",
        &format!("name = \"t\"\nbase = \"base.toml\"\n[vary]\n{vary}"),
    );
    Sweep::load_with(&p, &ReadPolicy::new(dir.path()))
}

#[test]
fn odometer_order_first_key_slowest() {
    let s = mf8_sweep("\"needle.length_mm\" = [1.0, 1.5]\n\"roller.layout.rings\" = [4, 6, 8]\n")
        .unwrap();
    assert_eq!(s.len(), 6);
    let combos: Vec<Vec<usize>> = (0..6).map(|i| s.combination(i)).collect();
    assert_eq!(
        combos,
        vec![
            vec![0, 0],
            vec![0, 1],
            vec![0, 2],
            vec![1, 0],
            vec![1, 1],
            vec![1, 2]
        ]
    );
    assert_eq!(s.variant_name(0), "t-1");
}

#[test]
fn variant_sets_keys_and_keeps_the_rest() {
    let s = mf8_sweep("\"roller.layout.rings\" = [4]\n\"treatment.passes.*.count\" = [2]\n\"tolerance.length_sd_mm\" = [0.05]\n").unwrap();
    let d = s.variant(0, &Overrides::default()).unwrap();
    assert_eq!(d.name, "t-1");
    assert_eq!(d.device.needle_count(), 4 * 24);
    assert_eq!(d.treatment.pass_angles_deg.len(), 6);
    assert_eq!(
        d.treatment.pass_groups,
        vec![(0.0, 2), (90.0, 2), (45.0, 2)]
    );
    assert_eq!(d.tolerance.length_sd_mm, 0.05); // absent from the base file: created
    assert_eq!(d.treatment.area_mm, [40.0, 40.0]);
}

#[test]
fn unquoted_dotted_keys_flatten_in_file_order() {
    let s = mf8_sweep(
        "roller.layout.rings = [4, 8]\nneedle.length_mm = [1.0]\ntreatment.passes.1.count = [3]\n",
    )
    .unwrap();
    let names: Vec<&str> = s.keys.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "roller.layout.rings",
            "needle.length_mm",
            "treatment.passes.1.count"
        ]
    );
    assert_eq!(s.keys[0].line, 4);
    let d = s.variant(1, &Overrides::default()).unwrap();
    assert_eq!(d.treatment.pass_groups[1], (90.0, 3));
}

#[test]
fn bad_keys_are_refused_with_their_line() {
    let e = mf8_sweep("\"needle.length_mm\" = [1.0]\n\"needle.lenght_mm\" = [1.0]\n")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(":5:")
            && e.contains("needle.lenght_mm")
            && e.contains("not a key a sweep may vary (did you mean \"needle.length_mm\"?)"),
        "{e}"
    );
    let e = mf8_sweep("\"pen.depth_mm\" = [1.0]\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("kind = \"pen\""), "{e}");
    let e = mf8_sweep("\"treatment.passes.3.count\" = [1]\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("out of range") && e.contains("0 to 2"), "{e}");
    let e = mf8_sweep("\"roller.layout.rings\" = [4.5]\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("whole numbers"), "{e}");
    let e = mf8_sweep("\"needle.length_mm\" = [\"long\"]\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("must be a number"), "{e}");
    let e = mf8_sweep("\"treatment.passes.*.count\" = [1]\n\"treatment.passes.0.count\" = [2]\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("already varies"), "{e}");
    let e = mf8_sweep("\"needle.length_mm\" = []\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("at least one value"), "{e}");
    let e = mf8_sweep("\"needle.length_mm\" = 1.5\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("list of numbers"), "{e}");
}

#[test]
fn invalid_combination_is_an_error_not_a_panic() {
    // 40 rings of 0.25 mm needles at 0.5 mm pitch cannot fit a 20 mm drum
    let s =
        mf8_sweep("\"roller.layout.ring_pitch_mm\" = [0.5]\n\"roller.layout.rings\" = [8, 60]\n")
            .unwrap();
    assert!(s.variant(0, &Overrides::default()).is_ok());
    let e = s.variant(1, &Overrides::default()).unwrap_err();
    assert!(
        e.contains("roller.layout.ring_pitch_mm") && e.contains("drum"),
        "{e}"
    );
}

#[test]
fn shards_partition_the_combinations() {
    for total in [0usize, 1, 5, 10, 17] {
        for n in 1..=6 {
            let mut next = 0;
            for k in 1..=n {
                let r = Shard { k, n }.range(total);
                assert_eq!(r.start, next);
                next = r.end;
            }
            assert_eq!(next, total);
        }
    }
    assert!("0/3".parse::<Shard>().is_err());
    assert!("4/3".parse::<Shard>().is_err());
    assert_eq!("2/3".parse::<Shard>(), Ok(Shard { k: 2, n: 3 }));
}

#[test]
fn best_ranks_valid_rows() {
    let row = |i: usize, cov: Option<f64>| Row {
        index: i,
        name: format!("r{i}"),
        values: vec![],
        outcome: match cov {
            Some(c) => Ok(Metrics {
                coverage_fraction: Some(c),
                ..Default::default()
            }),
            None => Err("bad".into()),
        },
        advisories: Vec::new(),
    };
    let rows = vec![
        row(0, Some(0.2)),
        row(1, None),
        row(2, Some(0.5)),
        row(3, Some(0.2)),
    ];
    let b: Best = "coverage_fraction".parse().unwrap();
    let top: Vec<usize> = b.top(&rows, 5, &[]).iter().map(|r| r.index).collect();
    assert_eq!(top, [2, 0, 3]);
    let b: Best = "coverage_fraction:min".parse().unwrap();
    let top: Vec<usize> = b.top(&rows, 2, &[]).iter().map(|r| r.index).collect();
    assert_eq!(top, [0, 3]);
    let f: Filter = "coverage_fraction>=0.3".parse().unwrap();
    let top: Vec<usize> = b.top(&rows, 5, &[f]).iter().map(|r| r.index).collect();
    assert_eq!(top, [2]);
    let f: Filter = "coverage_fraction <= 0.2".parse().unwrap();
    assert_eq!(b.top(&rows, 5, &[f]).len(), 2);
    assert!("coverage_fraction>0.2".parse::<Filter>().is_err());
    assert!("gap>=1".parse::<Filter>().is_err());
    assert!("mean_depth_mm".parse::<Best>().is_err());
    assert!("nope:max".parse::<Best>().is_err());
}
