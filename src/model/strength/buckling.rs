//! Axial buckling of the needle as a tapered column (shaft plus cone), solved as a small
//! finite-difference generalized eigenproblem, with Johnson's parabola for stocky needles.
//!
//! # The column
//! Clamped at the root (x = 0), loaded at the point end (x = L − u₀, where the rounded tip
//! truncates the cone, see [`NeedleGeometry::apex_truncation_mm`]). Two tip supports:
//! - [`TipSupport::Free`]: before puncture the point slides on the tented skin: clamped–free,
//!   the uniform column's K = 2.
//! - [`TipSupport::Held`]: once in, the skin holds the point sideways: clamped–pinned,
//!   the uniform column's K = 0.6992 (≈ 0.7, Park & Prausnitz 2010).
//!
//! # How the load enters the cone
//! A point force on a sharp apex is a contact problem, not a column one: its stress is
//! unbounded and a column model would report the apex crushing as "buckling". In skin the
//! resistance is a pressure on the cone's flank, and a uniform flank pressure p carries, across
//! the section at u from the apex, the axial force N(u) = p·πD(u)²/4 (the flank's axial
//! projection). So [`AxialLoading::FlankPressure`] (the model's default) takes
//! N(x) = P·(D(x)/d)² in the cone and P in the shaft: the axial stress is P/A everywhere, the
//! same as in the shaft, which is what makes a single Johnson correction meaningful.
//! [`AxialLoading::AtTip`] (N = P all along, as a finite-element model with a point load at a
//! truncated tip has it) is kept for comparison with published simulations.
//!
//! # The eigenproblem
//! With θ = w′ (slope) the energy is ½∫EI θ′² dx − ½P∫n θ² dx, n = N/P. Stationarity gives
//! −(EI θ′)′ = P·n·θ with θ(0) = 0 (clamp) and EI θ′ = 0 at the point (no moment there);
//! for a held point the point's deflection w = ∫θ dx must vanish, a constraint whose
//! multiplier is the pin's reaction. On nodes x₀ = 0 < x₁ < … < x_N = L − u₀ (uniform on the
//! shaft, geometric on the cone, finer towards the point) the conservative three-point
//! scheme gives K θ = P M θ:
//! - K: for each interval e, k_e = EI_e/h_e, with EI_e the exact flexibility average
//!   h_e/∫dx/EI over the interval (D is linear on a cone interval);
//! - M = diag(n_i·w_i), w_i the node's share of length (trapezoid weights).
//!
//! Free point: the smallest eigenvalue of M^-½ K M^-½. Held point: the same problem on the
//! subspace Σ w_i θ_i = 0, taken with a Householder basis; the reduced M is then dense and is
//! factorised by Cholesky. Both are symmetric: [`elastic_load_per_modulus_dense`] solves
//! them with nalgebra's `SymmetricEigen` (the reference), and [`elastic_load_per_modulus`]
//! exploits the tridiagonal K in O(N) (Sturm bisection; the held point's secular equation),
//! agreeing to 10⁻⁹. The eigenvalue is proportional to E, so a geometry is solved once per
//! unit modulus and cached ([`BucklingCache`]).
//!
//! # Johnson for a tapered column
//! The eigenvalue P_E defines an equivalent slenderness λ_eq = π·√(E·A/P_E) (the KL/k of the
//! uniform column of the shaft's area with the same Euler load). Below the transition
//! λ_t = √(2π²E/S_y) — equivalently when P_E > P_y/2 with the squash load P_y = S_y·A —
//! Johnson's parabola P = P_y·(1 − P_y/(4P_E)) replaces Euler. For a uniform column this is
//! exactly σ = S_y − (S_y/(2π))²·(KL/k)²/E; for the tapered one it is exact in the sense that
//! the flank-pressure loading puts the same stress P/A on every section.

use super::geometry::NeedleGeometry;
use crate::model::material::MaterialProps;
use nalgebra::{DMatrix, SymmetricEigen};
use std::collections::HashMap;
use std::f64::consts::PI;

