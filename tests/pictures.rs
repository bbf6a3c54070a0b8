//! The pictures: every file there, decodable, of the stated size; the detail picture at true
//! scale against an independent coverage of its window; colour-bar ends against the data;
//! SVGs that parse, embed their heatmap as an image and stay small; identical bytes on
//! reruns; and the `layout` command.

mod common;

use assert_cmd::Command;
use common::design;
use needlemap::base::progress::Silent;
use needlemap::design::{Design, Device};
use needlemap::metrics::analysis::{self, Analysis};
use needlemap::model::channel::Channel;
use needlemap::output::plot::{self, Picture};
use std::path::Path;

const PICTURES: [&str; 6] = [
    "coverage", "density", "depth", "detail", "needles", "strength",
];

fn analysed(name: &str) -> Analysis {
    analysis::analyze(&Design::load(&design(name)).unwrap(), &Silent).unwrap()
}

fn by_name<'a>(pics: &'a [Picture], name: &str) -> &'a Picture {
    pics.iter().find(|p| p.name == name).unwrap()
}

/// Runs the CLI, asserts success, returns stdout.
fn run(args: &[&std::ffi::OsStr]) -> String {
    let out = Command::cargo_bin("needlemap")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn analyze_into(dir: &Path, design_file: &Path, threads: &str) {
    run(&[
        "analyze".as_ref(),
        design_file.as_os_str(),
        "--out".as_ref(),
        dir.as_os_str(),
        "--quiet".as_ref(),
        "--threads".as_ref(),
        threads.as_ref(),
    ]);
}

/// Whether (x, y) lies in the closed capsule of `c`, by plain vector arithmetic.
fn in_capsule(c: &Channel, x: f64, y: f64) -> bool {
    let h = c.slit_mm / 2.0;
    let (ax, ay) = (c.x_mm - c.axis[0] * h, c.y_mm - c.axis[1] * h);
    let (dx, dy) = (c.axis[0] * c.slit_mm, c.axis[1] * c.slit_mm);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((x - ax) * dx + (y - ay) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (px, py) = (ax + t * dx - x, ay + t * dy - y);
    px * px + py * py <= c.radius_mm * c.radius_mm
}

#[test]
fn analyze_writes_every_picture_decodable_and_wide() {
    let dir = tempfile::tempdir().unwrap();
    analyze_into(dir.path(), &design("mf8-192.toml"), "2");
    let a = analysed("mf8-192.toml");
    let pics = plot::render_all(&a).unwrap();
    assert_eq!(pics.len(), PICTURES.len());
    for name in PICTURES {
        let p = by_name(&pics, name);
        let png = std::fs::read(dir.path().join("mf8-192").join(format!("{name}.png"))).unwrap();
        let img = image::load_from_memory_with_format(&png, image::ImageFormat::Png).unwrap();
        assert_eq!(
            (img.width(), img.height()),
            p.size,
            "{name}: decoded size differs from the stated size"
        );
        assert!(img.width() >= 1200, "{name} is {} px wide", img.width());
        // the CLI's file is the library's rendering of the same analysis, byte for byte
        assert!(
            png == p.png,
            "{name}.png differs from the library's rendering"
        );
        let svg = std::fs::read(dir.path().join("mf8-192").join(format!("{name}.svg"))).unwrap();
        assert!(
            svg == p.svg,
            "{name}.svg differs from the library's rendering"
        );
    }
}

#[test]
fn svgs_parse_embed_one_heatmap_image_and_stay_small() {
    for d in ["mf8-192.toml", "pen-11-90.toml"] {
        let a = analysed(d);
        for p in plot::render_all(&a).unwrap() {
            assert!(
                p.svg.len() < 2 << 20,
                "{d} {}: {} bytes",
                p.name,
                p.svg.len()
            );
            let text = std::str::from_utf8(&p.svg).unwrap();
            let doc =
                roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{d} {}: {e}", p.name));
            let count = |tag: &str| doc.descendants().filter(|n| n.has_tag_name(tag)).count();
            let (w, h) = p.size;
            assert_eq!(
                doc.root_element().attribute("width"),
                Some(w.to_string().as_str())
            );
            assert_eq!(
                doc.root_element().attribute("height"),
                Some(h.to_string().as_str())
            );
            // a heatmap is one embedded raster, never a rectangle per cell
            if ["coverage", "density", "depth", "detail"].contains(&p.name) {
                let (_, _, pw, ph) = p.plot.unwrap().0;
                let big = doc
                    .descendants()
                    .filter(|n| {
                        n.has_tag_name("image")
                            && n.attribute("width") == Some(pw.to_string().as_str())
                            && n.attribute("height") == Some(ph.to_string().as_str())
                    })
                    .count();
                assert_eq!(big, 1, "{d} {}: heatmap images", p.name);
            }
            assert!(
                count("rect") < 1000,
                "{d} {}: {} rects",
                p.name,
                count("rect")
            );
        }
    }
}

/// The covered share of the detail picture against the window's coverage computed from the
/// channels on a finer, offset grid; and pixel by pixel, so a flip or shift would show.
#[test]
fn detail_picture_shows_the_window_at_true_scale() {
    for d in ["mf8-192.toml", "pen-12-110.toml"] {
        let a = analysed(d);
        let p = plot::detail::render(&a).unwrap();
        let ((px0, py0, pw, ph), w) = p.plot.unwrap();
        // true scale: equal mm per pixel along x and y, 5 mm across
        assert!((w[2] - w[0] - 5.0).abs() < 1e-12 && (w[3] - w[1] - 5.0).abs() < 1e-12);
        assert_eq!(pw, ph);
        let img = image::load_from_memory(&p.png).unwrap().to_rgb8();
        let bg = image::Rgb(plot::detail::BACKGROUND);
        let filled = |i: u32, j: u32| *img.get_pixel(px0 as u32 + i, py0 as u32 + j) != bg;
        let mut n = 0u64;
        for j in 0..ph {
            for i in 0..pw {
                n += u64::from(filled(i, j));
            }
        }
        let share = n as f64 / (pw as f64 * ph as f64);
        let chans: Vec<&Channel> = a
            .field
            .channels
            .iter()
            .filter(|c| {
                c.x_mm + c.extent_mm() >= w[0]
                    && c.x_mm - c.extent_mm() <= w[2]
                    && c.y_mm + c.extent_mm() >= w[1]
                    && c.y_mm - c.extent_mm() <= w[3]
            })
            .collect();
        let k = 1500;
        let mut hits = 0u64;
        for jj in 0..k {
            for ii in 0..k {
                let x = w[0] + (ii as f64 + 0.37) / k as f64 * (w[2] - w[0]);
                let y = w[1] + (jj as f64 + 0.61) / k as f64 * (w[3] - w[1]);
                hits += u64::from(chans.iter().any(|c| in_capsule(c, x, y)));
            }
        }
        let truth = hits as f64 / (k * k) as f64;
        assert!(
            truth > 0.01,
            "{d}: window coverage {truth} too small to test"
        );
        assert!(
            (share - truth).abs() < 0.003,
            "{d}: picture {share} vs channels {truth}"
        );
        // pixel by pixel: pixel (i, j) shows the point at its centre, y up
        let mut wrong = 0;
        let mut tested = 0;
        for j in (0..ph).step_by(7) {
            for i in (0..pw).step_by(7) {
                let x = w[0] + (i as f64 + 0.5) / pw as f64 * 5.0;
                let y = w[3] - (j as f64 + 0.5) / ph as f64 * 5.0;
                tested += 1;
                wrong += usize::from(filled(i, j) != chans.iter().any(|c| in_capsule(c, x, y)));
            }
        }
        assert!(
            wrong * 1000 < tested,
            "{d}: {wrong} of {tested} pixels disagree with the channels"
        );
    }
}

/// Colour bars span the data drawn (the density bar: the mean ± 25 %; depth bars: at least
/// 10 µm wide).
#[test]
fn colour_bar_ends_are_the_data_range() {
    for d in ["mf8-192.toml", "skinpen-14.toml"] {
        let a = analysed(d);
        let pics = plot::render_all(&a).unwrap();
        let check = |name: &str, lo: f64, hi: f64| {
            let s = by_name(&pics, name)
                .scale
                .clone()
                .unwrap_or_else(|| panic!("{d} {name}: no colour bar"));
            assert_eq!((s.lo, s.hi), (lo, hi), "{d} {name}");
            let decimals = s.decimals;
            let show = |v: f64| needlemap::base::fmt::fmt_num(v, decimals);
            assert_eq!(s.labels[0], (lo, show(lo)), "{d} {name}: bottom label");
            if hi > lo {
                assert_eq!(s.labels[1], (hi, show(hi)), "{d} {name}: top label");
            }
            // every other label lies inside the range
            assert!(s.labels.iter().all(|(v, _)| *v >= lo && *v <= hi));
        };
        let m = a.maps.as_ref().unwrap();
        let fr: Vec<f64> = m
            .cell_covered
            .iter()
            .zip(&m.cell_px)
            .map(|(&c, &p)| c as f64 / p as f64)
            .collect();
        check(
            "coverage",
            fr.iter().copied().fold(1.0, f64::min),
            fr.iter().copied().fold(0.0, f64::max),
        );
        let t = a.design.analysis.tile_mm;
        let dens: Vec<f64> = a
            .tile_channels
            .0
            .iter()
            .map(|&n| n as f64 / (t * t / 100.0))
            .collect();
        // the density bar spans the mean ± 25 % (or the farthest tile): a few % of spread
        // reads as small
        let (lo, hi) = (
            dens.iter().copied().fold(f64::INFINITY, f64::min),
            dens.iter().copied().fold(0.0, f64::max),
        );
        let mean = dens.iter().sum::<f64>() / dens.len() as f64;
        let (a0, b0) = plot::density::scale_range(mean, lo, hi);
        assert!(a0 <= lo && b0 >= hi && b0 - a0 >= 0.5 * mean * (1.0 - 1e-12));
        check("density", a0, b0);
        // the depth map shows each cell's deepest insertion: the bar spans those maxima
        let area = a.design.treatment.area_mm;
        let cell = plot::depth::cell_mm(&a);
        let (ncx, ncy) = (
            (area[0] / cell).ceil() as i64 - 1,
            (area[1] / cell).ceil() as i64 - 1,
        );
        let mut deepest = std::collections::BTreeMap::<(i64, i64), f64>::new();
        for c in
            a.field.channels.iter().filter(|c| {
                c.x_mm >= 0.0 && c.x_mm <= area[0] && c.y_mm >= 0.0 && c.y_mm <= area[1]
            })
        {
            let at = (
                ((c.x_mm / cell).floor() as i64).min(ncx),
                ((c.y_mm / cell).floor() as i64).min(ncy),
            );
            let v = deepest.entry(at).or_insert(c.depth_mm);
            *v = v.max(c.depth_mm);
        }
        // (a spread under 10 µm is drawn on a bar 10 µm wide about its middle)
        let widened = |lo: f64, hi: f64| {
            let (a, b) = plot::colour::depth_span(lo, hi);
            assert!(a <= lo && b >= hi && (hi - lo >= 0.01 || hi == lo || b - a >= 0.01 - 1e-9));
            (a, b)
        };
        let (lo, hi) = widened(
            deepest.values().copied().fold(f64::INFINITY, f64::min),
            deepest.values().copied().fold(0.0, f64::max),
        );
        check("depth", lo, hi);
        let depth = by_name(&pics, "depth");
        assert!(depth.scale.as_ref().unwrap().unit.contains("per cell"));
        assert!(has_text(&depth.svg, |t| t.contains("deepest insertion per cell")));
        let reach: Vec<f64> = a.made.needles.iter().map(|n| n.depth_mm).collect();
        let (lo, hi) = widened(
            reach.iter().copied().fold(f64::INFINITY, f64::min),
            reach.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        );
        check("needles", lo, hi);
    }
}

#[test]
fn region_pictures_are_drawn_at_equal_scale() {
    let mut d = Design::load(&design("mf8-192.toml")).unwrap();
    d.treatment.area_mm = [30.0, 12.0];
    let a = analysis::analyze(&d, &Silent).unwrap();
    for p in plot::render_all(&a).unwrap() {
        // the needle table and the strength map (length against diameter) are no regions
        if ["needles", "strength"].contains(&p.name) {
            continue;
        }
        let ((_, _, pw, ph), w) = p.plot.unwrap();
        let sx = pw as f64 / (w[2] - w[0]);
        let sy = ph as f64 / (w[3] - w[1]);
        assert!(
            (sx / sy - 1.0).abs() < 0.005,
            "{}: {sx} px/mm across, {sy} px/mm up",
            p.name
        );
    }
}

#[test]
fn reruns_and_thread_counts_give_identical_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    analyze_into(a.path(), &design("pen-12-110.toml"), "1");
    analyze_into(b.path(), &design("pen-12-110.toml"), "2");
    for name in PICTURES {
        for ext in ["png", "svg"] {
            let f = format!("pen-12-110/{name}.{ext}");
            let x = std::fs::read(a.path().join(&f)).unwrap();
            let y = std::fs::read(b.path().join(&f)).unwrap();
            assert!(x == y, "{f} differs between runs with 1 and 2 threads");
        }
    }
}

#[test]
fn no_plots_writes_no_picture() {
    let dir = tempfile::tempdir().unwrap();
    run(&[
        "analyze".as_ref(),
        design("pen-11-90.toml").as_os_str(),
        "--out".as_ref(),
        dir.path().as_os_str(),
        "--quiet".as_ref(),
        "--no-plots".as_ref(),
    ]);
    let files: Vec<String> = std::fs::read_dir(dir.path().join("pen-11-90"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert!(
        files
            .iter()
            .all(|f| !f.ends_with(".png") && !f.ends_with(".svg")),
        "{files:?}"
    );
    assert!(files.contains(&"summary.csv".to_string()));
}

#[test]
fn layout_prints_the_table_and_writes_the_needle_files_only() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = run(&[
        "layout".as_ref(),
        design("mf8-192.toml").as_os_str(),
        "--out".as_ref(),
        dir.path().as_os_str(),
    ]);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("mf8-192"));
    let head: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(
        head,
        ["needle", "ring", "axial_mm", "angle_deg", "length_mm"]
    );
    // 192 needles: the last row is needle 191 on ring 7 at +8.75 mm
    let last: Vec<&str> = lines.last().unwrap().split_whitespace().collect();
    assert_eq!(last[..3], ["191", "7", "8.7500"]);
    assert_eq!(lines.len(), 3 + 192);
    let mut files: Vec<String> = std::fs::read_dir(dir.path().join("mf8-192"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "needlemap-manifest.json",
            "needles.csv",
            "needles.png",
            "needles.svg"
        ]
    );
    files.retain(|f| f != "needlemap-manifest.json");
    // the same needles.csv and needle picture as analyze writes
    let full = tempfile::tempdir().unwrap();
    analyze_into(full.path(), &design("mf8-192.toml"), "2");
    for f in files {
        let x = std::fs::read(dir.path().join("mf8-192").join(&f)).unwrap();
        let y = std::fs::read(full.path().join("mf8-192").join(&f)).unwrap();
        assert!(x == y, "{f} differs between layout and analyze");
    }
    let img = image::open(dir.path().join("mf8-192/needles.png")).unwrap();
    assert!(img.width() >= 1200);
}

#[test]
fn layout_of_a_pen_lists_along_and_across() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = run(&[
        "layout".as_ref(),
        design("pen-12-110.toml").as_os_str(),
        "--out".as_ref(),
        dir.path().as_os_str(),
    ]);
    let head: Vec<&str> = stdout.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(head, ["needle", "along_mm", "across_mm"]);
    assert_eq!(stdout.lines().count(), 3 + 12);
    let csv = std::fs::read_to_string(dir.path().join("pen-12-110/needles.csv")).unwrap();
    assert_eq!(csv.lines().next(), Some("needle,along_mm,across_mm"));
}

