//! The needle table of a design, without analysing it: needles.csv and the terminal table
//! of `needlemap layout`. The columns are those of needles.csv written by `analyze`.

use crate::design::Design;

/// Header and rows of the needle table, as text cells: the columns the device's kind states.
pub fn rows(design: &Design) -> (Vec<&'static str>, Vec<Vec<String>>) {
    design.device.kind_of().needle_table()
}

/// needles.csv of a design.
pub fn csv(design: &Design) -> Vec<u8> {
    let (head, rows) = rows(design);
    let mut w = crate::base::fmt::CsvBytes::new();
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
        crate::base::fmt::render(&all)
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
