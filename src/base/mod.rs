//! The ground floor: what every other module stands on and that knows nothing of microneedles —
//! vectors and tolerances ([`math`]), the seeded random streams ([`rng`]), typed errors
//! ([`error`]), the guarded reading of input files ([`input`]), the progress seam
//! ([`progress`]), numbers and tables as written ([`fmt`]) and whole-or-nothing output files
//! and folders ([`outdir`]).

pub mod error;
pub mod fmt;
pub mod input;
pub mod math;
pub mod outdir;
pub mod progress;
pub mod rng;

/// Tool name in every record needlemap writes.
pub const TOOL: &str = "needlemap";
/// Tool version in every record needlemap writes.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
