//! Where things go on a region picture: the plot at equal x/y scale ([`RegionFrame`]), its mm
//! axes, the base every region figure shares ([`region_base`]), and the parallel fill of the
//! heatmap raster.

use super::canvas::Root;
use super::canvas::{blit, err, frame_rect, DResult};
use super::encode::Drawn;
use super::encode::Figure;
use super::text::{text, tick, title};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Canvas width of the region pictures, px.
pub const CANVAS_W: u32 = 1440;
/// Longest side of a region's plot, px.
pub const PLOT_MAX: u32 = 1000;
/// Left edge of a region's plot, px (room for the y tick labels and axis name).
pub const PLOT_LEFT: i32 = 120;
/// Top edge of a region's plot, px (room for the title block).
pub const PLOT_TOP: i32 = 150;
/// Height of the x tick label area, px.
pub const X_LABEL_H: u32 = 80;
/// Width of the y tick label area, px.
pub const Y_LABEL_W: u32 = 100;

pub use super::canvas::Rect;

/// Where a region picture puts its plot: equal x/y scale, the longer side [`PLOT_MAX`] px.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RegionFrame {
    /// The plot (the region) in canvas pixels.
    pub plot: Rect,
    /// Canvas size, px.
    pub canvas: (u32, u32),
    /// Region covered by the plot, mm: x0, y0, x1, y1.
    pub window_mm: [f64; 4],
}

impl RegionFrame {
    /// The frame for the window [x0, x1] × [y0, y1] mm on a region picture's own canvas.
    pub fn new(window_mm: [f64; 4]) -> RegionFrame {
        let f = RegionFrame::placed((PLOT_LEFT, PLOT_TOP), PLOT_MAX, window_mm);
        // room for the plot and its x axis, and for the colour bar and legends at its right
        let height = PLOT_TOP as u32 + (f.plot.3 + X_LABEL_H).max(840) + 30;
        RegionFrame {
            canvas: (CANVAS_W, height),
            ..f
        }
    }

    /// A map of the window [x0, x1] × [y0, y1] mm whose plot has its top left corner at
    /// `at` (px) and its longer side `side_px` long, on a canvas just holding it and its axes
    /// (a panel of a larger picture).
    pub fn placed(at: (i32, i32), side_px: u32, window_mm: [f64; 4]) -> RegionFrame {
        let (w, h) = (window_mm[2] - window_mm[0], window_mm[3] - window_mm[1]);
        let side = side_px as f64;
        let (pw, ph) = if w >= h {
            (side_px, (side * h / w).round().max(1.0) as u32)
        } else {
            ((side * w / h).round().max(1.0) as u32, side_px)
        };
        RegionFrame {
            plot: (at.0, at.1, pw, ph),
            canvas: (at.0 as u32 + pw, at.1 as u32 + ph + X_LABEL_H),
            window_mm,
        }
    }

    /// Pixels per mm (the same along x and y).
    pub fn px_per_mm(&self) -> f64 {
        self.plot.2 as f64 / (self.window_mm[2] - self.window_mm[0])
    }

    /// Left edge of the colour bar, px.
    pub fn bar_left(&self) -> i32 {
        self.plot.0 + self.plot.2 as i32 + 50
    }

    /// The point (x, y) mm of the window at the centre of picture pixel (i, j), row 0 at top.
    pub fn mm_at(&self, i: u32, j: u32) -> (f64, f64) {
        let [x0, y0, x1, y1] = self.window_mm;
        let x = x0 + (i as f64 + 0.5) / self.plot.2 as f64 * (x1 - x0);
        let y = y1 - (j as f64 + 0.5) / self.plot.3 as f64 * (y1 - y0);
        (x, y)
    }

    /// Canvas pixel of the point (x, y) mm.
    pub fn px(&self, x: f64, y: f64) -> (i32, i32) {
        let [x0, _, _, y1] = self.window_mm;
        let s = self.px_per_mm();
        (
            self.plot.0 + ((x - x0) * s).round() as i32,
            self.plot.1 + ((y1 - y) * s).round() as i32,
        )
    }
}

/// The base every region picture shares: the title block, the mm axes of `frame`, the
/// heatmap raster `buf` blitted into the plot area, and a black frame around it.
pub fn region_base<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    frame: &RegionFrame,
    head: &str,
    lines: &[String],
    buf: &[u8],
) -> DResult {
    title(root, head, lines)?;
    region_map(root, frame, buf)
}

/// A map: the mm axes of `frame`, the raster `buf` blitted into its plot, a black frame
/// around it. Region pictures and the panels of the compare picture draw their maps so.
pub fn region_map<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    frame: &RegionFrame,
    buf: &[u8],
) -> DResult {
    let (px0, py0, pw, ph) = frame.plot;
    region_axes(root, frame, "x (mm)", "y (mm)")?;
    blit(root, (px0, py0), pw, ph, buf)?;
    frame_rect(root, frame.plot, BLACK)
}