/// Effective-length factor of a uniform clamped–pinned column: π/4.4934… (the root of
/// tan x = x), so P = 20.19·EI/L².
pub const K_CLAMPED_PINNED: f64 = PI / 4.493_409_457_909_064;
/// Effective-length factor of a uniform clamped–free column.
pub const K_CLAMPED_FREE: f64 = 2.0;

/// Lateral support of the point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TipSupport {
    /// Before puncture: the point is free to slide sideways (K = 2 for a cylinder).
    Free,
    /// After puncture: the skin holds the point sideways (K ≈ 0.7 for a cylinder).
    Held,
}

/// How the axial load is distributed along the cone (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AxialLoading {
    /// Uniform pressure on the cone's flank: N(x) = P·(D(x)/d)² in the cone. The default.
    FlankPressure,
    /// The whole force at the (truncated) point: N(x) = P. For comparisons only.
    AtTip,
}

/// Discretisation of the eigenproblem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Discretisation {
    /// Intervals on the cone (geometric, finer towards the point).
    pub cone_intervals: usize,
    /// Largest number of intervals on the shaft (uniform, spaced like the cone's widest).
    pub max_shaft_intervals: usize,
}

impl Default for Discretisation {
    /// 40 cone intervals and up to 96 on the shaft: eigenvalues within 0.1 % of the converged
    /// ones (see the tests); one solve takes well under a millisecond in release builds.
    fn default() -> Self {
        Discretisation {
            cone_intervals: 40,
            max_shaft_intervals: 96,
        }
    }
}

/// Nodes x₀ = 0 … x_N of the column, mm from the root: uniform on the shaft, geometric in the
/// distance from the point on the cone.
fn nodes_mm(g: &NeedleGeometry, disc: Discretisation) -> Vec<f64> {
    let l = g.length_mm;
    let t = g.cone_length_mm();
    if t <= 0.0 {
        let n = disc.max_shaft_intervals.max(4);
        return (0..=n).map(|i| l * i as f64 / n as f64).collect();
    }
    let u0 = g.apex_truncation_mm();
    let nc = disc.cone_intervals.max(4);
    let ratio = t / u0;
    // u_k from the point: u0·ratio^(k/nc), k = nc (junction) down to 0 (point)
    let cone_u: Vec<f64> = (0..=nc)
        .rev()
        .map(|k| {
            if k == nc {
                t
            } else {
                u0 * crate::base::math::trig::pow(ratio, k as f64 / nc as f64)
            }
        })
        .collect();
    let shaft = l - t;
    let mut xs = Vec::with_capacity(nc + disc.max_shaft_intervals + 2);
    if shaft > 0.0 {
        let widest = t - cone_u[1];
        let ns = ((shaft / widest).ceil() as usize).clamp(4, disc.max_shaft_intervals.max(4));
        xs.extend((0..ns).map(|j| shaft * j as f64 / ns as f64));
    }
    xs.extend(cone_u.iter().map(|u| l - u));
    xs
}

/// Flexibility-averaged D⁴ of an interval on which D varies linearly from `da` to `db`:
/// h/∫dx/D⁴ = 3(db − da)/(da⁻³ − db⁻³).
fn d4_average(da: f64, db: f64) -> f64 {
    if (db - da).abs() <= 1e-9 * da.max(db) {
        let dm = 0.5 * (da + db);
        dm * dm * dm * dm
    } else {
        3.0 * (db - da) / (da.powi(-3) - db.powi(-3))
    }
}

/// The discrete pencil K θ = P·M θ of one geometry: K tridiagonal, M diagonal, and the
/// node weights w (for the held point's constraint Σ w_i θ_i = 0).
#[derive(Clone, Debug)]
struct Pencil {
    k_diag: Vec<f64>,
    k_off: Vec<f64>,
    m: Vec<f64>,
    w: Vec<f64>,
}

