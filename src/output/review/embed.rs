//! Pictures as data URIs at the size the page shows them.
//!
//! The pictures are drawn 1440 px wide for files; the page's text column is
//! [`PAGE_WIDTH_PX`] wide, so a picture is embedded as whichever is shorter of
//!
//! - its PNG, area-averaged down to [`PAGE_WIDTH_PX`] (exact integer weights, so the same
//!   picture gives the same bytes everywhere) and stored as an 8-bit palette PNG: the
//!   colours it has when they are 256 or fewer, else 256 chosen by median cut over the
//!   picture's colour histogram, every pixel mapped to the nearest;
//! - its SVG (vector: text and lines stay sharp in print), percent-encoded with single-quoted
//!   attributes so that little needs escaping.
//!
//! Everything here is a pure function of the picture's bytes.

use crate::output::plot::Picture;
use base64::Engine as _;
use std::collections::HashMap;

/// Width of the page's text column, px: pictures are embedded at most this wide.
pub const PAGE_WIDTH_PX: u32 = 1120;

/// Colours of a palette PNG.
const PALETTE: usize = 256;

/// A picture ready for `<img src>`.
#[derive(Clone, Debug)]
pub struct Embedded {
    /// The picture's name ([`Picture::name`]).
    pub name: &'static str,
    /// The data URI.
    pub uri: String,
    /// The size it is shown at, px.
    pub size: (u32, u32),
}

/// The shorter of the picture's page PNG and its SVG, as a data URI.
///
/// A page PNG's URI has never been found under a third of the drawn PNG's size (the palette
/// and the smaller width save up to 4×, base64 costs 4/3), so an SVG shorter than that is
/// taken without making the PNG.
pub fn embed(p: &Picture) -> Embedded {
    let (w, h) = p.size;
    let size = if w > PAGE_WIDTH_PX {
        let h2 = (u64::from(h) * u64::from(PAGE_WIDTH_PX) + u64::from(w) / 2) / u64::from(w);
        (PAGE_WIDTH_PX, h2.max(1) as u32)
    } else {
        (w, h)
    };
    let svg = std::str::from_utf8(&p.svg)
        .ok()
        .filter(|s| !s.is_empty())
        .map(svg_data_uri);
    let uri = match svg {
        Some(svg) if svg.len() < p.png.len() / 3 => svg,
        svg => {
            let png = page_png(&p.png, PAGE_WIDTH_PX).unwrap_or_else(|| p.png.clone());
            let png = format!(
                "data:image/png;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(&png)
            );
            match svg {
                Some(svg) if svg.len() < png.len() => svg,
                _ => png,
            }
        }
    };
    Embedded {
        name: p.name,
        uri,
        size,
    }
}

/// The PNG at most `max_w` px wide as an 8-bit palette PNG; `None` if it cannot be decoded.
pub fn page_png(png: &[u8], max_w: u32) -> Option<Vec<u8>> {
    let img = image::load_from_memory_with_format(png, image::ImageFormat::Png).ok()?;
    let rgb = img.into_rgb8();
    let (w, h) = rgb.dimensions();
    let (w2, h2, buf) = if w > max_w {
        let h2 = ((u64::from(h) * u64::from(max_w) + u64::from(w) / 2) / u64::from(w)).max(1);
        let buf = downscale(rgb.as_raw(), (w, h), (max_w, h2 as u32));
        (max_w, h2 as u32, buf)
    } else {
        (w, h, rgb.into_raw())
    };
    let (palette, index) = quantize(&buf);
    encode_indexed(w2, h2, &palette, &index).ok()
}

/// Area-average weights from `n` samples to `m` (m ≤ n): per output sample its first source
/// sample and the source samples' shares in 1/65536, summing to exactly 65536 (a source
/// sample is `m` long and an output sample `n`; each share is its overlap, rounded down,
/// with the remainder given to the largest).
fn weights(n: u32, m: u32) -> Vec<(usize, Vec<u32>)> {
    let (n, m) = (u64::from(n), u64::from(m));
    (0..m)
        .map(|i| {
            let (a, b) = (i * n, (i + 1) * n);
            let (j0, j1) = (a / m, (b - 1) / m);
            let mut w: Vec<u32> = (j0..=j1)
                .map(|j| ((b.min((j + 1) * m) - a.max(j * m)) * ONE / n) as u32)
                .collect();
            let rest = ONE as u32 - w.iter().sum::<u32>();
            if let Some(big) = (0..w.len()).max_by_key(|&k| (w[k], std::cmp::Reverse(k))) {
                w[big] += rest;
            }
            (j0 as usize, w)
        })
        .collect()
}

