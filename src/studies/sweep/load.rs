//! Reading a sweep file: its keys checked against the base design before any work, every
//! refusal placed at the sweep file's line and key by the design validator's error context.

use super::keys::{Num, MAX_COMBINATIONS};
use super::parse::{flatten, key_offset, Node, SweepFile};
use super::resolve::{resolve_with, show_path};
use super::{Key, Sweep};
use crate::base::error::{line_col, InputError};
use crate::base::input::ReadPolicy;
use crate::design::validate::Ctx;
use crate::design::Design;
use sha2::{Digest, Sha256};
use std::ops::Range;
use std::path::Path;
use toml::Value;

/// The parts of a file that make a sweep.
pub(crate) struct Parts {
    /// `name`.
    pub name: toml::Spanned<String>,
    /// `base`.
    pub base: toml::Spanned<String>,
    /// The table of varied keys.
    pub vary: Node,
    /// Its name in the file: `vary`, or an optimisation's `search`.
    pub table: &'static str,
}

/// The name a sweep made by [`Sweep::from_parts`] has in messages.
pub const FROM_PARTS: &str = "<sweep>";

impl Sweep {
    /// Reads and checks a sweep file and its base design under [`ReadPolicy::default`]: `base`
    /// (and its `needles_csv`) must lie under the project root chosen from the sweep file
    /// ([`crate::base::input::project_root`]).
    pub fn load(path: &Path) -> Result<Sweep, InputError> {
        Sweep::load_with(path, &ReadPolicy::default())
    }

    /// Reads and checks a sweep file and its base design; `policy` says which files `base`
    /// and the base's own references may be, and how large.
    pub fn load_with(path: &Path, policy: &ReadPolicy) -> Result<Sweep, InputError> {
        // one root for the sweep, its base and the base's references: the sweep file's
        let policy = &policy.for_file(path);
        let bytes = crate::design::read_input(path, policy)?;
        Sweep::from_bytes(path, &bytes, policy, None)
    }

    /// A sweep of `base` (a checked design and the TOML text it was read from) over the
    /// values of `vary` (dotted key, its values as TOML numbers), named `name`: every rule of
    /// a sweep file applies, as to a file `<sweep>` written with these contents (an error in
    /// a key or value names `<sweep>`, the key and the value). For callers that hold the
    /// design already, such as the Python package; no file is read or written.
    pub fn from_parts(
        name: &str,
        base: &Design,
        base_text: &str,
        vary: &[(String, Vec<Value>)],
    ) -> Result<Sweep, InputError> {
        let mut v = toml::Table::new();
        for (k, values) in vary {
            v.insert(k.clone(), Value::Array(values.clone()));
        }
        let mut t = toml::Table::new();
        t.insert("name".into(), Value::String(name.into()));
        t.insert(
            "base".into(),
            Value::String(base.source.path.display().to_string()),
        );
        t.insert("vary".into(), Value::Table(v));
        let text = toml::to_string(&t).map_err(|e| InputError::Toml {
            path: FROM_PARTS.into(),
            line: None,
            column: None,
            message: e.to_string(),
        })?;
        let policy = ReadPolicy::default();
        Sweep::from_bytes(
            Path::new(FROM_PARTS),
            text.as_bytes(),
            &policy,
            Some((base, base_text)),
        )
    }

    /// A sweep file's bytes read from `path`, with its base read through `policy`, or the
    /// base given (design and text).
    fn from_bytes(
        path: &Path,
        bytes: &[u8],
        policy: &ReadPolicy,
        given: Option<(&Design, &str)>,
    ) -> Result<Sweep, InputError> {
        let text = crate::design::toml_text(
            bytes,
            path,
            "a sweep needs `name`, `base` and a [vary] table",
        )?;
        let file: SweepFile = crate::design::parse_toml(text, path).map_err(|e| {
            crate::design::other_kind(e, text, path, crate::design::InputKind::Sweep)
        })?;
        let parts = Parts {
            name: file.name,
            base: file.base,
            vary: file.vary,
            table: "vary",
        };
        Sweep::build(path, bytes, text, parts, policy, given)
    }