#[test]
fn layout_rejects_a_bad_design_with_exit_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.toml");
    std::fs::write(&f, "name = \"x\"\nkind = \"drum\"\n").unwrap();
    let out_dir = dir.path().join("out");
    let out = Command::cargo_bin("needlemap")
        .unwrap()
        .arg("layout")
        .arg(&f)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.toml"));
    assert!(!out_dir.exists());
}

/// Every `<text>` of an SVG: x, y and content.
fn svg_texts(svg: &[u8]) -> Vec<(f64, f64, String)> {
    let s = std::str::from_utf8(svg).unwrap();
    let doc = roxmltree::Document::parse(s).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            let at = |k: &str| {
                n.attribute(k)
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(f64::NAN)
            };
            (at("x"), at("y"), n.text().unwrap_or("").trim().to_string())
        })
        .collect()
}

fn has_text(svg: &[u8], pred: impl Fn(&str) -> bool) -> bool {
    svg_texts(svg).iter().any(|(_, _, t)| pred(t))
}

/// The compare picture keeps its colour bar, labels and unit inside the canvas, labels the
/// bar 0–100 %, and states the seed and raster pitch.
#[test]
fn compare_picture_has_its_whole_colour_bar_and_states_seed_and_pitch() {
    let (a, b) = (analysed("mf8-192.toml"), analysed("pen-12-110.toml"));
    let p = plot::compare::render(&[&a, &b], &[]).unwrap();
    let img = image::load_from_memory(&p.png).unwrap().to_rgb8();
    assert_eq!((img.width(), img.height()), p.size);
    // nothing is drawn in the last 10 columns beside the maps: the bar's labels end before
    // the edge (the metric bars below, 300 px, reach their own margin)
    let (w, h) = p.size;
    for x in w - 10..w {
        for y in 0..h - 300 {
            assert_eq!(
                *img.get_pixel(x, y),
                image::Rgb([255, 255, 255]),
                "pixel ({x}, {y}) at the right edge is drawn on"
            );
        }
    }
    let s = p.scale.clone().expect("a colour bar");
    assert_eq!((s.lo, s.hi), (0.0, 100.0));
    assert!(s.labels.iter().any(|(v, t)| *v == 100.0 && t == "100"));
    // the bar's gradient is in the picture, to the right of the maps
    let texts = svg_texts(&p.svg);
    let unit = texts
        .iter()
        .find(|t| t.2 == s.unit)
        .expect("the bar's unit");
    assert!(
        unit.0 > (w / 2) as f64 && unit.0 < (w - 150) as f64,
        "{unit:?}"
    );
    let pitch = plot::text::tick(a.grid.pitch_mm * 1000.0);
    assert!(
        has_text(&p.svg, |t| t.contains(&format!(
            "seed {} · raster pitch {pitch} µm",
            a.design.treatment.seed
        ))),
        "seed and pitch in the subtitle"
    );
}

