//! Typed errors of the library. Each names the file, and where one is at fault the line,
//! the key, the offending value and what would be valid.

use std::path::PathBuf;

/// A design, sweep or baseline file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file could not be read (missing, not a regular file, too large, no permission).
    /// The OS's reason is the error's `source()`, not repeated in its message, so a report
    /// that prints the chain (`{:#}` of anyhow) says it once.
    #[error("{path}: cannot read")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The file has no content.
    #[error("{path}: the file is empty; {what}")]
    Empty {
        /// The file.
        path: PathBuf,
        /// What the file needs at the least.
        what: &'static str,
    },
    /// The file is not UTF-8.
    #[error("{path}: not UTF-8 text (invalid byte at offset {offset}); design files are TOML, which is UTF-8")]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// TOML syntax or schema error; toml's message carries line, column and a caret.
    #[error("{path}: {message}")]
    Toml {
        /// The file.
        path: PathBuf,
        /// 1-based line of the fault, where the parser knows it.
        line: Option<usize>,
        /// 1-based column of the fault, where the parser knows it.
        column: Option<usize>,
        /// toml's message.
        message: String,
    },
    /// A value that parsed but is not valid.
    #[error("{path}:{line}:{column}: `{key}` = {value}: {problem}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line of the key.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Dotted key.
        key: String,
        /// The value as written.
        value: String,
        /// What is wrong and what would be valid.
        problem: String,
    },
    /// A folder argument with no design in it, or a path that does not exist.
    #[error("{path}: {problem}")]
    Path {
        /// The path given.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
}

/// Work refused up front because it would exhaust memory or time.
#[derive(Debug, thiserror::Error)]
pub enum LimitError {
    /// Too many channels.
    #[error("{design}: the treatment would make {} channels (the simulated field is the region plus a {margin_mm:.1} mm margin); the limit is {limit}. {}", about(*estimated), channel_advice(*fit_side_mm))]
    Channels {
        /// Design name.
        design: String,
        /// Estimated channel count.
        estimated: u64,
        /// The limit.
        limit: u64,
        /// Field margin used.
        margin_mm: f64,
        /// Side of a square region that would fit.
        fit_side_mm: f64,
    },
    /// Too many pixels.
    #[error("{design}: a {} × {} mm region at {} µm is {} pixels; the limit is {limit}. Use --resolution-um {} or coarser", short(*lx_mm), short(*ly_mm), short(*resolution_um), about(*pixels), short(*fit_um))]
    Pixels {
        /// Design name.
        design: String,
        /// Region size.
        lx_mm: f64,
        /// Region size.
        ly_mm: f64,
        /// Requested pitch.
        resolution_um: f64,
        /// Pixels requested.
        pixels: u64,
        /// The limit.
        limit: u64,
        /// The finest pitch that fits.
        fit_um: f64,
    },
    /// A raster too coarse for the region: fewer than [`MIN_PIXELS_ACROSS`] pixels across a side.
    #[error("{design}: a {resolution_um} µm raster puts only {across} pixel(s) across the {side_mm} mm side of the region, too few to measure coverage or gaps; use a pitch of at most {fit_um} µm")]
    Coarse {
        /// Design name.
        design: String,
        /// Requested pitch.
        resolution_um: f64,
        /// Pixels across the shorter side.
        across: u64,
        /// The shorter side, mm.
        side_mm: f64,
        /// The coarsest pitch that fits.
        fit_um: f64,
    },
}

/// Fewest pixels across each side of the region.
pub const MIN_PIXELS_ACROSS: u64 = 8;

/// A count estimated in floating point and saturated into a `u64`, in words: exact up to a
/// trillion, beyond that only "more than a trillion" (u64::MAX is no estimate).
fn about(n: u64) -> String {
    const TRILLION: u64 = 1_000_000_000_000;
    if n > TRILLION {
        "more than a trillion (10^12)".to_string()
    } else {
        format!("about {n}")
    }
}

/// A value from a file for a message: plain when of ordinary size, else in e-notation
/// (`1e300`, not three hundred digits).
fn short(x: f64) -> String {
    if x.is_finite() && (x == 0.0 || (1e-6..1e9).contains(&x.abs())) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// What to change when the channels do not fit: a smaller region while one can fit, else the
/// density itself.
fn channel_advice(fit_side_mm: f64) -> String {
    if fit_side_mm >= 1.0 {
        format!("Shrink treatment.area_mm to about {fit_side_mm:.0} × {fit_side_mm:.0} mm or use fewer passes")
    } else {
        "Even a 1 mm region is too dense: use fewer passes, a wider treatment.lane_spacing_mm or fewer needles".to_string()
    }
}

/// Line and column (1-based) of byte `offset` in `src`.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(offset, |nl| offset - nl - 1) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let s = "a = 1\nbb = 2\n";
        assert_eq!(line_col(s, 0), (1, 1));
        assert_eq!(line_col(s, 6), (2, 1));
        assert_eq!(line_col(s, 9), (2, 4));
    }

    #[test]
    fn saturated_counts_and_huge_values_read_sensibly() {
        assert_eq!(about(u64::MAX), "more than a trillion (10^12)");
        assert_eq!(about(25_000_000), "about 25000000");
        assert_eq!(short(1e300), "1e300");
        assert_eq!(short(12.34), "12.34");
        assert_eq!(short(0.0), "0");
    }
}
