//! The canvas every picture draws on: the drawing area and its error, a pixel rectangle and
//! its frame, and raster images — blitted into a bitmap, or, in the SVG pass of
//! [`super::encode::render`], kept as one embedded PNG image each.

use plotters::coord::Shift;
use plotters::prelude::*;

/// A drawing failure, as text (plotters' errors are generic over the backend).
pub type DResult = Result<(), String>;

/// The drawing area a picture is drawn on (a bitmap or an SVG document).
pub type Root<DB> = DrawingArea<DB, Shift>;

/// Pixel rectangle: left, top, width, height.
pub type Rect = (i32, i32, u32, u32);

/// Maps any displayable error to the text of [`DResult`].
pub fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Blits an RGB buffer of `w × h` pixels at canvas pixel (x, y). In the SVG pass of
/// [`super::encode::render`] the raster becomes one `<image>` (see [`svg_image`]); elsewhere it is copied.
pub fn blit<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    w: u32,
    h: u32,
    rgb_buf: &[u8],
) -> DResult {
    if rgb_buf.len() < (w * h * 3) as usize {
        return Err(format!(
            "image buffer of {} bytes is too small for {w} × {h} px",
            rgb_buf.len()
        ));
    }
    let spliced = SVG_IMAGES.with(|cell| {
        cell.borrow_mut().as_mut().map(|v| {
            v.push(svg_image(at, w, h, rgb_buf));
        })
    });
    if spliced.is_some() {
        // a one-pixel placeholder the SVG pass replaces by the image, keeping its place in
        // the drawing order
        return root
            .draw(&Rectangle::new(
                [at, (at.0 + 1, at.1 + 1)],
                PLACEHOLDER.filled(),
            ))
            .map_err(err);
    }
    let el: BitMapElement<(i32, i32)> =
        BitMapElement::with_ref(at, (w, h), rgb_buf).ok_or("image buffer too small")?;
    root.draw(&el).map_err(err)
}

/// Colour of the SVG image placeholders (never used in a picture).
pub(super) const PLACEHOLDER: RGBColor = RGBColor(1, 2, 3);

/// Largest base64 payload of one embedded image; larger rasters are halved until they fit.
pub const SVG_IMAGE_MAX: usize = 1_200_000;

thread_local! {
    /// Images of the SVG being drawn on this thread, in drawing order (None: not in an SVG pass).
    pub(super) static SVG_IMAGES: std::cell::RefCell<Option<Vec<String>>> = const { std::cell::RefCell::new(None) };
}

/// PNG bytes of an RGB raster.
pub fn png_bytes(w: u32, h: u32, rgb_buf: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let enc = image::codecs::png::PngEncoder::new(&mut out);
    image::ImageEncoder::write_image(enc, rgb_buf, w, h, image::ColorType::Rgb8).map_err(err)?;
    Ok(out)
}

/// Halves a raster (2 × 2 box average; an odd last row or column is averaged alone).
pub fn halve(w: u32, h: u32, buf: &[u8]) -> (u32, u32, Vec<u8>) {
    let (w2, h2) = (w.div_ceil(2), h.div_ceil(2));
    let mut out = vec![0u8; (w2 * h2 * 3) as usize];
    for j in 0..h2 {
        for i in 0..w2 {
            for k in 0..3 {
                let (mut sum, mut n) = (0u32, 0u32);
                for (di, dj) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    let (x, y) = (2 * i + di, 2 * j + dj);
                    if x < w && y < h {
                        sum += buf[((y * w + x) * 3 + k) as usize] as u32;
                        n += 1;
                    }
                }
                out[((j * w2 + i) * 3 + k) as usize] = ((sum + n / 2) / n) as u8;
            }
        }
    }
    (w2, h2, out)
}

/// An SVG `<image>` showing the raster at (x, y) over `w × h` user units, as a base64 PNG
/// (`image/png`). Rasters whose encoding would pass [`SVG_IMAGE_MAX`] are halved until they
/// fit and stretched back with crisp pixels, so an SVG stays small whatever the region.
pub fn svg_image(at: (i32, i32), w: u32, h: u32, buf: &[u8]) -> String {
    let (mut rw, mut rh, mut data) = (w, h, buf.to_vec());
    let mut png = png_bytes(rw, rh, &data).unwrap_or_default();
    while png.len() * 4 / 3 > SVG_IMAGE_MAX && rw > 16 && rh > 16 {
        (rw, rh, data) = halve(rw, rh, &data);
        png = png_bytes(rw, rh, &data).unwrap_or_default();
    }
    format!(
        r#"<image x="{}" y="{}" width="{w}" height="{h}" preserveAspectRatio="none" style="image-rendering:pixelated" href="data:image/png;base64,{}"/>"#,
        at.0,
        at.1,
        base64(&png)
    )
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= c.len() {
                s.push(A[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

/// Draws a 1-px frame around a pixel rectangle.
pub fn frame_rect<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: Rect,
    colour: RGBColor,
) -> DResult {
    let (x, y, w, h) = r;
    root.draw(&Rectangle::new(
        [(x - 1, y - 1), (x + w as i32, y + h as i32)],
        colour.stroke_width(1),
    ))
    .map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn halving_averages_blocks() {
        let buf = [
            0, 0, 0, 255, 255, 255, 100, 100, 100, 0, 0, 0, 9, 9, 9, 7, 7, 7,
        ];
        let (w, h, out) = halve(3, 2, &buf);
        assert_eq!((w, h), (2, 1));
        // (0 + 255 + 0 + 9) / 4 = 66; (100 + 7) / 2 = 53.5, rounded half up
        assert_eq!(out, vec![66, 66, 66, 54, 54, 54]);
    }
}