/// The sweep picture's subtitle states the seed and the raster pitch the sweep ran at; its
/// bytes do not depend on the thread count.
#[test]
fn sweep_picture_states_seed_and_pitch() {
    let sweep_into = |threads: &str| {
        let dir = tempfile::tempdir().unwrap();
        run(&[
            "sweep".as_ref(),
            design("sweeps/mf8-length-rings.toml").as_os_str(),
            "--out".as_ref(),
            dir.path().as_os_str(),
            "--resolution-um".as_ref(),
            "80".as_ref(),
            "--seed".as_ref(),
            "7".as_ref(),
            "--threads".as_ref(),
            threads.as_ref(),
            "--quiet".as_ref(),
        ]);
        let read = |f: &str| std::fs::read(dir.path().join("mf8-length-rings").join(f)).unwrap();
        (read("sweep.png"), read("sweep.svg"))
    };
    let (png, svg) = sweep_into("2");
    assert!(
        has_text(&svg, |t| t
            == "seed 7 · raster pitch 80 µm · base design mf8-192"),
        "{:?}",
        svg_texts(&svg)
    );
    let img = image::load_from_memory(&png).unwrap();
    assert_eq!((img.width(), img.height()), plot::sweep::SIZE);
    assert!(
        sweep_into("1") == (png, svg),
        "sweep picture differs between 1 and 2 threads"
    );
}

