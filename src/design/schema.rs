//! JSON Schemas (draft 2020-12) of the design and sweep files, and the key tables of
//! docs/design-format.md, all generated from the file mirrors.
//!
//! The file mirrors ([`crate::design::file`] and the sweep file) are what the parser reads, so
//! a schema generated from them cannot name a key the parser refuses or miss one it takes.
//! Each field's `///` comment is its description (meaning, unit, where its default comes
//! from); its `#[schemars(extend(...))]` gives the default value and valid range as schema
//! keywords. The committed `schema/*.json` and the tables in docs/design-format.md are this
//! module's output; tests fail when either is stale.
//!
//! Keys are sorted, so tables list their keys alphabetically. TOML has no null, so the `null` schemars allows for `Option` fields is taken out.

use crate::design::file::DesignFile;
use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::{Map, Value};

/// The schema of design files, as JSON.
///
/// # Examples
/// ```
/// let s = needlemap::design::schema::design();
/// assert_eq!(s["additionalProperties"], false);
/// assert!(s["properties"]["needle"].is_object());
/// ```
pub fn design() -> Value {
    let mut v = generate::<DesignFile>();
    apply_ranges(&mut v);
    v
}

/// Writes the physical range of every bounded key ([`crate::design::ranges::RANGES`], the
/// table validation enforces) into the schema: `minimum`/`exclusiveMinimum` and `maximum`
/// on the property, or on its items for an array of numbers.
fn apply_ranges(root: &mut Value) {
    let mut found = Vec::new();
    pointers(root, root, "", "", &mut found);
    for (pointer, key) in found {
        let Some(r) = crate::design::ranges::range_of(&key) else {
            continue;
        };
        let Some(p) = root.pointer_mut(&pointer) else {
            continue;
        };
        let target = match p.get("type").and_then(Value::as_str) {
            Some("array") => p.get_mut("items").unwrap_or_else(|| unreachable!()),
            _ => p,
        };
        let Some(obj) = target.as_object_mut() else {
            continue;
        };
        obj.remove("minimum");
        obj.remove("exclusiveMinimum");
        let low = if r.min_inclusive {
            "minimum"
        } else {
            "exclusiveMinimum"
        };
        obj.insert(low.into(), serde_json::json!(r.min));
        obj.insert("maximum".into(), serde_json::json!(r.max));
    }
}