fn assemble(g: &NeedleGeometry, loading: AxialLoading, disc: Discretisation) -> Pencil {
    let xs = nodes_mm(g, disc);
    let n = xs.len() - 1; // unknowns θ_1..θ_N
    let d = g.shaft_diameter_mm;
    let dia = |x: f64| g.diameter_at_mm(g.length_mm - x);
    let h: Vec<f64> = xs.windows(2).map(|w| w[1] - w[0]).collect();
    let mut k_diag = vec![0.0; n];
    let mut k_off = vec![0.0; n.saturating_sub(1)];
    for (e, he) in h.iter().enumerate() {
        let ke = PI / 64.0 * d4_average(dia(xs[e]), dia(xs[e + 1])) / he;
        if e == 0 {
            k_diag[0] += ke;
        } else {
            k_diag[e - 1] += ke;
            k_diag[e] += ke;
            k_off[e - 1] -= ke;
        }
    }
    let w: Vec<f64> = (1..=n)
        .map(|i| 0.5 * (h[i - 1] + if i < n { h[i] } else { 0.0 }))
        .collect();
    let m = (1..=n)
        .map(|i| {
            let shape = match loading {
                AxialLoading::FlankPressure => (dia(xs[i]) / d).powi(2),
                AxialLoading::AtTip => 1.0,
            };
            w[i - 1] * shape
        })
        .collect();
    Pencil {
        k_diag,
        k_off,
        m,
        w,
    }
}

/// A symmetric tridiagonal matrix: diagonal `a`, off-diagonal `b`.
struct Tridiagonal {
    a: Vec<f64>,
    b: Vec<f64>,
}

impl Tridiagonal {
    /// C = M^-½ K M^-½ of a pencil.
    fn scaled(p: &Pencil) -> Self {
        let s: Vec<f64> = p.m.iter().map(|mi| 1.0 / mi.sqrt()).collect();
        Tridiagonal {
            a: p.k_diag.iter().zip(&s).map(|(k, si)| k * si * si).collect(),
            b: p.k_off
                .iter()
                .enumerate()
                .map(|(i, k)| k * s[i] * s[i + 1])
                .collect(),
        }
    }

    /// Eigenvalues below `x` (Sturm count: negative pivots of the LDLᵀ of C − xI).
    fn count_below(&self, x: f64) -> usize {
        let mut count = 0;
        let mut q = 1.0;
        for i in 0..self.a.len() {
            let coupling = if i == 0 {
                0.0
            } else {
                self.b[i - 1] * self.b[i - 1] / q
            };
            q = self.a[i] - x - coupling;
            if q == 0.0 {
                q = -f64::EPSILON * (self.a[i].abs() + x.abs()).max(f64::MIN_POSITIVE);
            }
            if q < 0.0 {
                count += 1;
            }
        }
        count
    }

