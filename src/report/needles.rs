//! The needle table of a design, without analysing it: needles.csv and the terminal table
//! of `needlemap layout`. The columns are those of needles.csv written by `analyze`.

use super::fmt_num;
use crate::design::{Design, Device};

/// Header and rows of the needle table, as text cells.
pub fn rows(design: &Design) -> (Vec<&'static str>, Vec<Vec<String>>) {
    match &design.device {
        Device::Roller(r) => (
            vec!["needle", "ring", "axial_mm", "angle_deg", "length_mm"],
            r.needles
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    vec![
                        i.to_string(),
                        n.ring.to_string(),
                        fmt_num(n.axial_mm, 4),
                        fmt_num(n.angle_deg, 4),
                        fmt_num(n.length_mm, 4),
                    ]
                })
                .collect(),
        ),
        Device::Pen(_) | Device::Stamp(_) => (
            vec!["needle", "along_mm", "across_mm"],
            design
                .device
                .array_needles()
                .unwrap_or_default()
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    vec![
                        i.to_string(),
                        fmt_num(n.along_mm, 4),
                        fmt_num(n.across_mm, 4),
                    ]
                })
                .collect(),
        ),
    }
}

/// needles.csv of a design.
pub fn csv(design: &Design) -> Vec<u8> {
    let (head, rows) = rows(design);
    let mut w = super::CsvBytes::new();
    w.row(&head);
    for r in rows {
        w.row(&r);
    }
    w.into_bytes()
}

/// The needle table for the terminal: a title line, then aligned columns.
pub fn table(design: &Design) -> String {
    let (head, body) = rows(design);
    let mut all = vec![head.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    all.extend(body);
    format!(
        "{} ({}): {} needles\n{}",
        design.name,
        design.device.kind(),
        design.device.needle_count(),
        super::table::render(&all)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lists_every_needle() {
        let d = Design::load("designs/mf8-192.toml".as_ref()).unwrap();
        let t = table(&d);
        // title, header, rule, 192 rows
        assert_eq!(t.lines().count(), 3 + 192);
        assert!(t.lines().nth(1).unwrap().starts_with("needle"));
    }
}