/// JSON pointers of every property object reachable from `table` (at `at`), with its dotted
/// key (array-of-table elements without an index: `treatment.passes.angle_deg`).
fn pointers(root: &Value, table: &Value, at: &str, prefix: &str, out: &mut Vec<(String, String)>) {
    let (table, at) = match table.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/$defs/");
            (&root["$defs"][name], format!("/$defs/{name}"))
        }
        None => (table, at.to_string()),
    };
    let Some(props) = table.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, p) in props {
        let key = format!("{prefix}{name}");
        let here = format!("{at}/properties/{name}");
        out.push((here.clone(), key.clone()));
        let target = resolve(root, p);
        match target.get("type").and_then(Value::as_str) {
            Some("object") => pointers(root, p, &here, &format!("{key}."), out),
            Some("array") => {
                if let Some(items) = p.get("items") {
                    if resolve(root, items).get("type").and_then(Value::as_str) == Some("object") {
                        pointers(
                            root,
                            items,
                            &format!("{here}/items"),
                            &format!("{key}."),
                            out,
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

/// A schema as the committed file holds it: pretty JSON and a final newline.
pub fn to_text(schema: &Value) -> String {
    let mut s = serde_json::to_string_pretty(schema).expect("a JSON value serializes");
    s.push('\n');
    s
}

/// The JSON Schema of a file format `T` as needlemap commits it: draft 2020-12, no `null`
/// types, keys sorted.
pub fn generate<T: JsonSchema>() -> Value {
    let generator = SchemaSettings::draft2020_12().into_generator();
    let mut v = generator.into_root_schema_for::<T>().to_value();
    strip_null(&mut v);
    sort_keys(v)
}

/// The same value with every object's keys sorted, whether or not serde_json preserves order
/// in this build (a dev-dependency may turn that on for tests only).
fn sort_keys(v: Value) -> Value {
    match v {
        Value::Object(o) => {
            let mut entries: Vec<(String, Value)> = o.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, x)| (k, sort_keys(x)))
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.into_iter().map(sort_keys).collect()),
        other => other,
    }
}

/// Takes `null` out of `type` lists, `enum` lists and `anyOf` alternatives, recursively.
fn strip_null(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if let Some(Value::Array(types)) = o.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let t = types.remove(0);
                    o.insert("type".into(), t);
                }
            }
            if let Some(Value::Array(e)) = o.get_mut("enum") {
                e.retain(|x| !x.is_null());
            }
            if let Some(Value::Array(alts)) = o.get_mut("anyOf") {
                alts.retain(|a| a.get("type").and_then(Value::as_str) != Some("null"));
                if alts.len() == 1 {
                    if let Some(Value::Object(only)) = alts.pop() {
                        o.remove("anyOf");
                        for (k, x) in only {
                            o.entry(k).or_insert(x);
                        }
                    }
                }
            }
            for x in o.values_mut() {
                strip_null(x);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(strip_null),
        _ => {}
    }
}

/// One key of a table, as the docs list it.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyDoc {
    /// Dotted key: `roller.layout.rings`; `treatment.passes[].count` for an array of tables.
    pub key: String,
    /// `number`, `integer`, `string`, `boolean`, `table`, `array of ...`.
    pub kind: String,
    /// Unit read from the key's suffix (`_mm` → mm), or empty.
    pub unit: &'static str,
    /// Whether the table always needs the key (pattern- and kind-dependent needs are in the meaning).
    pub required: bool,
    /// The default value as TOML, or empty.
    pub default: String,
    /// Valid values: enum values or bounds, or empty.
    pub range: String,
    /// The description.
    pub meaning: String,
}

/// One table of the format: its header and keys.
#[derive(Clone, Debug, PartialEq)]
pub struct TableDoc {
    /// `top level`, `[roller]`, `[[treatment.passes]]`, ...
    pub header: String,
    /// The table's own description.
    pub description: String,
    /// Its keys, alphabetically.
    pub keys: Vec<KeyDoc>,
}

/// Every table of the design format in a design file's reading order, top level first, each
/// table followed by its sub-tables; keys alphabetical within a table.
pub fn design_tables() -> Vec<TableDoc> {
    let root = design();
    let mut out = Vec::new();
    walk(&root, &root, "", "top level".into(), &mut out);
    // the reading order of a design file; a table not listed goes last, sub-tables stay after
    // their table (the sort is stable)
    const AFTER_KINDS: &[&str] = &[
        "needle",
        "tolerance",
        "skin",
        "treatment",
        "analysis",
        "experiment",
    ];
    let order: Vec<&str> = super::kinds::KINDS
        .iter()
        .map(|k| k.key())
        .chain(AFTER_KINDS.iter().copied())
        .collect();
    let rank = |t: &TableDoc| {
        let top = t.header.trim_start_matches('[');
        let top = top.split(['.', ']']).next().unwrap_or("");
        match t.header.as_str() {
            "top level" => 0,
            _ => order
                .iter()
                .position(|o| *o == top)
                .map_or(order.len() + 1, |i| i + 1),
        }
    };
    out.sort_by_key(rank);
    out
}

fn resolve<'a>(root: &'a Value, s: &'a Value) -> &'a Value {
    match s.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/$defs/");
            &root["$defs"][name]
        }
        None => s,
    }
}

fn walk(root: &Value, table: &Value, prefix: &str, header: String, out: &mut Vec<TableDoc>) {
    let table = resolve(root, table);
    let empty = Map::new();
    let props = table
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let required: Vec<&str> = table
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut doc = TableDoc {
        header,
        description: text(table.get("description")),
        keys: Vec::new(),
    };
    let mut subs = Vec::new();
    for (name, p) in props {
        let key = format!("{prefix}{name}");
        let target = resolve(root, p);
        let ty = target.get("type").and_then(Value::as_str).unwrap_or("");
        let item = p.get("items").map(|i| resolve(root, i));
        let item_ty = item.and_then(|i| i.get("type")).and_then(Value::as_str);
        let kind = match (ty, item_ty) {
            ("object", _) => {
                subs.push((p, format!("{key}."), format!("[{key}]")));
                "table".to_string()
            }
            ("array", Some("object")) => {
                subs.push((
                    item.expect("an array has items"),
                    format!("{key}[]."),
                    format!("[[{key}]]"),
                ));
                "array of tables".to_string()
            }
            ("array", Some("array")) => {
                let inner = item
                    .and_then(|i| i.get("items"))
                    .and_then(|i| i.get("type"))
                    .and_then(Value::as_str)
                    .unwrap_or("value");
                format!("array of arrays of {inner}")
            }
            ("array", Some(t)) => format!("array of {t}"),
            ("", _) if target.get("oneOf").is_some() || target.get("enum").is_some() => {
                "string".to_string()
            }
            (t, _) => t.to_string(),
        };
        doc.keys.push(KeyDoc {
            unit: unit_of(name),
            required: required.contains(&name.as_str()),
            default: p.get("default").map(toml_text).unwrap_or_default(),
            range: range_of(p, target),
            meaning: text(p.get("description")),
            key,
            kind,
        });
    }
    out.push(doc);
    for (s, prefix, header) in subs {
        walk(root, s, &prefix, header, out);
    }
}