/// A map of equal tiles still shows its tiles: a border between every two tiles, each tile's
/// value written on it.
#[test]
fn a_uniform_density_map_reads_as_tiles() {
    let a = analysed("pen-12-110.toml");
    let p = plot::density::render(&a).unwrap();
    let s = p.scale.clone().unwrap();
    let dens = plot::density::tile_densities(&a);
    assert!(
        dens.iter().all(|&d| d == dens[0]),
        "pen-12-110 is expected to be uniform"
    );
    // the scale centres the one value: the mean ± 25 %
    assert!((s.lo - 0.75 * dens[0]).abs() < 1e-9 && (s.hi - 1.25 * dens[0]).abs() < 1e-9);
    let ((px0, py0, pw, _), w) = p.plot.unwrap();
    let (_, ntx, nty) = a.tile_channels;
    let t = a.design.analysis.tile_mm;
    assert!(ntx as f64 * t >= w[2] - 1e-9, "no partial strip in x");
    let img = image::load_from_memory(&p.png).unwrap().to_rgb8();
    // a row a fifth of a tile below the top: clear of the values written at tile centres
    let tile_px = pw as f64 / (w[2] - w[0]) * t;
    let y = py0 as u32 + (tile_px * 0.2) as u32;
    let border = image::Rgb(plot::density::TILE_BORDER);
    let row: Vec<bool> = (0..pw)
        .map(|i| *img.get_pixel(px0 as u32 + i, y) == border)
        .collect();
    let runs = row.windows(2).filter(|w| w[1] && !w[0]).count() + usize::from(row[0]);
    assert_eq!(runs, ntx - 1, "one border between every two tiles");
    // and between the borders one flat colour, not the border's
    let inside: Vec<_> = (0..pw)
        .filter(|&i| !row[i as usize])
        .map(|i| *img.get_pixel(px0 as u32 + i, y))
        .collect();
    assert!(inside.iter().all(|c| *c == inside[0] && *c != border));
    let value = plot::text::num(dens[0], 0);
    let written = svg_texts(&p.svg).iter().filter(|t| t.2 == value).count();
    assert_eq!(written, ntx * nty, "every tile's value written on it");
}

