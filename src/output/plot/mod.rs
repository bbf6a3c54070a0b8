//! Pictures for manufacturing review: what the treatment does to the region and what the
//! device looks like, as PNG and SVG files a reviewer reads without the CSVs.
//!
//! | picture | shows |
//! |---|---|
//! | `coverage` | share of each map cell inside an opening, the largest untreated disc, the detail window |
//! | `density` | channels per cm² in each whole tile |
//! | `depth` | deepest insertion per map cell, on a depth ruler with the skin layers |
//! | `detail` | a 5 × 5 mm window at true scale, every opening drawn as its real capsule |
//! | `needles` | roller: the unrolled drum surface; pen: the cartridge seen from above |
//! | `strength` | the smallest safety factor against needle length and diameter, the design marked ([`strength`]) |
//! | `compare` | designs' coverage maps on one scale, key metrics as bars ([`compare`]) |
//! | `sweep` | one metric over a sweep's varied keys ([`sweep`]) |
//!
//! Every picture has a title with the design name and its key figures, axes in mm (the region
//! and the detail window at equal x/y scale), and a drawn colour bar whose end labels are the
//! data range ([`Picture::scale`]). Heatmaps are filled into an RGB buffer in parallel and
//! blitted once, so an SVG embeds one image, not a rectangle per cell. Large regions are
//! downsampled for the picture only: the metrics are computed before and never from pictures.
//! Rendering is deterministic: the same analysis gives the same bytes.
//!
//! One pipeline draws them all: each picture is a [`encode::Figure`] drawn and encoded by
//! [`encode::render`]; [`text`] holds the font and formatting, [`colour`] the one palette and
//! the one colour map per quantity, [`frame`] the region maps' placement and axes.
//!
//! # Examples
//! ```no_run
//! use needlemap::{base::progress::Silent, design::Design, metrics::analysis, output::plot};
//! let d = Design::load("designs/mf8-192.toml".as_ref()).unwrap();
//! let a = analysis::analyze(&d, &Silent).unwrap();
//! let files = plot::write_all(&a, "out/mf8-192".as_ref()).unwrap();
//! assert_eq!(files.len(), 10);
//! ```

pub mod canvas;
pub mod colour;
pub mod compare;
pub mod coverage;
pub mod density;
pub mod depth;
pub mod detail;
pub mod encode;
pub mod frame;
pub mod mc;
pub mod needles;
pub mod pareto;
pub mod pitch;
pub mod strength;
pub mod sweep;
pub mod text;

use crate::design::Design;
use crate::metrics::analysis::Analysis;
pub use colour::ColourScale;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// A picture could not be made or written.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// Drawing failed (a defect, or a font that cannot be used).
    #[error("cannot draw the {picture} picture: {message}")]
    Draw {
        /// Which picture.
        picture: &'static str,
        /// What plotters or the encoder said.
        message: String,
    },
    /// The file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
}

/// One rendered picture, with what a test or a reader needs to check it against the data.
#[derive(Clone, Debug)]
pub struct Picture {
    /// File stem: `coverage`, `density`, `depth`, `detail`, `needles`, `strength`.
    pub name: &'static str,
    /// PNG bytes.
    pub png: Vec<u8>,
    /// SVG bytes.
    pub svg: Vec<u8>,
    /// Canvas size, px (PNG pixels and SVG user units).
    pub size: (u32, u32),
    /// The colour bar's range and labels, if the picture has one.
    pub scale: Option<ColourScale>,
    /// The plot's pixel rectangle (left, top, width, height) and the mm window it shows, for
    /// pictures drawn at equal x/y scale.
    pub plot: Option<(frame::Rect, [f64; 4])>,
}

impl Picture {
    fn draw_error(picture: &'static str) -> impl Fn(String) -> PlotError {
        move |message| PlotError::Draw { picture, message }
    }

    /// Draws and encodes a region picture named `name`.
    fn of_region<T: frame::Overlay>(
        name: &'static str,
        fig: &frame::Region<T>,
    ) -> Result<Picture, PlotError> {
        let (png, svg, scale) =
            encode::render(fig, fig.frame.canvas).map_err(Picture::draw_error(name))?;
        Ok(Picture {
            name,
            png,
            svg,
            size: fig.frame.canvas,
            scale,
            plot: Some((fig.frame.plot, fig.frame.window_mm)),
        })
    }
}

/// What a design picture's caption says.
#[derive(Clone, Copy, Debug)]
pub enum Caption {
    /// These words.
    Fixed(&'static str),
    /// The device kind's words for its needle picture.
    Device,
}

/// One picture every analyzed design gets: its file stem, its caption and how it is drawn.
#[derive(Clone, Copy)]
pub struct DesignPicture {
    /// File stem (`coverage` → coverage.png, coverage.svg) and [`Picture::name`].
    pub name: &'static str,
    /// What it shows, for the review page's caption.
    pub caption: Caption,
    /// Draws it.
    pub render: fn(&Analysis) -> Result<Picture, PlotError>,
}

impl DesignPicture {
    /// The caption for a design with `device`.
    pub fn caption(&self, device: &crate::design::Device) -> &'static str {
        match self.caption {
            Caption::Fixed(s) => s,
            Caption::Device => device.kind_of().needles_caption(),
        }
    }
}

