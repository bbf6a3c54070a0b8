//! The catalogue of design keys a sweep may vary: every device kind's numeric keys (declared in
//! its file under `design/kinds/`), then the keys every design has
//! ([`crate::design::ranges::COMMON_SWEEP_KEYS`]), with their number type and the designs they
//! apply to.

use crate::design::kinds::{kind_named, KINDS};
pub use crate::design::ranges::Num;
use crate::design::ranges::{SweepKey, COMMON_SWEEP_KEYS};

/// Most combinations one sweep may have.
pub const MAX_COMBINATIONS: usize = 1_000_000;

/// Every numeric key a sweep may vary, in catalogue order: the device kinds' in registry
/// order, then the common ones.
pub fn numeric_keys() -> impl Iterator<Item = &'static SweepKey> {
    KINDS
        .iter()
        .flat_map(|k| k.sweep_keys().iter())
        .chain(COMMON_SWEEP_KEYS)
}

/// Which designs a key applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applies {
    /// Every design.
    Any,
    /// Designs of this kind, with the key's table's `pattern` (its dotted path) set to the
    /// value, if one is given.
    Kind(&'static str, Option<(String, &'static str)>),
    /// Designs whose kind states a needle length (`needle.length_mm`).
    WithNeedleLength,
}

/// The designs the catalogue entry `k` applies to.
pub fn applies(k: &SweepKey) -> Applies {
    {
        let top = k.key.split('.').next().unwrap_or("");
        if let Some(kind) = kind_named(top) {
            let pattern = k.pattern.map(|p| {
                let table = k.key.rsplit_once('.').map_or("", |(t, _)| t);
                (format!("{table}.pattern"), p)
            });
            return Applies::Kind(kind.key(), pattern);
        }
        if k.key == "needle.length_mm" {
            Applies::WithNeedleLength
        } else {
            Applies::Any
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogued_key_is_a_key_of_the_format_and_named_once() {
        let keys: Vec<&str> = numeric_keys().map(|k| k.key).collect();
        let format = crate::design::schema::design_keys();
        for (i, k) in keys.iter().enumerate() {
            assert!(!keys[i + 1..].contains(k), "{k} twice");
            let doc = k.replace(".#.", "[].").replace(".#", "");
            assert!(
                format.contains(&doc),
                "{k} is not a key of the design format"
            );
        }
    }
}