/// Draws the axes of `frame` in mm (ticks, numbers, axis names) and returns nothing; the plot
/// area itself is then filled by the caller. `n` is about how many ticks each axis gets.
pub fn region_axes<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    frame: &RegionFrame,
    x_name: &str,
    y_name: &str,
) -> DResult {
    let (px, py, pw, ph) = frame.plot;
    let area = root.clone().shrink(
        (px - Y_LABEL_W as i32, py),
        (pw + Y_LABEL_W, ph + X_LABEL_H),
    );
    let [x0, y0, x1, y1] = frame.window_mm;
    let mut chart = ChartBuilder::on(&area)
        .x_label_area_size(X_LABEL_H)
        .y_label_area_size(Y_LABEL_W)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    // at least four ticks asked for, so a small map (a compare panel) still shows a scale
    let nx = ((pw as f64) / 110.0).round().max(4.0) as usize;
    let ny = ((ph as f64) / 90.0).round().max(4.0) as usize;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(nx)
        .y_labels(ny)
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .label_style(text(20))
        .axis_desc_style(text(22))
        .x_desc(x_name)
        .y_desc(y_name)
        .draw()
        .map_err(err)?;
    Ok(())
}

/// Fills an RGB buffer of `w × h` pixels row by row in parallel; `f(i, j)` gives pixel (i, j),
/// row 0 at the top.
pub fn fill_rgb<F>(w: u32, h: u32, f: F) -> Vec<u8>
where
    F: Fn(u32, u32) -> [u8; 3] + Sync,
{
    fill_rows(w, h, |j, row| {
        for (i, px) in row.chunks_mut(3).enumerate() {
            px.copy_from_slice(&f(i as u32, j));
        }
    })
}

/// Fills an RGB buffer of `w × h` pixels in parallel over rows; `f(j, row)` fills row j (row
/// 0 at the top), `3·w` bytes.
pub fn fill_rows<F>(w: u32, h: u32, f: F) -> Vec<u8>
where
    F: Fn(u32, &mut [u8]) + Sync,
{
    use rayon::prelude::*;
    let mut buf = vec![0u8; (w * h * 3) as usize];
    buf.par_chunks_mut((w * 3) as usize)
        .enumerate()
        .for_each(|(j, row)| f(j as u32, row));
    buf
}

/// What a region picture draws over its base (legends, colour bar, marks); returns the colour
/// scale it labelled, if any.
pub trait Overlay: Sync {
    /// Draws over the base of the picture whose frame is `frame`.
    fn draw_over<DB: DrawingBackend>(&self, root: &Root<DB>, frame: &RegionFrame) -> Drawn;
}

/// A region picture: the base every one shares — its frame, title block and heatmap raster,
/// drawn by [`region_base`] — and what it draws over them.
pub struct Region<T> {
    /// Where the plot goes.
    pub frame: RegionFrame,
    /// First line of the title block.
    pub head: String,
    /// Lines under it.
    pub lines: Vec<String>,
    /// The heatmap, `frame.plot` sized, RGB, row 0 at the top.
    pub buf: Vec<u8>,
    /// The picture's own part.
    pub over: T,
}

impl<T: Overlay> Figure for Region<T> {
    fn draw<DB: DrawingBackend>(&self, root: &Root<DB>) -> Drawn {
        region_base(root, &self.frame, &self.head, &self.lines, &self.buf)?;
        self.over.draw_over(root, &self.frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::plot::text::register_fonts;

    #[test]
    fn axes_leave_the_plot_where_the_frame_says() {
        register_fonts();
        let f = RegionFrame::new([0.0, 0.0, 40.0, 25.0]);
        let mut buf = vec![0u8; (f.canvas.0 * f.canvas.1 * 3) as usize];
        let root = BitMapBackend::with_buffer(&mut buf, f.canvas).into_drawing_area();
        let (px, py, pw, ph) = f.plot;
        let area = root.clone().shrink(
            (px - Y_LABEL_W as i32, py),
            (pw + Y_LABEL_W, ph + X_LABEL_H),
        );
        let chart = ChartBuilder::on(&area)
            .x_label_area_size(X_LABEL_H)
            .y_label_area_size(Y_LABEL_W)
            .build_cartesian_2d(0.0..40.0, 0.0..25.0)
            .unwrap();
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        assert_eq!((xr.start, yr.start), (px, py));
        assert_eq!(
            ((xr.end - xr.start) as u32, (yr.end - yr.start) as u32),
            (pw, ph)
        );
    }

    #[test]
    fn frame_is_equal_scale() {
        let f = RegionFrame::new([0.0, 0.0, 80.0, 20.0]);
        assert_eq!((f.plot.2, f.plot.3), (1000, 250));
        let f = RegionFrame::new([0.0, 0.0, 10.0, 40.0]);
        assert_eq!((f.plot.2, f.plot.3), (250, 1000));
        assert!(f.canvas.0 >= 1200);
        let (x, y) = f.mm_at(0, 0);
        assert!((x - 0.02).abs() < 1e-12 && (y - 39.98).abs() < 1e-12);
    }
}