/// The registry of a design's pictures, in the order they are written and shown.
pub const DESIGN_PICTURES: &[DesignPicture] = &[
    DesignPicture {
        name: "coverage",
        caption: Caption::Fixed("share of each cell inside an opening, the largest untreated disc"),
        render: coverage::render,
    },
    DesignPicture {
        name: "density",
        caption: Caption::Fixed("channels per cm² in each whole tile"),
        render: density::render,
    },
    DesignPicture {
        name: "depth",
        caption: Caption::Fixed("deepest channel per cell on the skin layers' depth ruler"),
        render: depth::render,
    },
    DesignPicture {
        name: "detail",
        caption: Caption::Fixed("5 × 5 mm window at true scale: the openings' real shape"),
        render: detail::render,
    },
    DesignPicture {
        name: "needles",
        caption: Caption::Device,
        render: |a| needles::render(&a.design),
    },
    DesignPicture {
        name: "strength",
        caption: Caption::Fixed("smallest safety factor against needle length and diameter, for the design's material and the loads of the needle that sets it; black line: factor 2; the design marked"),
        render: strength::render,
    },
];

/// The registered picture named `name`.
pub fn design_picture(name: &str) -> Option<&'static DesignPicture> {
    DESIGN_PICTURES.iter().find(|p| p.name == name)
}

/// Renders every picture of an analysis (in parallel; the result does not depend on it).
pub fn render_all(a: &Analysis) -> Result<Vec<Picture>, PlotError> {
    DESIGN_PICTURES.par_iter().map(|p| (p.render)(a)).collect()
}

/// Writes `<name>.png` and `<name>.svg` of every picture into `dir`, each atomically; returns
/// the files written.
pub fn write_all(a: &Analysis, dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    write_pictures(&render_all(a)?, dir)
}

/// Writes only the needle picture of a design (no analysis needed).
pub fn write_needles(design: &Design, dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    write_pictures(&[needles::render(design)?], dir)
}

/// Writes rendered pictures into `dir` (temporary name, then rename).
pub fn write_pictures(pics: &[Picture], dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    let mut out = Vec::with_capacity(2 * pics.len());
    for p in pics {
        for (ext, bytes) in [("png", &p.png), ("svg", &p.svg)] {
            let path = dir.join(format!("{}.{ext}", p.name));
            crate::base::outdir::write_atomic(&path, bytes).map_err(|source| PlotError::Write {
                path: path.clone(),
                source,
            })?;
            out.push(path);
        }
    }
    Ok(out)
}

/// Short form of a design's key figures for titles: "3667 channels · 229.2 /cm² · …".
pub(crate) fn key_figures(a: &Analysis) -> String {
    let m = &a.metrics;
    let pct = |v: Option<f64>| {
        v.map_or("—".to_string(), |x| {
            format!("{} %", text::num(100.0 * x, 1))
        })
    };
    let mm = |v: Option<f64>| v.map_or("—".to_string(), |x| format!("{} mm", text::num(x, 2)));
    format!(
        "{} channels · {} /cm² · coverage {} · treated {} · largest gap {} · mean depth {}",
        m.channels,
        text::num(m.density_per_cm2, 1),
        pct(m.coverage_fraction),
        pct(m.treated_fraction),
        mm(m.max_gap_mm),
        mm(m.mean_depth_mm)
    )
}

/// The design line of a region picture's title block: "description · 40 × 40 mm region ·
/// passes 5 × 0°, … · seed 1". The description is put on one line and shortened with "…" so
/// that the region, passes and seed always fit on the canvas.
pub(crate) fn design_line(d: &Design) -> String {
    let t = &d.treatment;
    let passes: Vec<String> = t
        .pass_groups
        .iter()
        .map(|(g, n)| format!("{n} × {}°", text::tick(*g)))
        .collect();
    let built = d.as_built.as_ref().map_or(String::new(), |ab| {
        let file = ab.path.file_name().unwrap_or_default().to_string_lossy();
        format!(" · as built: {}", crate::base::input::clip(&file))
    });
    let rest = format!(
        " · {} × {} mm region · passes {} · seed {}{built}",
        text::tick(t.area_mm[0]),
        text::tick(t.area_mm[1]),
        passes.join(", "),
        t.seed
    );
    let room = TITLE_LINE_PX.saturating_sub(text::width(&rest, TITLE_TEXT_PX));
    format!("{}{rest}", text::fit(&d.description, TITLE_TEXT_PX, room))
}

/// Widest line of a region picture's title block, px.
pub(crate) const TITLE_LINE_PX: u32 = frame::CANVAS_W - 48;
/// Size of the title block's text lines, px.
pub(crate) const TITLE_TEXT_PX: u32 = 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_picture_renders_under_its_own_name() {
        let d = Design::load("designs/stamp-35.toml".as_ref()).unwrap();
        let a = crate::metrics::analysis::analyze(&d, &crate::base::progress::Silent).unwrap();
        let pics = render_all(&a).unwrap();
        assert_eq!(pics.len(), DESIGN_PICTURES.len());
        for (p, r) in pics.iter().zip(DESIGN_PICTURES) {
            assert_eq!(p.name, r.name);
            assert!(
                !r.caption(&d.device).is_empty(),
                "{} has no caption",
                r.name
            );
        }
    }

    #[test]
    fn a_long_description_leaves_region_passes_and_seed_on_the_line() {
        let mut d = Design::load("designs/mf8-192.toml".as_ref()).unwrap();
        d.description = format!("first line\nsecond {}", "very long words ".repeat(40));
        let l = design_line(&d);
        assert!(!l.contains('\n'), "{l}");
        assert!(l.starts_with("first line second"), "{l}");
        assert!(l.contains('…'), "{l}");
        assert!(l.ends_with(&format!("seed {}", d.treatment.seed)), "{l}");
        assert!(l.contains("mm region · passes"), "{l}");
        assert!(text::width(&l, TITLE_TEXT_PX) <= TITLE_LINE_PX, "{l}");
    }
}
