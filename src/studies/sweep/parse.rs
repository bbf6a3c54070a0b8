//! The sweep file as written: `name`, `base` and a `[vary]` table of nested tables or lists,
//! kept in file order with the values' spans; its JSON Schema.

use super::keys::{numeric_keys, Num};
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use toml::{Spanned, Value};

/// `[vary]` as written: nested tables (unquoted dotted keys) or lists of values, in file order.
///
/// Only the values carry spans: toml gives implicit tables of dotted keys none.
#[derive(Debug)]
pub(crate) enum Node {
    List(Vec<Spanned<Value>>),
    Table(Vec<(String, Node)>),
    /// A bare number: the `min`, `max` or `step` of a range table, else an error.
    Number(f64),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of numbers, e.g. \"needle.length_mm\" = [1.0, 1.5, 2.0]")
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Number(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Number(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Number(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Node, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = s.next_element::<Spanned<Value>>()? {
                    v.push(x);
                }
                Ok(Node::List(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Node, A::Error> {
                let mut v = Vec::new();
                while let Some(k) = m.next_key::<String>()? {
                    let n = m.next_value::<Node>()?;
                    v.push((k, n));
                }
                Ok(Node::Table(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// A needlemap sweep: one base design and lists of values for some of its numeric keys.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "needlemap sweep")]
pub(crate) struct SweepFile {
    /// Sweep name; also `out/<name>/` and the prefix of the variants' names `<name>-<i>`.
    #[schemars(with = "String")]
    pub(super) name: Spanned<String>,
    /// The base design file, relative to the sweep file.
    #[schemars(with = "String")]
    pub(super) base: Spanned<String>,
    /// The varied keys: `"dotted.key" = [values]`, every combination analyzed, the first key varying slowest.
    pub(super) vary: Node,
}

/// `[vary]`: one property per key of [`numeric_keys`], a list of whole numbers or of numbers, or
/// a range `{ min, max, step }`;
/// array indices (`#`) as a number or `*`. Unquoted dotted keys make nested tables, which the
/// schema lets through as tables and the sweep checks when it flattens them.
impl schemars::JsonSchema for Node {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Vary".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let design = crate::design::schema::design_tables();
        let meaning = |key: &str| {
            let doc_key = key.replace(".#.", "[].").replace(".#", "");
            design
                .iter()
                .flat_map(|t| &t.keys)
                .find(|k| k.key == doc_key)
                .map(|k| k.meaning.clone())
                .unwrap_or_default()
        };
        let mut properties = serde_json::Map::new();
        let mut patterns = serde_json::Map::new();
        for k in numeric_keys() {
            let key = k.key;
            let range = |item: &str, required: &[&str]| {
                serde_json::json!({
                    "type": "object",
                    "description": "a range: min, min + step, … up to max (step 1 when min and max are whole numbers and no step is given)",
                    "properties": {
                        "min": { "type": item },
                        "max": { "type": item },
                        "step": { "type": item, "exclusiveMinimum": 0 },
                    },
                    "required": required,
                    "additionalProperties": false,
                })
            };
            let schema = match k.num {
                Num::Word(set) => serde_json::json!({
                    "description": meaning(key),
                    "type": "array",
                    "items": { "type": "string", "enum": set.list() },
                }),
                Num::Int => serde_json::json!({
                    "description": meaning(key),
                    "oneOf": [
                        { "type": "array", "items": { "type": "integer" } },
                        range("integer", &["min", "max"]),
                    ],
                }),
                Num::Float => serde_json::json!({
                    "description": meaning(key),
                    "oneOf": [
                        { "type": "array", "items": { "type": "number" } },
                        range("number", &["min", "max"]),
                    ],
                }),
            };
            if key.contains('#') {
                let re = format!("^{}$", key.replace('.', "\\.").replace('#', "([0-9]+|\\*)"));
                patterns.insert(re, schema);
            } else {
                properties.insert(key.to_string(), schema);
            }
        }
        schemars::json_schema!({
            "type": "object",
            "properties": properties,
            "patternProperties": patterns,
            "additionalProperties": {
                "type": "object",
                "description": "Unquoted dotted keys (needle.length_mm = [...]) form nested tables; the sweep flattens them and checks each key."
            },
        })
    }
}

/// Most values one `{ min, max, step }` range may expand to.
pub const MAX_RANGE_VALUES: usize = 10_000;

/// A key whose values cannot be read: its dotted name and what is wrong.
pub(super) struct Bad {
    pub key: String,
    pub value: String,
    pub problem: String,
}

/// Flattens the table of varied keys (`[vary]`, an optimisation's `[search]`) into (dotted
/// key, its values) in file order. A table of exactly `min`, `max` and `step` is a range: the
/// values min, min + step, … up to max (each value spanned at its key's line in `text`,
/// below the `[table]` header).
pub(super) fn flatten(
    prefix: &str,
    node: Node,
    text: &str,
    table: &str,
    out: &mut Vec<(String, Vec<Spanned<Value>>)>,
) -> Result<(), Bad> {
    match node {
        Node::List(v) => out.push((prefix.to_string(), v)),
        Node::Number(x) => {
            return Err(Bad {
                key: prefix.to_string(),
                value: x.to_string(),
                problem: "must be a list of numbers, e.g. [1.0, 1.5], or a range { min = 1.0, max = 2.0, step = 0.25 }".into(),
            })
        }
        Node::Table(entries) if is_range(&entries) => {
            let get = |name: &str| {
                entries.iter().find_map(|(k, n)| match n {
                    Node::Number(x) if k == name => Some(*x),
                    _ => None,
                })
            };
            let (lo, hi, step) = (get("min"), get("max"), get("step"));
            let shown = format!(
                "{{ min = {}, max = {}, step = {} }}",
                lo.map_or("?".into(), |x| x.to_string()),
                hi.map_or("?".into(), |x| x.to_string()),
                step.map_or("?".into(), |x| x.to_string())
            );
            let bad = |problem: &str| Bad {
                key: prefix.to_string(),
                value: shown.clone(),
                problem: problem.to_string(),
            };
            // whole-number ends count by 1 unless a step is given
            let step = step.or(match (lo, hi) {
                (Some(a), Some(b)) if a.fract() == 0.0 && b.fract() == 0.0 => Some(1.0),
                _ => None,
            });
            let (Some(lo), Some(hi), Some(step)) = (lo, hi, step) else {
                return Err(bad(
                    "a range needs min and max, and a step unless both are whole numbers (which count by 1)",
                ));
            };
            if !(lo.is_finite() && hi.is_finite() && step.is_finite()) || step <= 0.0 {
                return Err(bad("min, max and step must be finite and step above 0"));
            }
            if hi < lo {
                return Err(bad("the range is inverted: max must be at least min"));
            }
            let steps = (hi - lo) / step;
            if (steps - steps.round()).abs() > 1e-9 * steps.max(1.0) {
                let below = lo + steps.floor() * step;
                return Err(bad(&format!(
                    "max is not min plus a whole number of steps: the range would stop at {} and leave out {hi}; make max {} or {}, or choose a step that divides max − min",
                    super::show_value(below),
                    super::show_value(below),
                    super::show_value(below + step)
                )));
            }
            let n = steps.round() + 1.0;
            if n > MAX_RANGE_VALUES as f64 {
                return Err(bad(&format!(
                    "expands to {n} values, more than {MAX_RANGE_VALUES}; use a larger step"
                )));
            }
            let decimals = [lo, step]
                .iter()
                .map(|v| {
                    let t = format!("{v}");
                    t.split_once('.').map_or(0, |(_, f)| f.len())
                })
                .max()
                .unwrap_or(0);
            let at = key_offset(text, prefix, table);
            let values = (0..n as usize)
                .map(|k| {
                    // by index, so the steps do not accumulate rounding; integral ranges stay
                    // integers
                    // to the decimals min and step are written with: 0.3 + 3 × 0.1 is 0.6
                    let x = round_to(lo + k as f64 * step, decimals);
                    let v = if lo.fract() == 0.0 && step.fract() == 0.0 && x.abs() < 9.0e15 {
                        Value::Integer(x as i64)
                    } else {
                        Value::Float(x)
                    };
                    Spanned::new(at..at, v)
                })
                .collect();
            out.push((prefix.to_string(), values));
        }
        Node::Table(entries) => {
            for (k, n) in entries {
                let key = if prefix.is_empty() {
                    k
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, n, text, table, out)?;
            }
        }
    }
    Ok(())
}

/// `x` rounded to `decimals` decimal places (15 or more: as it is).
fn round_to(x: f64, decimals: usize) -> f64 {
    if decimals >= 15 {
        return x;
    }
    let f = 10f64.powi(decimals as i32);
    (x * f).round() / f
}

/// Whether a table is a range: its keys all among `min`, `max`, `step`, its values numbers.
fn is_range(entries: &[(String, Node)]) -> bool {
    !entries.is_empty()
        && entries.iter().all(|(k, n)| {
            matches!(k.as_str(), "min" | "max" | "step") && matches!(n, Node::Number(_))
        })
}

/// Byte offset of the line that writes `key` (for a key whose list is empty, so has no span):
/// the first line holding its last part below the `[table]` header, or the header.
pub(super) fn key_offset(text: &str, key: &str, table: &str) -> usize {
    let last = key.rsplit('.').next().unwrap_or(key);
    let header = format!("[{table}]");
    let vary = text.find(&header).unwrap_or(0);
    text[vary..].find(last).map_or(vary, |i| vary + i)
}