/// The detail legend says what the colours are: the pass angle, each angle listed with its
/// number of passes.
#[test]
fn detail_legend_names_pass_angles() {
    let a = analysed("mf8-192.toml");
    let p = plot::detail::render(&a).unwrap();
    assert!(has_text(&p.svg, |t| t == "colour = pass angle"));
    assert!(!has_text(&p.svg, |t| t.contains("by pass")));
    let angles = &a.design.treatment.pass_angles_deg;
    let mut seen: Vec<f64> = Vec::new();
    for &g in angles {
        if seen.contains(&g) {
            continue;
        }
        seen.push(g);
        let n = angles.iter().filter(|&&x| x == g).count();
        let want = format!("{}°  ({n} passes)", plot::text::tick(g));
        assert!(has_text(&p.svg, |t| t == want), "legend entry {want}");
    }
    assert!(seen.len() > 1, "the design has several pass angles");
}

/// The cartridge is drawn seen from above, the across axis increasing upward.
#[test]
fn pen_cartridge_is_seen_from_above_with_across_upward() {
    let d = Design::load(&design("pen-12-110.toml")).unwrap();
    let p = plot::needles::render(&d).unwrap();
    let texts = svg_texts(&p.svg);
    assert!(texts.iter().any(|t| t.2.contains("seen from above")));
    let ((px0, _, _, _), _) = p.plot.unwrap();
    // the y tick labels, left of the plot: larger values higher up
    let mut ticks: Vec<(f64, f64)> = texts
        .iter()
        .filter(|t| t.0 < px0 as f64)
        .filter_map(|t| t.2.parse::<f64>().ok().map(|v| (t.1, v)))
        .collect();
    ticks.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(ticks.len() >= 3, "{ticks:?}");
    assert!(
        ticks.windows(2).all(|w| w[1].1 < w[0].1),
        "across must increase upward: {ticks:?}"
    );
    // the picture's window is the needles' across range, not its mirror
    let Device::Pen(pen) = &d.device else {
        panic!("a pen")
    };
    let top = pen
        .needles
        .iter()
        .map(|n| n.across_mm)
        .fold(f64::MIN, f64::max);
    let w = p.plot.unwrap().1;
    assert!(w[3] > top && w[1] < top);
}