    /// The `k`-th smallest eigenvalue (k = 0 the smallest) by bisection on the Sturm count.
    fn eigenvalue(&self, k: usize) -> f64 {
        // Gershgorin bounds
        let n = self.a.len();
        let radius = |i: usize| {
            (if i > 0 { self.b[i - 1].abs() } else { 0.0 })
                + (if i + 1 < n { self.b[i].abs() } else { 0.0 })
        };
        let mut lo = (0..n)
            .map(|i| self.a[i] - radius(i))
            .fold(f64::INFINITY, f64::min);
        let mut hi = (0..n)
            .map(|i| self.a[i] + radius(i))
            .fold(f64::NEG_INFINITY, f64::max);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if self.count_below(mid) > k {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        0.5 * (lo + hi)
    }

    /// y = (C − λI)⁻¹·r by the Thomas algorithm (λ strictly between eigenvalues).
    fn solve_shifted(&self, lambda: f64, r: &[f64]) -> Vec<f64> {
        let n = self.a.len();
        let mut c = vec![0.0; n];
        let mut y = vec![0.0; n];
        let guard = |q: f64| if q == 0.0 { f64::MIN_POSITIVE } else { q };
        let mut q = guard(self.a[0] - lambda);
        c[0] = if n > 1 { self.b[0] / q } else { 0.0 };
        y[0] = r[0] / q;
        for i in 1..n {
            q = guard(self.a[i] - lambda - self.b[i - 1] * c[i - 1]);
            c[i] = if i + 1 < n { self.b[i] / q } else { 0.0 };
            y[i] = (r[i] - self.b[i - 1] * y[i - 1]) / q;
        }
        for i in (0..n - 1).rev() {
            y[i] -= c[i] * y[i + 1];
        }
        y
    }
}

/// The smallest buckling load per unit Young's modulus, N/MPa (multiply by E in MPa).
///
/// Free point: the smallest eigenvalue of the tridiagonal C = M^-½ K M^-½, by bisection on
/// its Sturm count. Held point: with c̃ = M^-½ w, the constrained eigenvalues are the roots
/// of the secular function g(λ) = c̃ᵀ(C − λI)⁻¹c̃, which rises from −∞ to +∞ between the
/// first two eigenvalues of C; the smallest root is found there by bisection. Both are O(N)
/// per step and deterministic; [`elastic_load_per_modulus_dense`] solves the same pencil with
/// nalgebra's dense symmetric eigensolver and the tests hold the two together.
///
/// # Examples
/// ```
/// use needlemap::model::strength::buckling::*;
/// use needlemap::model::strength::geometry::NeedleGeometry;
/// // a blunt cylinder, clamped–free: π²EI/(2L)²
/// let g = NeedleGeometry { length_mm: 2.0, shaft_diameter_mm: 0.1, tip_length_mm: 0.0, tip_radius_um: 0.0 };
/// let p = elastic_load_per_modulus(&g, TipSupport::Free, AxialLoading::FlankPressure,
///     Discretisation::default());
/// let exact = euler_cylinder_n(1.0, 0.1, 2.0, K_CLAMPED_FREE);
/// assert!((p / exact - 1.0).abs() < 1e-3);
/// ```
pub fn elastic_load_per_modulus(
    g: &NeedleGeometry,
    support: TipSupport,
    loading: AxialLoading,
    disc: Discretisation,
) -> f64 {
    let p = assemble(g, loading, disc);
    let c = Tridiagonal::scaled(&p);
    let l1 = c.eigenvalue(0);
    match support {
        TipSupport::Free => l1,
        TipSupport::Held => {
            let l2 = c.eigenvalue(1);
            let ct: Vec<f64> = p.w.iter().zip(&p.m).map(|(w, m)| w / m.sqrt()).collect();
            let g = |lambda: f64| -> f64 {
                c.solve_shifted(lambda, &ct)
                    .iter()
                    .zip(&ct)
                    .map(|(y, r)| y * r)
                    .sum()
            };
            let (mut lo, mut hi) = (l1, l2);
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                if mid <= lo || mid >= hi {
                    break;
                }
                if g(mid) < 0.0 {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            0.5 * (lo + hi)
        }
    }
}

/// [`elastic_load_per_modulus`] by nalgebra's dense `SymmetricEigen` (the reference): free
/// point, the smallest eigenvalue of M^-½ K M^-½; held point, the pencil restricted to
/// Σ w_i θ_i = 0 through a Householder basis, its dense reduced M factorised by Cholesky.
/// O(N³): for tests and checks, not for per-needle use.
pub fn elastic_load_per_modulus_dense(
    g: &NeedleGeometry,
    support: TipSupport,
    loading: AxialLoading,
    disc: Discretisation,
) -> f64 {
    let p = assemble(g, loading, disc);
    let n = p.k_diag.len();
    let k = DMatrix::from_fn(n, n, |i, j| {
        if i == j {
            p.k_diag[i]
        } else if i + 1 == j {
            p.k_off[i]
        } else if j + 1 == i {
            p.k_off[j]
        } else {
            0.0
        }
    });
    match support {
        TipSupport::Free => {
            let s: Vec<f64> = p.m.iter().map(|mi| 1.0 / mi.sqrt()).collect();
            smallest_eigenvalue(DMatrix::from_fn(n, n, |i, j| k[(i, j)] * s[i] * s[j]))
        }
        TipSupport::Held => {
            // Householder reflector H with H·w ∝ e₀; its columns 1.. span {θ : Σ w_i θ_i = 0}
            let norm = p.w.iter().map(|x| x * x).sum::<f64>().sqrt();
            let mut v: Vec<f64> = p.w.iter().map(|x| x / norm).collect();
            v[0] += 1.0; // w > 0, so sign(w₀) = +1
            let vv: f64 = v.iter().map(|x| x * x).sum();
            let hmat = DMatrix::from_fn(n, n, |i, j| {
                (if i == j { 1.0 } else { 0.0 }) - 2.0 * v[i] * v[j] / vv
            });
            let q = hmat.columns(1, n - 1).into_owned();
            let kr = q.transpose() * &k * &q;
            let mdiag = DMatrix::from_diagonal(&nalgebra::DVector::from_vec(p.m.clone()));
            let mr = q.transpose() * mdiag * &q;
            let chol = mr
                .cholesky()
                .expect("reduced weight matrix is positive definite");
            let l = chol.l();
            let y = l
                .solve_lower_triangular(&kr)
                .expect("Cholesky factor is invertible");
            let c = l
                .solve_lower_triangular(&y.transpose())
                .expect("Cholesky factor is invertible");
            smallest_eigenvalue(0.5 * (&c + c.transpose()))
        }
    }
}

fn smallest_eigenvalue(c: DMatrix<f64>) -> f64 {
    SymmetricEigen::new(c)
        .eigenvalues
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min)
}

/// Euler load of a uniform cylinder, π²EI/(KL)², N (E in MPa, lengths in mm).
pub fn euler_cylinder_n(youngs_modulus_mpa: f64, diameter_mm: f64, length_mm: f64, k: f64) -> f64 {
    let i = PI * diameter_mm.powi(4) / 64.0;
    PI * PI * youngs_modulus_mpa * i / (k * length_mm).powi(2)
}

/// Transition slenderness of Johnson's parabola, λ_t = √(2π²E/S_y).
pub fn transition_slenderness(youngs_modulus_mpa: f64, yield_strength_mpa: f64) -> f64 {
    (2.0 * PI * PI * youngs_modulus_mpa / yield_strength_mpa).sqrt()
}

/// Euler or Johnson load of a uniform cylinder, N: with k = d/4 and λ = KL/k, Euler when
/// λ ≥ λ_t, else A·S_y·[1 − (S_y/(4π²E))·λ²].
pub fn critical_cylinder_n(
    youngs_modulus_mpa: f64,
    yield_strength_mpa: f64,
    diameter_mm: f64,
    length_mm: f64,
    k: f64,
) -> f64 {
    let lambda = k * length_mm / (diameter_mm / 4.0);
    if lambda >= transition_slenderness(youngs_modulus_mpa, yield_strength_mpa) {
        euler_cylinder_n(youngs_modulus_mpa, diameter_mm, length_mm, k)
    } else {
        let a = PI * diameter_mm * diameter_mm / 4.0;
        a * yield_strength_mpa
            * (1.0 - yield_strength_mpa / (4.0 * PI * PI * youngs_modulus_mpa) * lambda * lambda)
    }
}

/// Johnson's correction of an elastic (Euler) load `euler_n` for a column whose squash load
/// is `squash_n` = S_y·A: Euler when P_E ≤ P_y/2, else P_y·(1 − P_y/(4·P_E)).
///
/// # Examples
/// ```
/// use needlemap::model::strength::buckling::johnson_critical_load_n;
/// assert_eq!(johnson_critical_load_n(1.0, 10.0), 1.0); // slender: Euler
/// assert_eq!(johnson_critical_load_n(10.0, 10.0), 7.5); // stocky: Johnson
/// ```
pub fn johnson_critical_load_n(euler_n: f64, squash_n: f64) -> f64 {
    if euler_n <= 0.5 * squash_n {
        euler_n
    } else {
        squash_n * (1.0 - squash_n / (4.0 * euler_n))
    }
}

/// Elastic buckling loads of one geometry per unit modulus, N/MPa.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ElasticCapacity {
    /// Clamped–free (point free), N per MPa of E.
    pub free_n_per_mpa: f64,
    /// Clamped–pinned (point held), N per MPa of E.
    pub held_n_per_mpa: f64,
}