/// Fixed-point one of [`weights`].
const ONE: u64 = 1 << 16;

/// Resamples an RGB raster from `from` to `to` px (each no larger) by area averaging:
/// columns, then rows, each rounded to the nearest level.
pub fn downscale(buf: &[u8], from: (u32, u32), to: (u32, u32)) -> Vec<u8> {
    let (w, w2, h2) = (from.0 as usize, to.0 as usize, to.1 as usize);
    let (wx, wy) = (weights(from.0, to.0), weights(from.1, to.1));
    let half = (ONE / 2) as u32;
    // rows first: each output row sums its source rows, whole rows at a time
    let mut rows = vec![0u8; w * h2 * 3];
    let mut acc = vec![0u32; w * 3];
    for (y, (j0, ws)) in wy.iter().enumerate() {
        acc.iter_mut().for_each(|a| *a = half);
        for (d, &wt) in ws.iter().enumerate() {
            let src = &buf[(j0 + d) * w * 3..(j0 + d + 1) * w * 3];
            for (a, &v) in acc.iter_mut().zip(src) {
                *a += wt * u32::from(v);
            }
        }
        for (o, &a) in rows[y * w * 3..(y + 1) * w * 3].iter_mut().zip(&acc) {
            *o = (a >> 16) as u8;
        }
    }
    let mut out = vec![0u8; w2 * h2 * 3];
    for y in 0..h2 {
        let src = &rows[y * w * 3..(y + 1) * w * 3];
        let dst = &mut out[y * w2 * 3..(y + 1) * w2 * 3];
        for ((j0, ws), px) in wx.iter().zip(dst.chunks_exact_mut(3)) {
            let mut a = [half; 3];
            for (d, &wt) in ws.iter().enumerate() {
                let s = &src[(j0 + d) * 3..(j0 + d) * 3 + 3];
                for k in 0..3 {
                    a[k] += wt * u32::from(s[k]);
                }
            }
            for k in 0..3 {
                px[k] = (a[k] >> 16) as u8;
            }
        }
    }
    out
}

fn key(px: &[u8]) -> u32 {
    u32::from(px[0]) << 16 | u32::from(px[1]) << 8 | u32::from(px[2])
}

fn channel(c: u32, k: usize) -> u32 {
    (c >> (16 - 8 * k)) & 255
}

/// A palette of at most 256 colours for an RGB raster and each pixel's index in it: the
/// raster's own colours when they are few enough, else a median cut of its histogram.
pub fn quantize(rgb: &[u8]) -> (Vec<u32>, Vec<u8>) {
    let mut hist: HashMap<u32, u32> = HashMap::new();
    let mut run = (u32::MAX, 0u32);
    for px in rgb.chunks_exact(3) {
        let c = key(px);
        if c == run.0 {
            run.1 += 1;
        } else {
            if run.1 > 0 {
                *hist.entry(run.0).or_default() += run.1;
            }
            run = (c, 1);
        }
    }
    if run.1 > 0 {
        *hist.entry(run.0).or_default() += run.1;
    }
    let mut colours: Vec<(u32, u32)> = hist.into_iter().collect();
    colours.sort_unstable();
    let palette: Vec<u32> = if colours.len() <= PALETTE {
        colours.iter().map(|c| c.0).collect()
    } else {
        median_cut(&colours, PALETTE)
    };
    let lookup: HashMap<u32, u8> = colours
        .iter()
        .map(|&(c, _)| (c, nearest(&palette, c)))
        .collect();
    let mut last = (u32::MAX, 0u8);
    let index = rgb
        .chunks_exact(3)
        .map(|px| {
            let c = key(px);
            if c != last.0 {
                last = (c, lookup[&c]);
            }
            last.1
        })
        .collect();
    (palette, index)
}

/// Index of the palette colour nearest `c` (squared RGB distance; the first of equals).
fn nearest(palette: &[u32], c: u32) -> u8 {
    let d = |p: u32| -> u32 {
        (0..3)
            .map(|k| channel(p, k).abs_diff(channel(c, k)).pow(2))
            .sum()
    };
    let mut best = (u32::MAX, 0usize);
    for (i, &p) in palette.iter().enumerate() {
        let dist = d(p);
        if dist < best.0 {
            best = (dist, i);
        }
    }
    best.1 as u8
}