/// A long description with a line break is put on one line and shortened, and the region,
/// passes and seed stay on the title block.
#[test]
fn a_long_description_keeps_region_passes_and_seed_visible() {
    let mut d = Design::load(&design("pen-12-110.toml")).unwrap();
    d.description = format!("line one\nline two {}", "more words ".repeat(60));
    let a = analysis::analyze(&d, &Silent).unwrap();
    let p = plot::coverage::render(&a).unwrap();
    let texts = svg_texts(&p.svg);
    let line = texts
        .iter()
        .find(|t| t.2.starts_with("line one"))
        .expect("the design line");
    assert!(line.2.starts_with("line one line two more"), "{}", line.2);
    assert!(line.2.contains('…'), "{}", line.2);
    assert!(line.2.contains("40 × 40 mm region · passes"), "{}", line.2);
    assert!(
        line.2.ends_with(&format!("seed {}", d.treatment.seed)),
        "{}",
        line.2
    );
    assert!(texts.iter().all(|t| !t.2.contains('\n')));
    assert!(plot::text::width(&line.2, 20) + line.0 as u32 <= p.size.0);
}

/// The Monte Carlo picture's coverage-probability map is a region map: placed by mm at equal
/// scale with y = 0 at the bottom, mm axes, and a colour bar "fraction of runs covered" over
/// the cells' range. A map set by hand (covered in every run left of x = 10 mm and below
/// y = 3 mm, never elsewhere) must show exactly that.
#[test]
fn mc_map_is_placed_in_mm_with_axes_and_a_labelled_bar() {
    use needlemap::studies::mc::Study;
    let mut d = Design::load(&design("mf8-192.toml")).unwrap();
    d.treatment.area_mm = [30.0, 12.0];
    d.spec.clear();
    // 10 µm raster: 3000 × 1200 pixels in cells of 3 × 3 (at most 1000 cells a side)
    let (ncx, ncy, cell_mm) = (1000, 400, 0.03);
    let mut v = vec![0.0; ncx * ncy];
    for r in 0..ncy {
        for c in 0..ncx {
            let (x, y) = ((c as f64 + 0.5) * cell_mm, (r as f64 + 0.5) * cell_mm);
            if x < 10.0 && y < 3.0 {
                v[r * ncx + c] = 1.0;
            }
        }
    }
    let s = Study {
        design: d,
        runs: vec![],
        summaries: vec![],
        coverage_map: Some((v, ncx, ncy)),
        yield_: None,
    };
    let p = plot::mc::render(&s).unwrap();
    let ((px0, py0, pw, ph), w) = p.plot.expect("the map's frame");
    assert_eq!(w, [0.0, 0.0, 30.0, 12.0]);
    let (sx, sy) = (pw as f64 / 30.0, ph as f64 / 12.0);
    assert!((sx / sy - 1.0).abs() < 0.005, "{sx} vs {sy} px/mm");
    let img = image::load_from_memory(&p.png).unwrap().to_rgb8();
    assert_eq!((img.width(), img.height()), p.size);
    let at = |x: f64, y: f64| {
        let i = px0 as f64 + x * sx;
        let j = py0 as f64 + (12.0 - y) * sy;
        *img.get_pixel(i as u32, j as u32)
    };
    let (dark, pale) = (
        image::Rgb(plot::colour::COVERAGE.at(1.0)),
        image::Rgb(plot::colour::COVERAGE.at(0.0)),
    );
    assert_eq!(at(5.0, 1.5), dark, "lower left is covered in every run");
    assert_eq!(at(9.7, 2.7), dark);
    assert_eq!(at(10.3, 1.5), pale, "right of x = 10 mm: never");
    assert_eq!(at(5.0, 3.3), pale, "above y = 3 mm: never");
    assert_eq!(at(25.0, 10.0), pale);
    let scale = p.scale.clone().expect("a colour bar");
    assert_eq!((scale.lo, scale.hi), (0.0, 1.0));
    assert_eq!(scale.unit, "fraction of runs covered");
    for t in [
        "fraction of runs covered",
        "x (mm)",
        "y (mm)",
        "0",
        "10",
        "30",
    ] {
        assert!(
            has_text(&p.svg, |s| s == t),
            "no text {t:?} in the mc picture"
        );
    }
}