    /// A sweep from a file's parts (a sweep file's, or an optimisation file's `[search]`):
    /// the base read and every key checked, errors placed in `text`, the file read from `path`.
    pub(crate) fn build(
        path: &Path,
        bytes: &[u8],
        text: &str,
        file: Parts,
        policy: &ReadPolicy,
        given: Option<(&Design, &str)>,
    ) -> Result<Sweep, InputError> {
        let table = file.table;
        let ctx = Ctx::new(path, text);
        let err = |span: Range<usize>, key: &str, value: String, problem: String| {
            ctx.err(span, key, value, problem)
        };

        let name = file.name.get_ref().clone();
        ctx.check_name(&name, file.name.span())?;

        let base_err = |problem: String| {
            err(
                file.base.span(),
                "base",
                format!("{:?}", crate::base::input::clip(file.base.get_ref())),
                format!("{problem}; `base` is a design file, relative to this file"),
            )
        };
        let (base_path, base, base_text) = match given {
            Some((d, text)) => (d.source.path.clone(), d.clone(), text.to_string()),
            None => {
                let base_path = policy
                    .resolve(path, file.base.get_ref())
                    .map_err(base_err)?;
                let base_bytes = policy
                    .read(&base_path)
                    .map_err(|e| base_err(format!("cannot read {}: {e}", base_path.display())))?;
                let base = Design::from_bytes_with(&base_bytes, &base_path, policy)?;
                let text = String::from_utf8(base_bytes).expect("checked by Design::from_bytes");
                (base_path, base, text)
            }
        };
        let base_text = base_text.as_str();
        let base_table: toml::Table = toml::from_str(base_text)
            .map_err(|e| crate::design::toml_error(&base_path, &e, base_text))?;

        let vary_at = key_offset(text, &format!("[{table}]"), table);
        let mut flat = Vec::new();
        match file.vary {
            Node::Table(_) => flatten("", file.vary, text, table, &mut flat).map_err(|b| {
                let at = key_offset(text, &b.key, table);
                err(at..at, &b.key, b.value, b.problem)
            })?,
            Node::List(_) | Node::Number(_) => return Err(err(vary_at..vary_at, table, "a value".into(), format!("must be a table of keys and lists of values: [{table}] \"needle.length_mm\" = [1.0, 1.5]"))),
        }
        if flat.is_empty() {
            return Err(err(
                vary_at..vary_at,
                table,
                "{}".into(),
                "names no key; add e.g. \"needle.length_mm\" = [1.0, 1.5, 2.0]".into(),
            ));
        }

        let names: Vec<String> = flat.iter().map(|(k, _)| k.clone()).collect();
        let mut keys: Vec<Key> = Vec::new();
        let mut total: usize = 1;
        for (written, list) in flat {
            let span = list
                .first()
                .map_or_else(|| key_offset(text, &written, table)..0, |v| v.span());
            let line = line_col(text, span.start).0;
            // key-level errors point at the start of the key's line and show the list as written
            let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
            let key_at =
                line_start + (text[line_start..].len() - text[line_start..].trim_start().len());
            let written_list = format!(
                "[{}]",
                list.iter()
                    .map(|v| v.get_ref().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let (num, targets, only_with) = resolve_with(&written, &base_table, &names)
                .map_err(|problem| err(key_at..key_at, &written, written_list.clone(), problem))?;
            if list.is_empty() {
                return Err(err(
                    span,
                    &written,
                    "[]".into(),
                    "needs at least one value".into(),
                ));
            }
            let mut values = Vec::new();
            let mut words = Vec::new();
            for v in &list {
                if let Num::Word(set) = num {
                    let valid = set.list();
                    match v.get_ref() {
                        Value::String(w) if valid.contains(&w.as_str()) => {
                            if words.contains(w) {
                                return Err(err(
                                    v.span(),
                                    &written,
                                    format!("{w:?}"),
                                    "is listed twice".into(),
                                ));
                            }
                            values.push(words.len() as f64);
                            words.push(w.clone());
                            continue;
                        }
                        other => {
                            return Err(err(
                                v.span(),
                                &written,
                                crate::base::input::clip(&other.to_string()).to_string(),
                                format!("every value must be one of: {}", valid.join(" | ")),
                            ))
                        }
                    }
                }
                let x = match (v.get_ref(), num) {
                    (Value::Integer(i), _) => *i as f64,
                    (Value::Float(x), Num::Float) => *x,
                    (Value::Float(x), Num::Int) if x.fract() == 0.0 && x.abs() < 9.0e15 => *x,
                    (Value::Float(x), Num::Int) => {
                        return Err(err(
                            v.span(),
                            &written,
                            x.to_string(),
                            "takes whole numbers only".into(),
                        ))
                    }
                    (other, _) => {
                        return Err(err(
                            v.span(),
                            &written,
                            other.to_string(),
                            "every value must be a number".into(),
                        ))
                    }
                };
                if values.contains(&x) {
                    return Err(err(
                        v.span(),
                        &written,
                        x.to_string(),
                        "is listed twice; list each value once".into(),
                    ));
                }
                values.push(x);
            }
            for k in &keys {
                if let Some(t) = targets.iter().find(|t| k.targets.contains(t)) {
                    return Err(err(
                        key_at..key_at,
                        &written,
                        written_list.clone(),
                        format!(
                            "sets {} which `{}` (line {}) already varies; vary each value once",
                            show_path(t),
                            k.name,
                            k.line
                        ),
                    ));
                }
            }
            total = total.checked_mul(values.len()).filter(|&t| t <= MAX_COMBINATIONS).ok_or_else(|| err(span.clone(), &written, format!("{} values", values.len()), format!("the {} would have more than {MAX_COMBINATIONS} combinations; use fewer values{}", if table == "search" { "search" } else { "sweep" }, if table == "search" { " or larger steps" } else { "" })))?;
            keys.push(Key {
                name: written,
                line,
                num,
                values,
                words,
                targets,
                only_with,
            });
        }
        // The variants are named `<name>-<index>` and must pass the design name rule too.
        let suffix = 1 + total.to_string().len();
        if name.len() + suffix > crate::design::MAX_NAME_CHARS {
            return Err(err(
                file.name.span(),
                "name",
                format!("{:?}", crate::base::input::clip(&name)),
                format!(
                    "the {total} variants are named <name>-<index>, which must stay within {} characters; use at most {} characters",
                    crate::design::MAX_NAME_CHARS,
                    crate::design::MAX_NAME_CHARS - suffix
                ),
            ));
        }
        Ok(Sweep {
            name,
            path: path.to_path_buf(),
            sha256: crate::design::hex(&Sha256::digest(bytes)),
            base_path,
            base,
            keys,
            base_table,
            policy: policy.clone(),
        })
    }
}