/// The widest channel of a box of colours and its range.
fn widest(b: &[(u32, u32)]) -> (usize, u32) {
    (0..3)
        .map(|k| {
            let (lo, hi) = b.iter().fold((255, 0), |(lo, hi), &(c, _)| {
                (channel(c, k).min(lo), channel(c, k).max(hi))
            });
            (k, hi - lo)
        })
        .max_by_key(|&(k, r)| (r, std::cmp::Reverse(k)))
        .unwrap_or((0, 0))
}

/// `k` colours for a histogram (colour, pixels) of more than `k` colours: boxes split at the
/// pixel-weighted median of their widest channel, the box with the largest range × √pixels
/// first; each box gives its dominant colour when that holds half its pixels, else its mean.
fn median_cut(colours: &[(u32, u32)], k: usize) -> Vec<u32> {
    let mut boxes: Vec<Vec<(u32, u32)>> = vec![colours.to_vec()];
    while boxes.len() < k {
        let score = |b: &[(u32, u32)]| {
            let n: u64 = b.iter().map(|c| u64::from(c.1)).sum();
            u64::from(widest(b).1) * (n as f64).sqrt() as u64
        };
        let pick = boxes
            .iter()
            .enumerate()
            .filter(|(_, b)| b.len() > 1)
            .max_by_key(|(i, b)| (score(b), std::cmp::Reverse(*i)));
        let Some((i, _)) = pick else { break };
        let mut b = boxes.remove(i);
        let (ch, _) = widest(&b);
        b.sort_unstable_by_key(|&(c, _)| (channel(c, ch), c));
        let total: u64 = b.iter().map(|c| u64::from(c.1)).sum();
        let mut acc = 0u64;
        let mut cut = 1;
        for (j, c) in b.iter().enumerate() {
            acc += u64::from(c.1);
            if 2 * acc >= total {
                cut = (j + 1).clamp(1, b.len() - 1);
                break;
            }
        }
        let rest = b.split_off(cut);
        boxes.push(b);
        boxes.push(rest);
    }
    boxes
        .iter()
        .map(|b| {
            let n: u64 = b.iter().map(|c| u64::from(c.1)).sum();
            let top = b.iter().max_by_key(|c| (c.1, c.0)).map_or(0, |c| c.0);
            let most = b.iter().map(|c| c.1).max().unwrap_or(0);
            if 2 * u64::from(most) >= n {
                return top;
            }
            let m = |k: usize| -> u32 {
                let s: u64 = b
                    .iter()
                    .map(|&(c, w)| u64::from(channel(c, k)) * u64::from(w))
                    .sum();
                ((s + n / 2) / n) as u32
            };
            m(0) << 16 | m(1) << 8 | m(2)
        })
        .collect()
}

