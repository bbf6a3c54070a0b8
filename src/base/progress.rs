//! The seam through which long work reports progress. The library knows nothing of
//! terminals: the binary plugs in progress bars, tests and benches plug in [`Silent`].

/// Receives progress of long-running stages.
pub trait Progress: Sync {
    /// A stage starts, with `total` units of work.
    fn start(&self, stage: &str, total: u64);
    /// `n` more units of the current stage are done.
    fn advance(&self, n: u64);
    /// The current stage is done.
    fn finish(&self);
}

/// Reports nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}