impl ElasticCapacity {
    /// Solves both supports for `g` with flank-pressure loading.
    pub fn solve(g: &NeedleGeometry, disc: Discretisation) -> Self {
        ElasticCapacity {
            free_n_per_mpa: elastic_load_per_modulus(
                g,
                TipSupport::Free,
                AxialLoading::FlankPressure,
                disc,
            ),
            held_n_per_mpa: elastic_load_per_modulus(
                g,
                TipSupport::Held,
                AxialLoading::FlankPressure,
                disc,
            ),
        }
    }
}

/// A cache of [`ElasticCapacity`] per distinct geometry, so a device whose needles share a
/// shape is solved once, and a Monte Carlo run reuses the solves of earlier runs.
///
/// Keys are the bit patterns of (L, d, t, r_tip), optionally with L rounded to a multiple of
/// `length_quantum_mm` first (for designs whose lengths vary needle by needle: a 0.1 µm
/// quantum moves a 1 mm needle's load by 2·10⁻⁴ relative). Lookups never depend on insertion
/// order, so results are the same with any thread count; share one cache per thread, or
/// fill one up front and read it from all threads.
#[derive(Clone, Debug, Default)]
pub struct BucklingCache {
    map: HashMap<[u64; 4], ElasticCapacity>,
    /// Round lengths to a multiple of this before solving, mm; 0 for exact keys.
    pub length_quantum_mm: f64,
    /// The discretisation used for every solve.
    pub discretisation: Discretisation,
}

