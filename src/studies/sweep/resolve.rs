//! Sweep keys as paths into a design's TOML: checked against the catalogue and the base
//! design (kind, pattern, array indices, `*`), and set in a copy of it.

use super::keys::{applies, numeric_keys, Applies, Num};
use crate::design::kinds::{kind_named, KINDS};
use toml::Value;

/// One step of a key's path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Seg {
    Key(String),
    Index(usize),
}

/// The base file's `kind` and layout/cartridge pattern, as strings.
fn str_at<'a>(t: &'a toml::Table, path: &[&str]) -> Option<&'a str> {
    let mut cur = t;
    for (i, p) in path.iter().enumerate() {
        let v = cur.get(*p)?;
        if i + 1 == path.len() {
            return v.as_str();
        }
        cur = v.as_table()?;
    }
    None
}

pub(super) fn show_path(p: &[Seg]) -> String {
    p.iter()
        .map(|s| match s {
            Seg::Key(k) => k.clone(),
            Seg::Index(i) => i.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Checks a dotted key against [`NUMERIC_KEYS`] and the base design; returns its number type
/// and the concrete paths it sets.
pub(super) fn resolve(written: &str, base: &toml::Table) -> Result<(Num, Vec<Vec<Seg>>), String> {
    resolve_with(written, base, &[]).map(|(num, targets, _)| (num, targets))
}

/// A key of one pattern (`pen.cartridge.rows`, of `grid`) in a search that also varies that
/// pattern: the pattern key and the pattern the key belongs to; the key is set only in the
/// combinations of that pattern.
pub(super) type OnlyWith = Option<(String, &'static str)>;

/// [`resolve`] among the other keys varied, `searched`: a key of a pattern the search varies
/// is not held to the base design's pattern, and says which pattern it belongs to.
pub(super) fn resolve_with(
    written: &str,
    base: &toml::Table,
    searched: &[String],
) -> Result<(Num, Vec<Vec<Seg>>, OnlyWith), String> {
    let mut only_with = None;
    let parts: Vec<&str> = written.split('.').collect();
    let pattern: Vec<&str> = parts
        .iter()
        .map(|p| {
            if *p == "*" || (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
                "#"
            } else {
                p
            }
        })
        .collect();
    let pattern = pattern.join(".");
    let valid = || {
        numeric_keys()
            .map(|k| k.key.replace('#', "N"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(entry) = numeric_keys().find(|k| k.key == pattern) else {
        // the nearest catalogue key, when a slip of a few letters away
        let near = numeric_keys()
            .map(|k| (strsim::damerau_levenshtein(k.key, &pattern), k.key))
            .min()
            .filter(|(d, _)| *d <= 3)
            .map_or(String::new(), |(_, k)| {
                format!(" (did you mean \"{}\"?)", k.replace('#', "N"))
            });
        return Err(format!("is not a key a sweep may vary{near}; valid keys: {} (N an index from 0, or * for every element)", valid()));
    };
    let num = entry.num;
    let kind = str_at(base, &["kind"]).unwrap_or("");
    match applies(entry) {
        Applies::Any => {}
        Applies::WithNeedleLength => {
            if kind_named(kind).is_some_and(|k| !k.has_needle_length()) {
                let with: Vec<&str> = KINDS
                    .iter()
                    .filter(|k| k.has_needle_length())
                    .map(|k| k.key())
                    .collect();
                return Err(format!(
                    "applies to {} designs; a {kind} design has no needle.length_mm",
                    with.join(" and ")
                ));
            }
        }
        Applies::Kind(k, pat) => {
            if kind != k {
                return Err(format!(
                    "applies to kind = \"{k}\" designs; the base design is kind = \"{kind}\""
                ));
            }
            if let Some((at, p)) = pat {
                let path: Vec<&str> = at.split('.').collect();
                let have = str_at(base, &path).unwrap_or("");
                if searched.contains(&at) {
                    only_with = Some((at, p));
                } else if have != p {
                    return Err(format!(
                        "applies to {at} = \"{p}\"; the base design has \"{have}\""
                    ));
                }
            }
        }
    }
    // Expand `*` against the base file's arrays, check indices exist.
    let mut paths: Vec<Vec<Seg>> = vec![Vec::new()];
    for p in &parts {
        let mut next = Vec::new();
        for path in paths {
            if *p == "*" || p.bytes().all(|b| b.is_ascii_digit()) {
                let n = array_len(base, &path).ok_or_else(|| {
                    format!(
                        "{} is not in the base design, so its elements cannot be set",
                        show_path(&path)
                    )
                })?;
                if *p == "*" {
                    for i in 0..n {
                        let mut q = path.clone();
                        q.push(Seg::Index(i));
                        next.push(q);
                    }
                } else {
                    let i: usize = p.parse().map_err(|_| format!("index {p} is too large"))?;
                    if i >= n {
                        return Err(format!(
                            "index {i} is out of range: {} has {n} element(s), indices 0 to {}",
                            show_path(&path),
                            n.saturating_sub(1)
                        ));
                    }
                    let mut q = path;
                    q.push(Seg::Index(i));
                    next.push(q);
                }
            } else {
                let mut q = path;
                q.push(Seg::Key(p.to_string()));
                next.push(q);
            }
        }
        paths = next;
    }
    Ok((num, paths, only_with))
}

/// The keys of the patterns other than `pattern` in the table of the pattern key `at`
/// (`pen.cartridge.pattern`): what a combination of that pattern must not carry over from the
/// base design.
pub(super) fn other_patterns_keys(at: &str, pattern: &str) -> Vec<String> {
    let table = at.rsplit_once('.').map_or("", |(t, _)| t);
    numeric_keys()
        .filter(|k| k.pattern.is_some_and(|p| p != pattern))
        .filter_map(|k| {
            let (t, last) = k.key.rsplit_once('.')?;
            (t == table).then(|| last.to_string())
        })
        .collect()
}

/// Length of the array at `path` in the base table, if there is one.
fn array_len(t: &toml::Table, path: &[Seg]) -> Option<usize> {
    get(t, path)?.as_array().map(Vec::len)
}

/// The value at `path` in `t`, if it is there.
pub(super) fn get<'a>(t: &'a toml::Table, path: &[Seg]) -> Option<&'a Value> {
    let mut cur: Option<&Value> = None;
    for s in path {
        cur = match (s, cur) {
            (Seg::Key(k), None) => t.get(k),
            (Seg::Key(k), Some(v)) => v.as_table()?.get(k),
            (Seg::Index(i), Some(v)) => v.as_array()?.get(*i),
            (Seg::Index(_), None) => None,
        };
        cur?;
    }
    cur
}

/// Sets `path` in `t` to `v`, creating missing tables on the way (paths were checked by [`resolve`]).
pub(super) fn set(t: &mut toml::Table, path: &[Seg], v: Value) {
    let (last, init) = path.split_last().expect("a key has at least one step");
    let mut cur: &mut Value = match &init.first() {
        None => {
            if let Seg::Key(k) = last {
                t.insert(k.clone(), v);
            }
            return;
        }
        Some(Seg::Key(k)) => t
            .entry(k.clone())
            .or_insert_with(|| Value::Table(toml::Table::new())),
        Some(Seg::Index(_)) => unreachable!("a path starts with a key"),
    };
    for s in &init[1..] {
        cur = match s {
            Seg::Key(k) => cur
                .as_table_mut()
                .expect("checked path")
                .entry(k.clone())
                .or_insert_with(|| Value::Table(toml::Table::new())),
            Seg::Index(i) => &mut cur.as_array_mut().expect("checked path")[*i],
        };
    }
    match last {
        Seg::Key(k) => {
            cur.as_table_mut()
                .expect("checked path")
                .insert(k.clone(), v);
        }
        Seg::Index(i) => cur.as_array_mut().expect("checked path")[*i] = v,
    }
}

/// Sets the numeric `key` (a sweep key: dotted, array elements by index or `*`) to `value` in
/// a design's TOML table, with the checks a sweep file's key gets; the problem in plain words.
/// The Python binding's `Design.with_` uses it; the result still has to pass
/// [`Design::from_bytes`](crate::design::Design::from_bytes).
///
/// # Examples
/// ```
/// let mut t: toml::Table = toml::from_str("kind = \"pen\"\n[pen]\ndepth_mm = 1.0").unwrap();
/// needlemap::studies::sweep::set_key(&mut t, "pen.depth_mm", 1.5).unwrap();
/// assert_eq!(t["pen"]["depth_mm"].as_float(), Some(1.5));
/// assert!(needlemap::studies::sweep::set_key(&mut t, "needle.length_mm", 1.0).is_err());
/// ```
pub fn set_key(design: &mut toml::Table, key: &str, value: f64) -> Result<(), String> {
    let (num, targets) = resolve(key, design)?;
    let v = match num {
        Num::Int if value.fract() == 0.0 && value.abs() < 9.0e15 => Value::Integer(value as i64),
        Num::Int => return Err(format!("takes whole numbers only, not {value}")),
        Num::Float => Value::Float(value),
        Num::Word(_) => return Err("takes a word, not a number".into()),
    };
    for t in &targets {
        set(design, t, v.clone());
    }
    Ok(())
}