/// An 8-bit palette PNG (no filter: filters do not help indices; the default deflate, within
/// 2 % of the best at a fraction of its time).
fn encode_indexed(w: u32, h: u32, palette: &[u32], index: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut e = png::Encoder::new(&mut out, w, h);
    e.set_color(png::ColorType::Indexed);
    e.set_depth(png::BitDepth::Eight);
    e.set_palette(
        palette
            .iter()
            .flat_map(|&c| [0, 1, 2].map(|k| channel(c, k) as u8))
            .collect::<Vec<u8>>(),
    );
    e.set_compression(png::Compression::Default);
    e.set_filter(png::FilterType::NoFilter);
    e.set_adaptive_filter(png::AdaptiveFilterType::NonAdaptive);
    let mut wr = e.write_header().map_err(|e| e.to_string())?;
    wr.write_image_data(index).map_err(|e| e.to_string())?;
    wr.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

/// An SVG as a `data:image/svg+xml,` URI for a double-quoted HTML attribute: attributes
/// single-quoted, white space as spaces, `%`, `#`, `&`, quotes and non-ASCII bytes
/// percent-encoded; text in the pictures' font family first (DejaVu Sans, as in the PNGs).
pub fn svg_data_uri(svg: &str) -> String {
    let svg = svg.replace(
        "font-family=\"sans-serif\"",
        "font-family=\"DejaVu Sans,Verdana,sans-serif\"",
    );
    let mut s = String::with_capacity(svg.len() + svg.len() / 8 + 32);
    s.push_str("data:image/svg+xml,");
    let (mut in_tag, mut in_value) = (false, false);
    for b in svg.bytes() {
        match b {
            b'<' if !in_value => {
                in_tag = true;
                s.push('<');
            }
            b'>' if !in_value => {
                in_tag = false;
                s.push('>');
            }
            b'"' if in_tag => {
                in_value = !in_value;
                s.push('\'');
            }
            b'\'' if in_value => s.push_str("%26apos;"),
            b'\n' | b'\r' | b'\t' => s.push(' '),
            b'%' | b'#' | b'&' | b'"' | 0..=0x1f | 0x7f..=0xff => {
                s.push_str(&format!("%{b:02X}"));
            }
            _ => s.push(b as char),
        }
    }
    s
}

/// The SVG text of a URI [`svg_data_uri`] made (percent-decoded); `None` for another URI
/// or a malformed escape.
pub fn svg_from_data_uri(uri: &str) -> Option<String> {
    let body = uri.strip_prefix("data:image/svg+xml,")?.as_bytes();
    let mut bytes = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i] == b'%' {
            let hex = std::str::from_utf8(body.get(i + 1..i + 3)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            bytes.push(body[i]);
            i += 1;
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_weights_sum_to_the_source_length_and_cover_it_once() {
        for (n, m) in [(1440, 1120), (1260, 980), (9, 4), (7, 7)] {
            let w = weights(n, m);
            assert_eq!(w.len(), m as usize);
            let mut cover = vec![0u64; n as usize];
            for (j0, ws) in &w {
                assert_eq!(ws.iter().sum::<u32>(), ONE as u32);
                for (d, x) in ws.iter().enumerate() {
                    cover[j0 + d] += u64::from(*x);
                }
            }
            // every source sample is spread over the outputs in full: m/n of an output's
            // weight, within the rounding of its few shares
            for c in cover {
                let want = ONE * u64::from(m) / u64::from(n);
                assert!(c.abs_diff(want) <= 3, "{n}→{m}: {c} against {want}");
            }
        }
    }

    #[test]
    fn downscaling_keeps_flat_areas_and_averages_edges() {
        // 4 × 1: black, black, white, white → 2 × 1 keeps them; → 3 × 1 blends the middle
        let buf: Vec<u8> = [0, 0, 255, 255].iter().flat_map(|&v| [v; 3]).collect();
        assert_eq!(
            downscale(&buf, (4, 1), (2, 1)),
            vec![0, 0, 0, 255, 255, 255]
        );
        // the middle output [4, 8) takes half of px 1 [3, 6) and half of px 2 [6, 9)
        let three = downscale(&buf, (4, 1), (3, 1));
        assert_eq!(&three[3..6], &[128, 128, 128]);
        assert_eq!(&three[..3], &[0, 0, 0]);
    }

    #[test]
    fn few_colours_are_kept_exactly_and_many_are_cut_to_256() {
        let few: Vec<u8> = (0..100u32)
            .flat_map(|i| [(i % 7) as u8 * 30, 5, 9])
            .collect();
        let (pal, idx) = quantize(&few);
        assert_eq!(pal.len(), 7);
        for (px, &i) in few.chunks(3).zip(&idx) {
            assert_eq!(pal[i as usize], key(px));
        }
        // a ramp of 4096 colours: 256 colours, each pixel within one box's width
        let many: Vec<u8> = (0..4096u32)
            .flat_map(|i| [(i % 64) as u8 * 4, (i / 64) as u8 * 4, 128])
            .collect();
        let (pal, idx) = quantize(&many);
        assert_eq!(pal.len(), 256);
        for (px, &i) in many.chunks(3).zip(&idx) {
            let p = pal[i as usize];
            for k in 0..3 {
                assert!(
                    channel(p, k).abs_diff(u32::from(px[k])) <= 8,
                    "{px:?} → {p:06x}"
                );
            }
        }
    }

    #[test]
    fn svg_uri_needs_no_double_quote_and_decodes_back() {
        let svg =
            "<svg a=\"1\"><text font-family=\"sans-serif\">µ 5 % #1 \"q\" it's &amp;</text></svg>";
        let uri = svg_data_uri(svg);
        assert!(!uri.contains('"'), "{uri}");
        let back = svg_from_data_uri(&uri).unwrap();
        assert_eq!(
            back,
            "<svg a='1'><text font-family='DejaVu Sans,Verdana,sans-serif'>µ 5 % #1 \"q\" it's &amp;</text></svg>"
        );
    }
}
