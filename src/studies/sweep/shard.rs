//! Shards: contiguous slices of a sweep's combinations, so that pieces run apart concatenate
//! into the whole.

use std::ops::Range;

/// The K-th of N contiguous slices of a sweep's combinations (K is 1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which slice, 1 to `n`.
    pub k: usize,
    /// How many slices.
    pub n: usize,
}

impl Shard {
    /// Combinations of this shard out of `total`: `[⌊(k−1)·total/n⌋, ⌊k·total/n⌋)`.
    ///
    /// # Examples
    /// ```
    /// use needlemap::studies::sweep::Shard;
    /// assert_eq!(Shard { k: 1, n: 3 }.range(10), 0..3);
    /// assert_eq!(Shard { k: 3, n: 3 }.range(10), 6..10);
    /// ```
    pub fn range(&self, total: usize) -> Range<usize> {
        let at = |k: usize| (k as u128 * total as u128 / self.n as u128) as usize;
        at(self.k - 1)..at(self.k)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not K/N with 1 ≤ K ≤ N, e.g. 2/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: usize = k.trim().parse().map_err(|_| bad())?;
        let n: usize = n.trim().parse().map_err(|_| bad())?;
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}
