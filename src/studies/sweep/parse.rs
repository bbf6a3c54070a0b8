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
pub(super) enum Node {
    List(Vec<Spanned<Value>>),
    Table(Vec<(String, Node)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of numbers, e.g. \"needle.length_mm\" = [1.0, 1.5, 2.0]")
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

/// `[vary]`: one property per key of [`numeric_keys`], a list of whole numbers or of numbers;
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
            let item = match k.num {
                Num::Int => "integer",
                Num::Float => "number",
            };
            let schema = serde_json::json!({
                "type": "array",
                "items": { "type": item },
                "description": meaning(key),
            });
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

/// Flattens `[vary]` into (dotted key, its values) in file order.
pub(super) fn flatten(prefix: &str, node: Node, out: &mut Vec<(String, Vec<Spanned<Value>>)>) {
    match node {
        Node::List(v) => out.push((prefix.to_string(), v)),
        Node::Table(entries) => {
            for (k, n) in entries {
                let key = if prefix.is_empty() {
                    k
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, n, out);
            }
        }
    }
}

/// Byte offset of the line that writes `key` (for a key whose list is empty, so has no span):
/// the first line holding its last part, or the `[vary]` header.
pub(super) fn key_offset(text: &str, key: &str) -> usize {
    let last = key.rsplit('.').next().unwrap_or(key);
    let vary = text.find("[vary]").unwrap_or(0);
    text[vary..].find(last).map_or(vary, |i| vary + i)
}
