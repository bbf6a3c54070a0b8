//! The floors of src/: base → model → design → kinematics → metrics → studies → output → cli.
//! Every `crate::` path in non-test code must point at its own floor or one below; this test
//! reads the sources (no compiler involved) and names every path that runs up, file and line.
//!
//! A module's `#[cfg(test)] mod … { … }` block and files that are test modules (`tests.rs`,
//! `fixtures`) are skipped: tests may reach up to check a lower floor from above.

use std::path::{Path, PathBuf};

/// The floors, bottom first: a file's floor is its top-level module under src/.
const FLOORS: [&str; 8] = [
    "base",
    "model",
    "design",
    "kinematics",
    "metrics",
    "studies",
    "output",
    "cli",
];

fn floor_of(module: &str) -> Option<usize> {
    FLOORS.iter().position(|f| *f == module)
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The text of `src` before its first `#[cfg(test)]` module, with comments blanked (line
/// numbers kept).
fn non_test_code(src: &str) -> String {
    let cut = src
        .match_indices("#[cfg(test)]")
        .find(|(i, _)| {
            src[i + 12..].trim_start().starts_with("mod ")
                || src[i + 12..].trim_start().starts_with("pub(crate) mod ")
        })
        .map_or(src.len(), |(i, _)| i);
    src[..cut]
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::<module>` a line names, with the `use crate::{a, b::c}` groups opened.
fn named_modules(code: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + 7..];
            if let Some(group) = after.strip_prefix('{') {
                // `crate::{a, b::c}` may span lines: take the group up to its brace
                let start = code.lines().take(n).map(|l| l.len() + 1).sum::<usize>()
                    + (line.len() - rest.len())
                    + i
                    + 8;
                let body = &code[start..];
                let end = body.find('}').unwrap_or(body.len());
                for item in body[..end].split(',') {
                    let m: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !m.is_empty() {
                        out.push((n + 1, m));
                    }
                }
                let _ = group;
            } else {
                let m: String = after
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.push((n + 1, m));
            }
            rest = &rest[i + 7..];
        }
    }
    out
}

#[test]
fn every_import_points_down_the_floors() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let mut up = Vec::new();
    let mut checked = 0;
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let top = top.trim_end_matches(".rs");
        let name = rel.file_name().unwrap().to_string_lossy();
        if name == "tests.rs" || top == "lib" || top == "main" {
            continue;
        }
        let Some(own) = floor_of(top) else {
            panic!(
                "src/{} stands on no floor: put it under one of {FLOORS:?}",
                rel.display()
            );
        };
        let code = non_test_code(&std::fs::read_to_string(f).unwrap());
        for (line, m) in named_modules(&code) {
            checked += 1;
            if let Some(to) = floor_of(&m) {
                if to > own {
                    up.push(format!(
                        "src/{}:{line}: crate::{m} ({}) from floor {} ({})",
                        rel.display(),
                        FLOORS[to],
                        own,
                        FLOORS[own]
                    ));
                }
            }
        }
    }
    assert!(checked > 100, "the scan found only {checked} crate:: paths");
    assert!(
        up.is_empty(),
        "{} import(s) run up the floors {FLOORS:?}:\n{}",
        up.len(),
        up.join("\n")
    );
}

#[test]
fn the_scan_sees_an_import_that_runs_up() {
    let code = non_test_code(
        "use crate::base::fmt;\nuse crate::{output::plot, model};\n// crate::cli in a comment\n#[cfg(test)]\nmod tests { use crate::cli; }\n",
    );
    let names: Vec<String> = named_modules(&code).into_iter().map(|(_, m)| m).collect();
    assert_eq!(names, ["base", "output", "model"]);
}
