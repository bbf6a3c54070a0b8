//! Drawing a [`Figure`] and encoding it: PNG (drawn into an RGB buffer, encoded once) and SVG
//! (a blitted raster becomes one embedded PNG image, not a rectangle per pixel). Every picture
//! of the crate, region maps, compare and sweep alike, goes through [`render`].

use super::canvas::{err, png_bytes, Root, SVG_IMAGES};
use super::colour::ColourScale;
use super::text::register_fonts;
use plotters::prelude::*;

/// What drawing a picture returns: the colour scale it labelled, if any.
pub type Drawn = Result<Option<ColourScale>, String>;

/// Replaces the placeholders of an SVG, in order, by `images`.
fn splice(svg: &str, images: &[String]) -> Result<String, String> {
    let marker = r##"fill="#010203""##;
    let mut out = String::with_capacity(svg.len() + images.iter().map(String::len).sum::<usize>());
    let mut rest = svg;
    for img in images {
        let at = rest.find(marker).ok_or("SVG image placeholder missing")?;
        let start = rest[..at]
            .rfind("<rect")
            .ok_or("SVG image placeholder malformed")?;
        let end = at
            + rest[at..]
                .find("/>")
                .ok_or("SVG image placeholder malformed")?
            + 2;
        out.push_str(&rest[..start]);
        out.push_str(img);
        rest = &rest[end..];
    }
    if rest.contains(marker) {
        return Err("SVG holds more placeholders than images".into());
    }
    out.push_str(rest);
    Ok(out)
}

/// PNG bytes, SVG bytes and the colour scale a figure labelled.
pub type Rendered = (Vec<u8>, Vec<u8>, Option<ColourScale>);

/// A picture ready to draw: its data prepared once, drawn on any backend.
pub trait Figure: Sync {
    /// Draws the picture; returns the colour scale it labelled, if any.
    fn draw<DB: DrawingBackend>(&self, root: &Root<DB>) -> Drawn;
}

/// Renders a figure to PNG bytes (drawn into an RGB buffer, encoded once) and SVG text (a
/// blitted raster becomes one embedded PNG image) on a canvas of `size` px; returns both and
/// the labelled scale.
pub fn render<F: Figure>(fig: &F, size: (u32, u32)) -> Result<Rendered, String> {
    register_fonts();
    let mut buf = vec![255u8; (size.0 * size.1 * 3) as usize];
    let scale = {
        let root = BitMapBackend::with_buffer(&mut buf, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let s = fig.draw(&root)?;
        root.present().map_err(err)?;
        s
    };
    let png = png_bytes(size.0, size.1, &buf)?;
    let mut svg = String::new();
    // the drawing below must not call into rayon: the images are collected per thread
    SVG_IMAGES.with(|c| *c.borrow_mut() = Some(Vec::new()));
    let drawn = (|| {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        fig.draw(&root)?;
        root.present().map_err(err)
    })();
    let images = SVG_IMAGES
        .with(|c| c.borrow_mut().take())
        .unwrap_or_default();
    drawn?;
    let svg = splice(&svg, &images)?;
    Ok((png, svg.into_bytes(), scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_images_are_spliced_in_order() {
        let svg = r##"<svg><rect x="1" y="1" width="1" height="1" opacity="1" fill="#010203" stroke="none"/><text>a</text><rect x="2" y="2" width="1" height="1" opacity="1" fill="#010203" stroke="none"/></svg>"##;
        let s = splice(
            svg,
            &["<image id=\"a\"/>".into(), "<image id=\"b\"/>".into()],
        )
        .unwrap();
        assert_eq!(
            s,
            r#"<svg><image id="a"/><text>a</text><image id="b"/></svg>"#
        );
        assert!(splice(svg, &["<image/>".into()]).is_err());
    }
}
