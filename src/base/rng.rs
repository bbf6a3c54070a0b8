//! The one seeded, portable random source.
//!
//! ChaCha8 with a 64-bit stream number per consumer: the device (manufacturing variation),
//! each pass (its lateral offset) and each stroke (its start phase) draw from their own
//! stream, so adding a pass or a stroke never reshuffles the others, and no draw depends on
//! thread scheduling. Uniforms are built from raw 64-bit words here rather than through a
//! distribution crate, so the numbers are fixed by this file alone.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A stream of uniform numbers, deterministic in (seed, stream).
pub struct Stream(ChaCha8Rng);

/// Stream numbers: one namespace per consumer.
#[derive(Clone, Copy, Debug)]
pub enum StreamId {
    /// Manufacturing variation of the device: needle lengths and angles.
    Device,
    /// Manufacturing variation of the device: which needles are missing.
    Missing,
    /// The error of a pen's depth setting.
    Setting,
    /// The skin's variation from person to person and site to site.
    Skin,
    /// Lateral offset of pass `p` (0-based, after expanding counts).
    Pass(u32),
    /// Start phase of stroke (lane) `lane` of pass `p`; `lane` is the absolute lane number.
    Stroke(u32, i64),
}

impl StreamId {
    fn number(self) -> u64 {
        match self {
            StreamId::Device => 0,
            StreamId::Missing => 1,
            StreamId::Setting => 2,
            StreamId::Skin => 3,
            StreamId::Pass(p) => (1u64 << 62) | u64::from(p),
            // 30 bits of pass, 32 bits of lane: lanes are counted from the region centre and
            // stay far below 2^31 (refused earlier by the channel limit).
            StreamId::Stroke(p, lane) => {
                (2u64 << 62) | (u64::from(p & 0x3fff_ffff) << 32) | u64::from(lane as i32 as u32)
            }
        }
    }
}

impl Stream {
    /// The stream `id` of `seed`.
    pub fn new(seed: u64, id: StreamId) -> Stream {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(id.number());
        Stream(rng)
    }

    /// Uniform in [0, 1), 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal by Box–Muller on portable `libm` functions.
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // (0, 1]
        let u2 = self.uniform();
        libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let mut s1 = Stream::new(7, StreamId::Stroke(1, -3));
        let mut s2 = Stream::new(7, StreamId::Stroke(1, -3));
        let mut s3 = Stream::new(7, StreamId::Stroke(1, -2));
        let x1 = s1.uniform();
        assert_eq!(x1, s2.uniform());
        assert_ne!(x1, s3.uniform());
    }

    #[test]
    fn uniform_mean_and_normal_moments() {
        let mut s = Stream::new(1, StreamId::Device);
        let n = 20000;
        let mean: f64 = (0..n).map(|_| s.uniform()).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.01);
        let xs: Vec<f64> = (0..n).map(|_| s.normal()).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n as f64;
        assert!(m.abs() < 0.03 && (v - 1.0).abs() < 0.05);
    }
}