impl BucklingCache {
    /// An empty cache with exact keys and the default discretisation.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty cache that rounds lengths to `quantum_mm` (> 0) before solving.
    pub fn with_length_quantum_mm(quantum_mm: f64) -> Self {
        assert!(quantum_mm > 0.0, "a length quantum is positive");
        BucklingCache {
            length_quantum_mm: quantum_mm,
            ..Self::default()
        }
    }

    /// Distinct geometries solved so far.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether nothing has been solved yet.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The elastic capacity of `g`, solved on first use.
    pub fn elastic(&mut self, g: &NeedleGeometry) -> ElasticCapacity {
        let (key, g) = cache_key(g, self.length_quantum_mm);
        let disc = self.discretisation;
        *self
            .map
            .entry(key)
            .or_insert_with(|| ElasticCapacity::solve(&g, disc))
    }
}

/// The key of `g` in a cache that rounds lengths to `quantum_mm` (0: exact), and the geometry
/// that is solved for it.
fn cache_key(g: &NeedleGeometry, quantum_mm: f64) -> ([u64; 4], NeedleGeometry) {
    let mut g = *g;
    if quantum_mm > 0.0 {
        g.length_mm = ((g.length_mm / quantum_mm).round() * quantum_mm).max(quantum_mm);
    }
    let key = [
        g.length_mm.to_bits(),
        g.shaft_diameter_mm.to_bits(),
        g.cone_length_mm().to_bits(),
        g.tip_radius_um.to_bits(),
    ];
    (key, g)
}

/// Length quantum of the analyses' shared cache, mm: a 0.1 µm step moves a 1 mm needle's
/// buckling load by at most 10⁻⁴ of itself, and lets a Monte Carlo run, whose needles all
/// differ in length, reuse the solves of the runs before it.
pub const SHARED_LENGTH_QUANTUM_MM: f64 = 1e-4;

/// Most geometries the shared cache holds; it starts afresh beyond (the values are a function
/// of the key alone, so this changes no result).
const SHARED_CAPACITY: usize = 1 << 16;