fn text(v: Option<&Value>) -> String {
    v.and_then(Value::as_str)
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A JSON value written as TOML.
fn toml_text(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 => format!("{f:.1}"),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// The unit a key's name ends in (house rule: units in names).
pub fn unit_of(key: &str) -> &'static str {
    const SUFFIXES: &[(&str, &str)] = &[
        ("_n_mm2", "N/mm²"),
        ("_n_mm", "N/mm"),
        ("_mm_s", "mm/s"),
        ("_per_s", "1/s"),
        ("_mm", "mm"),
        ("_um", "µm"),
        ("_deg", "°"),
        ("_hz", "Hz"),
        ("_n", "N"),
        ("_gpa", "GPa"),
        ("_mpa", "MPa"),
        ("_s", "s"),
    ];
    SUFFIXES
        .iter()
        .find(|(s, _)| key.ends_with(s))
        .map_or("", |(_, u)| u)
}

fn range_of(p: &Value, target: &Value) -> String {
    let values: Vec<String> = match (target.get("oneOf"), p.get("enum").or(target.get("enum"))) {
        (_, Some(Value::Array(e))) => e.iter().map(toml_text).collect(),
        (Some(Value::Array(alts)), _) => alts
            .iter()
            .filter_map(|a| a.get("const"))
            .map(toml_text)
            .collect(),
        _ => Vec::new(),
    };
    if !values.is_empty() {
        return values.join(", ");
    }
    let mut parts = Vec::new();
    let bound = |k: &str| p.get(k).map(|v| v.to_string());
    if let Some(x) = bound("exclusiveMinimum") {
        parts.push(format!("> {x}"));
    }
    if let Some(x) = bound("minimum") {
        parts.push(format!("≥ {x}"));
    }
    if let Some(x) = bound("exclusiveMaximum") {
        parts.push(format!("< {x}"));
    }
    if let Some(x) = bound("maximum") {
        parts.push(format!("≤ {x}"));
    }
    match (bound("minItems"), bound("maxItems")) {
        (Some(a), Some(b)) if a == b => parts.push(format!("{a} items")),
        (Some(a), _) => parts.push(format!("≥ {a} items")),
        _ => {}
    }
    parts.join(", ")
}

/// The key tables of docs/design-format.md, as Markdown.
pub fn design_markdown() -> String {
    let mut s = String::new();
    for t in design_tables() {
        s.push_str(&format!("### {}\n\n", t.header));
        if !t.description.is_empty() {
            s.push_str(&format!("{}\n\n", t.description));
        }
        s.push_str("| key | type | unit | required | default | range | meaning |\n");
        s.push_str("|---|---|---|---|---|---|---|\n");
        for k in &t.keys {
            s.push_str(&format!(
                "| `{}` | {} | {} | {} | {} | {} | {} |\n",
                k.key,
                k.kind,
                if k.unit.is_empty() { "—" } else { k.unit },
                if k.required { "yes" } else { "no" },
                cell(&k.default),
                cell(&k.range),
                k.meaning.replace('|', "\\|"),
            ));
        }
        s.push('\n');
    }
    s
}

fn cell(s: &str) -> String {
    if s.is_empty() {
        "—".into()
    } else {
        format!("`{}`", s.replace('|', "\\|"))
    }
}

/// Every dotted key of the design format (tables included).
pub fn design_keys() -> Vec<String> {
    design_tables()
        .into_iter()
        .flat_map(|t| t.keys.into_iter().map(|k| k.key))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_null_survives() {
        let s = to_text(&design());
        assert!(!s.contains("\"null\""), "{s}");
    }

    #[test]
    fn units_come_from_suffixes() {
        assert_eq!(unit_of("roll_speed_mm_s"), "mm/s");
        assert_eq!(unit_of("tip_pressure_n_mm2"), "N/mm²");
        assert_eq!(unit_of("tenting_stiffness_n_mm"), "N/mm");
        assert_eq!(unit_of("force_n"), "N");
        assert_eq!(unit_of("youngs_modulus_gpa"), "GPa");
        assert_eq!(unit_of("yield_strength_mpa"), "MPa");
        assert_eq!(unit_of("session_s"), "s");
        assert_eq!(unit_of("pattern"), "");
    }

    #[test]
    fn tables_cover_nested_keys() {
        let keys = design_keys();
        for k in [
            "name",
            "roller.layout.rings",
            "pen.cartridge.pitch_mm",
            "stamp.array.centre",
            "treatment.passes[].count",
            "experiment.measured[].role",
        ] {
            assert!(keys.iter().any(|x| x == k), "{k} missing from {keys:?}");
        }
    }
}