/// A real study: the bar's ends are the range of the study's map, the map is one embedded
/// image of the plot's size, and nothing reaches the picture's right edge.
#[test]
fn mc_picture_of_a_study_labels_its_map_range() {
    let mut d = Design::load(&design("mf8-192.toml")).unwrap();
    d.analysis.resolution_um = 20.0;
    let s = needlemap::studies::mc::study(&d, 3, &Silent).unwrap();
    let p = plot::mc::render(&s).unwrap();
    let (v, _, _) = s.coverage_map.as_ref().unwrap();
    let scale = p.scale.clone().unwrap();
    assert_eq!(
        (scale.lo, scale.hi),
        (
            v.iter().copied().fold(f64::INFINITY, f64::min),
            v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        )
    );
    // every value is a whole number of the 3 runs
    assert!(v
        .iter()
        .all(|x| (x * 3.0 - (x * 3.0).round()).abs() < 1e-12));
    let text = std::str::from_utf8(&p.svg).unwrap();
    let doc = roxmltree::Document::parse(text).unwrap();
    let (_, _, pw, ph) = p.plot.unwrap().0;
    let maps = doc
        .descendants()
        .filter(|n| {
            n.has_tag_name("image")
                && n.attribute("width") == Some(pw.to_string().as_str())
                && n.attribute("height") == Some(ph.to_string().as_str())
        })
        .count();
    assert_eq!(maps, 1, "the map is one embedded image");
    let img = image::load_from_memory(&p.png).unwrap().to_rgb8();
    let (w, h) = p.size;
    for x in w - 10..w {
        for y in 0..h {
            assert_eq!(
                *img.get_pixel(x, y),
                image::Rgb([255, 255, 255]),
                "({x}, {y})"
            );
        }
    }
    assert!(has_text(&p.svg, |t| t.contains("seeds 1–3")));
}