/// The elastic capacity of `g` from one cache shared by every analysis of the process
/// (lengths rounded to [`SHARED_LENGTH_QUANTUM_MM`], the default discretisation). A solve runs
/// outside the lock; the value depends on the geometry's key alone, so results are the same
/// whatever ran before and on any thread count.
pub fn shared_elastic(g: &NeedleGeometry) -> ElasticCapacity {
    use std::sync::{Mutex, OnceLock};
    static SHARED: OnceLock<Mutex<HashMap<[u64; 4], ElasticCapacity>>> = OnceLock::new();
    let map = SHARED.get_or_init(Default::default);
    let (key, g) = cache_key(g, SHARED_LENGTH_QUANTUM_MM);
    if let Some(c) = map.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return *c;
    }
    let c = ElasticCapacity::solve(&g, Discretisation::default());
    let mut m = map.lock().unwrap_or_else(|e| e.into_inner());
    if m.len() >= SHARED_CAPACITY {
        m.clear();
    }
    m.insert(key, c);
    c
}

/// Buckling capacity of one needle in one material.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BucklingCapacity {
    /// Elastic (Euler) load with the point free, N.
    pub euler_free_n: f64,
    /// Elastic (Euler) load with the point held, N.
    pub euler_held_n: f64,
    /// Squash load of the shaft S_y·A, N.
    pub squash_n: f64,
    /// Buckling load with the point free, Johnson-corrected, N.
    pub critical_free_n: f64,
    /// Buckling load with the point held, Johnson-corrected, N.
    pub critical_held_n: f64,
    /// Equivalent slenderness π√(EA/P_E) with the point held (compare with λ_t).
    pub equivalent_slenderness_held: f64,
    /// Johnson's transition slenderness √(2π²E/S_y) of the material.
    pub transition_slenderness: f64,
}

impl BucklingCapacity {
    /// Capacity of `elastic` (per unit modulus, for geometry `g`) in material `mat`.
    pub fn new(g: &NeedleGeometry, elastic: ElasticCapacity, mat: &MaterialProps) -> Self {
        let e = mat.youngs_modulus_mpa;
        let a = g.shaft_area_mm2();
        let squash_n = mat.yield_strength_mpa * a;
        let euler_free_n = elastic.free_n_per_mpa * e;
        let euler_held_n = elastic.held_n_per_mpa * e;
        BucklingCapacity {
            euler_free_n,
            euler_held_n,
            squash_n,
            critical_free_n: johnson_critical_load_n(euler_free_n, squash_n),
            critical_held_n: johnson_critical_load_n(euler_held_n, squash_n),
            equivalent_slenderness_held: PI * (e * a / euler_held_n).sqrt(),
            transition_slenderness: transition_slenderness(e, mat.yield_strength_mpa),
        }
    }
}

/// Which phase of insertion sets a buckling factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InsertionPhase {
    /// Pressing on the skin before puncture: point free, load up to the puncture force.
    BeforePuncture,
    /// Inserted: point held, load up to the force at insertion depth.
    Inserted,
}

/// A needle's buckling safety factor and what sets it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BucklingCheck {
    /// min over phases of buckling load / axial load (∞ with no load).
    pub factor: f64,
    /// The phase that sets it.
    pub phase: InsertionPhase,
    /// The axial load of that phase, N.
    pub load_n: f64,
    /// The buckling load of that phase, N.
    pub critical_n: f64,
}

/// Buckling factor of a needle that carries `before_puncture_n` with its point free and, if
/// it pierces, `inserted_n` with its point held: min(P_free/F_before, P_held/F_inserted).
pub fn buckling_check(
    cap: &BucklingCapacity,
    before_puncture_n: f64,
    inserted_n: Option<f64>,
) -> BucklingCheck {
    let ratio = |p: f64, f: f64| if f > 0.0 { p / f } else { f64::INFINITY };
    let before = BucklingCheck {
        factor: ratio(cap.critical_free_n, before_puncture_n),
        phase: InsertionPhase::BeforePuncture,
        load_n: before_puncture_n,
        critical_n: cap.critical_free_n,
    };
    match inserted_n {
        Some(f) => {
            let after = BucklingCheck {
                factor: ratio(cap.critical_held_n, f),
                phase: InsertionPhase::Inserted,
                load_n: f,
                critical_n: cap.critical_held_n,
            };
            if after.factor < before.factor {
                after
            } else {
                before
            }
        }
        None => before,
    }
}
