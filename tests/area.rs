//! Area metrics of the shipped designs against the raster's own convergence: halving the
//! pixel must not move coverage by 0.002 nor the largest gap by more than one pixel.

mod common;

use needlemap::base::progress::Silent;
use needlemap::design::Design;
use needlemap::metrics::analysis::{analyze, Overrides};

fn shipped() -> Vec<Design> {
    let dir = common::root().join("designs");
    let files = needlemap::design::expand_paths(&[dir]).unwrap();
    files.iter().map(|f| Design::load(f).unwrap()).collect()
}

#[test]
fn halving_the_pixel_converges_on_every_shipped_design() {
    for d in shipped() {
        let coarse_um = d.analysis.resolution_um;
        let fine_um = coarse_um / 2.0;
        let a = analyze(&d, &Silent).unwrap();
        let b = analyze(
            &Overrides {
                resolution_um: Some(fine_um),
                ..Default::default()
            }
            .apply(&d),
            &Silent,
        )
        .unwrap();
        let (ca, cb) = (
            a.metrics.coverage_fraction.unwrap(),
            b.metrics.coverage_fraction.unwrap(),
        );
        assert!(
            (ca - cb).abs() < 0.002,
            "{}: coverage {ca} at {coarse_um} µm vs {cb} at {fine_um} µm",
            d.name
        );
        let (ga, gb) = (a.metrics.max_gap_mm.unwrap(), b.metrics.max_gap_mm.unwrap());
        assert!(
            (ga - gb).abs() <= coarse_um / 1000.0,
            "{}: max gap {ga} vs {gb}",
            d.name
        );
        // the channels are the same, whatever the raster
        assert_eq!(a.metrics.channels, b.metrics.channels);
    }
}

#[test]
fn coverage_of_separate_openings_is_their_area() {
    // one pass of the MF8 drum without jitter: openings 2.5 mm apart across, 2.6 mm along,
    // never touch; coverage = Σ opening area / region area
    let src = std::fs::read_to_string(common::design("mf8-192.toml")).unwrap();
    let start = src.find("passes = [").unwrap();
    let end = src[start..].find("seed").unwrap() + start;
    let src = format!(
        "{}passes = [ {{ angle_deg = 0.0 }} ]\njitter = false\n{}",
        &src[..start],
        &src[end..]
    );
    let d = Design::from_bytes(src.as_bytes(), "one-pass.toml".as_ref()).unwrap();
    let a = analyze(&d, &Silent).unwrap();
    assert_eq!(a.metrics.overlap_fraction, Some(0.0));
    let area: f64 = a.field.in_region().map(|c| c.opening_area_mm2()).sum();
    let expect = area / d.treatment.area_mm2();
    let got = a.metrics.coverage_fraction.unwrap();
    assert!(
        (got - expect).abs() < 0.001,
        "coverage {got} vs Σ areas {expect}"
    );
}