#[test]
fn strength_picture_maps_the_smallest_factor_and_marks_the_design() {
    use needlemap::metrics::integrity;
    use needlemap::output::plot::strength::{self, DIAMETER_CELLS, LENGTH_CELLS};
    for name in [
        "mf8-192.toml",
        "pen-12-110.toml",
        "stamp-35.toml",
        "home-0.2.toml",
    ] {
        let a = analysed(name);
        let m = strength::strength_map(&a).unwrap();
        let (l, d, f) = m.design;
        assert!(m.length_mm.0 < l && l < m.length_mm.1, "{name}");
        assert!(m.diameter_mm.0 < d && d < m.diameter_mm.1, "{name}");
        // the mark carries the device's smallest factor of any kind
        let i = &a.integrity;
        let smallest = [
            i.min_buckling_safety_factor(),
            i.min_bending_safety_factor(),
            i.fatigue_safety_factor(),
        ]
        .into_iter()
        .flatten()
        .fold(f64::INFINITY, f64::min);
        assert_eq!(f, smallest, "{name}");
        // and the map, evaluated at the design's own needle, gives it back
        let (_, w) = integrity::governing(i).unwrap();
        let at = integrity::factor_at(&a.design, w, l, d).unwrap();
        assert!((at / f - 1.0).abs() < 1e-3, "{name}: {at} against {f}");
        // thicker needles are never weaker, and the map shows where the factor drops under 2
        for c in 0..LENGTH_CELLS {
            let col: Vec<f64> = (0..DIAMETER_CELLS).filter_map(|r| m.at(c, r)).collect();
            assert!(
                col.windows(2).all(|p| p[1] >= p[0] * (1.0 - 1e-9)),
                "{name} {c}: {col:?}"
            );
        }
        assert!(m.factors.iter().flatten().any(|v| *v < 2.0), "{name}");
        assert!(m.factors.iter().flatten().any(|v| *v >= 2.0), "{name}");
        let p = strength::render(&a).unwrap();
        let s = p.scale.unwrap();
        assert_eq!((s.lo, s.hi), (0.0, strength::SCALE_TOP));
        let img = image::load_from_memory(&p.png).unwrap();
        assert_eq!((img.width(), img.height()), p.size);
        let svg = std::str::from_utf8(&p.svg).unwrap();
        assert!(svg.contains("this design:"), "{name}");
    }
}
