//! Confidence limits for a Poisson count: the exact (Garwood) interval and Byar's
//! approximation, as used by PHE / OHID Fingertips ("exact for counts below 10,
//! Byar's method above").
//!
//! All functions here take the observed count `o` as an `f64`: a non-integer count
//! (e.g. an average over years, or events weighted by a frequency) is allowed, the
//! chi-square quantiles then having a non-integer number of degrees of freedom.
//! Invalid input (negative or non-finite count, level outside (0,1)) gives NaN
//! limits, never a panic.

use statrs::distribution::{ChiSquared, ContinuousCDF};
use statrs::function::gamma::{checked_gamma_lr, checked_gamma_ur};

use super::{level_is_valid, z_for_level, Limits, Method};

/// Counts below this use the exact interval in [`poisson_limits`]; counts at or
/// above it use Byar's approximation (PHE Fingertips technical guidance).
pub const EXACT_BELOW: f64 = 10.0;

/// Counts from which [`exact_limits`] uses Byar's formula: there the incomplete
/// gamma function of statrs is accurate only to about 1e-9 (and fails for counts
/// near 1e15), while Byar's formula — the Wilson–Hilferty cube-root form of the
/// same chi-square quantiles — agrees with the exact limits to better than 2e-10
/// relative at 10⁶ and ever more closely above.
pub const EXACT_VIA_BYAR_FROM: f64 = 1e6;

/// The `p` quantile of a chi-square distribution with `df` degrees of freedom.
///
/// Uses `statrs::distribution::ChiSquared::inverse_cdf` when the shape `df/2` is at
/// least 1 and checks its result against the chi-square distribution function
/// (statrs' regularised incomplete gamma, relative error of the tail probability
/// ≤ 1e-8). Otherwise — small shapes, where statrs' bracketing stops early or
/// underflows (a tail quantile below 1e-9 is returned as 4.66e-10, and a
/// subnormal shape panics) — or when the check fails, the same distribution
/// function is inverted by bisection ([`gamma_quantile_by_bisection`]). NaN (never
/// a panic) for an invalid `p` or `df`.
fn chi_square_quantile(p: f64, df: f64) -> f64 {
    if !(p > 0.0 && p < 1.0 && df > 0.0 && df.is_finite()) {
        return f64::NAN;
    }
    let shape = df / 2.0;
    if shape >= 1.0 {
        if let Ok(dist) = ChiSquared::new(df) {
            let x = dist.inverse_cdf(p);
            if gamma_quantile_is_accurate(shape, x / 2.0, p) {
                return x;
            }
        }
    }
    2.0 * gamma_quantile_by_bisection(shape, p)
}

/// Whether `y` is the `p` quantile of a Gamma(shape, 1) distribution to 1e-8 in
/// relative terms of the smaller tail probability.
///
/// Source: definition of a quantile; statrs `checked_gamma_lr` / `checked_gamma_ur`.
fn gamma_quantile_is_accurate(shape: f64, y: f64, p: f64) -> bool {
    if !(y > 0.0 && y.is_finite()) {
        return false;
    }
    let (tail, target) = if p <= 0.5 { (checked_gamma_lr(shape, y), p) } else { (checked_gamma_ur(shape, y), 1.0 - p) };
    matches!(tail, Ok(t) if (t / target - 1.0).abs() <= 1e-8)
}

/// The `p` quantile `y` of a Gamma(shape, 1) distribution (`P(shape, y) = p`, with `P`
/// the regularised lower incomplete gamma function of statrs), found by bisection
/// on a geometric scale down to the smallest normal double (a quantile below it is
/// returned as 0), to 1e-15 relative precision. The smaller tail is used (`P` when
/// `p ≤ 0.5`, else `Q = 1 − P`) so that tail probabilities keep full precision.
///
/// Source: a numerical inversion of the exact distribution function (no
/// approximation formula); statrs `checked_gamma_lr` / `checked_gamma_ur`.
fn gamma_quantile_by_bisection(shape: f64, p: f64) -> f64 {
    // below(y): is y below the quantile?
    let below = |y: f64| -> Option<bool> {
        if p <= 0.5 {
            checked_gamma_lr(shape, y).ok().map(|t| t < p)
        } else {
            checked_gamma_ur(shape, y).ok().map(|t| t > 1.0 - p)
        }
    };
    let mut lo = f64::MIN_POSITIVE;
    match below(lo) {
        Some(false) => return 0.0,
        Some(true) => {}
        None => return f64::NAN,
    }
    let mut hi = shape.max(1.0);
    let mut expansions = 0;
    loop {
        match below(hi) {
            Some(true) => {
                lo = hi;
                hi *= 2.0;
                expansions += 1;
                if expansions > 1100 || !hi.is_finite() {
                    return f64::NAN;
                }
            }
            Some(false) => break,
            None => return f64::NAN,
        }
    }
    for _ in 0..400 {
        if hi - lo <= 1e-15 * hi {
            break;
        }
        let mid = if hi > 4.0 * lo { lo.sqrt() * hi.sqrt() } else { 0.5 * (lo + hi) };
        match below(mid) {
            Some(true) => lo = mid,
            Some(false) => hi = mid,
            None => return f64::NAN,
        }
    }
    0.5 * (lo + hi)
}

/// Exact confidence limits for a Poisson count `o` at confidence `level`:
/// `lower = χ²(α/2; 2O)/2` (0 when O = 0) and `upper = χ²(1 − α/2; 2O + 2)/2`,
/// where `χ²(p; ν)` is the `p` quantile of a chi-square with ν degrees of freedom
/// and α = 1 − level. Quantiles from `statrs::distribution::ChiSquared::inverse_cdf`,
/// checked and if needed refined by bisection on statrs' chi-square distribution
/// function (see `chi_square_quantile`); accurate to about 1e-10 relative. For
/// `O ≥ 10⁶` ([`EXACT_VIA_BYAR_FROM`]) the limits are computed with Byar's formula,
/// which is then as close to the exact limits as statrs' incomplete gamma
/// function is (< 2e-10 relative).
///
/// Source: Garwood F. Fiducial limits for the Poisson distribution. Biometrika
/// 1936;28:437-442; as given in Armitage P, Berry G, Matthews JNS, *Statistical
/// Methods in Medical Research*, 4th ed., 2002, and in the PHE technical
/// guide "Confidence intervals" (exact method for counts below 10).
pub fn exact_limits(o: f64, level: f64) -> Limits {
    if !(o >= 0.0 && o.is_finite() && level_is_valid(level)) {
        return Limits::nan();
    }
    if o >= EXACT_VIA_BYAR_FROM {
        return byar_limits(o, level);
    }
    let alpha = 1.0 - level;
    let lower = if o == 0.0 { 0.0 } else { chi_square_quantile(alpha / 2.0, 2.0 * o) / 2.0 };
    let upper = chi_square_quantile(1.0 - alpha / 2.0, 2.0 * o + 2.0) / 2.0;
    Limits { lower, upper }
}

/// Byar's approximation to the exact Poisson limits of a count `o`:
/// `lower = O (1 − 1/(9O) − z/(3√O))³` (0 when O = 0) and
/// `upper = (O + 1) (1 − 1/(9(O + 1)) + z/(3√(O + 1)))³`, with `z = Φ⁻¹(1 − α/2)`.
/// The lower limit is floored at 0 (the cube goes negative only for O < 1, where
/// [`poisson_limits`] never uses this approximation).
///
/// Source: Breslow NE, Day NE. *Statistical Methods in Cancer Research, Vol. II:
/// The Design and Analysis of Cohort Studies*. IARC Sci Publ 82, 1987
/// (Byar's approximation); PHEindicatormethods `byars_lower` / `byars_upper`.
pub fn byar_limits(o: f64, level: f64) -> Limits {
    byar_with_z(o, z_for_level(level))
}

/// [`byar_limits`] with the normal quantile `z` already computed (used by the
/// vectorised functions so that `z` is computed once for many groups).
pub(crate) fn byar_with_z(o: f64, z: f64) -> Limits {
    if !(o >= 0.0 && o.is_finite() && z.is_finite()) {
        return Limits::nan();
    }
    let lower = if o == 0.0 { 0.0 } else { o * (1.0 - 1.0 / (9.0 * o) - z / (3.0 * o.sqrt())).powi(3) };
    let o1 = o + 1.0;
    let upper = o1 * (1.0 - 1.0 / (9.0 * o1) + z / (3.0 * o1.sqrt())).powi(3);
    Limits { lower: lower.max(0.0), upper }
}

/// Poisson limits for a count as Fingertips computes them: exact (Garwood) when
/// `o < 10`, Byar's approximation otherwise; returns the method used.
///
/// Source: PHE technical guide "Confidence intervals" / Fingertips methods
/// (Byar's method for counts of 10 or more, the exact method below 10);
/// Garwood 1936; Breslow & Day 1987.
pub fn poisson_limits(o: f64, level: f64) -> (Limits, Method) {
    if o < EXACT_BELOW {
        (exact_limits(o, level), Method::Exact)
    } else {
        (byar_limits(o, level), Method::Byar)
    }
}

/// [`poisson_limits`] for many counts at one level, with the quantiles computed
/// once: `z` for Byar's method, and the exact limits of the integer counts 0…9.
/// Gives exactly (bit for bit) the values of [`poisson_limits`].
///
/// Source: as [`poisson_limits`]; the table is a cache, not an approximation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PoissonTable {
    level: f64,
    z: f64,
    exact: [Limits; 10],
}

impl PoissonTable {
    /// The table for one confidence level (NaN limits if the level is invalid).
    ///
    /// Source: [`exact_limits`], [`z_for_level`].
    pub(crate) fn new(level: f64) -> PoissonTable {
        let mut exact = [Limits::nan(); 10];
        for (k, slot) in exact.iter_mut().enumerate() {
            *slot = exact_limits(k as f64, level);
        }
        PoissonTable { level, z: z_for_level(level), exact }
    }

    /// The limits of count `o` and the method, as [`poisson_limits`] gives them.
    ///
    /// Source: [`poisson_limits`].
    pub(crate) fn limits(&self, o: f64) -> (Limits, Method) {
        if o < EXACT_BELOW {
            if o >= 0.0 && o.fract() == 0.0 {
                // o is an integer in 0..=9 here.
                (self.exact[o as usize], Method::Exact)
            } else {
                (exact_limits(o, self.level), Method::Exact)
            }
        } else {
            (byar_with_z(o, self.z), Method::Byar)
        }
    }
}

/// The funnel-plot control limits, in counts, for a Poisson count whose mean under
/// the target is `mu > 0`, at two-sided tail probability `tail` on each side
/// (0.025 for 95 %, 0.001 for 99.8 %).
///
/// The upper limit is the count `c` whose exact lower confidence limit equals `mu`
/// (`χ²(tail; 2c)/2 = mu`, i.e. `P(c, mu) = tail` with `P` the regularised lower
/// incomplete gamma function); the lower limit is the count `c` whose exact upper
/// confidence limit equals `mu` (`χ²(1 − tail; 2c + 2)/2 = mu`, i.e.
/// `Q(c + 1, mu) = tail`), or 0 when even `c = 0` has an upper limit ≥ `mu`
/// (`e^(−mu) ≥ tail`). For integer `c`, `P(c, mu) = Pr(Poisson(mu) ≥ c)` and
/// `Q(c + 1, mu) = Pr(Poisson(mu) ≤ c)`, so these are the exact Poisson control
/// limits of Spiegelhalter, with the continuous interpolation given by the gamma
/// function; a count is outside them exactly when its exact (Garwood) interval
/// excludes `mu`, which is the significance test of PHE's funnel tools.
///
/// Source: Spiegelhalter DJ. Funnel plots for comparing institutional performance.
/// Stat Med 2005;24:1185-1202 (Poisson outcomes); PHE
/// "Technical guide: funnel plots" (exact Poisson limits found by inverting the
/// exact interval of the count); Garwood 1936. The incomplete gamma functions are
/// `statrs::function::gamma`; `c` is found by bisection to 1e-12 relative
/// precision (a numerical inversion of an exact function, not an approximation).
pub(crate) fn count_control_limits(mu: f64, tail: f64) -> Limits {
    if !(mu > 0.0 && mu.is_finite() && tail > 0.0 && tail < 0.5) {
        return Limits::nan();
    }
    if mu >= EXACT_VIA_BYAR_FROM {
        // As in exact_limits: Byar's form of the same chi-square quantiles (statrs'
        // incomplete gamma is both slow and imprecise for such shapes).
        return byar_control_limits(mu, tail);
    }
    // Upper: f(c) = P(c, mu) − tail is decreasing in c, from 1 − tail (c → 0) to −tail.
    let upper = bisect_decreasing(|c| checked_gamma_lr(c, mu).map(|p| p - tail).unwrap_or(f64::NAN), mu);
    // Lower: g(c) = Q(c + 1, mu) − tail is increasing in c; g(0) = e^(−mu) − tail.
    let lower = if (-mu).exp() >= tail {
        0.0
    } else {
        bisect_decreasing(|c| checked_gamma_ur(c + 1.0, mu).map(|q| tail - q).unwrap_or(f64::NAN), mu)
    };
    Limits { lower, upper }
}

/// [`count_control_limits`] for large means (`mu ≥ 10⁶`): the counts whose Byar
/// lower limit (for the upper control count) or Byar upper limit (for the lower
/// one) equals `mu`, both increasing in the count there, found by bisection.
///
/// Source: Byar's approximation (Breslow & Day 1987), inverted numerically.
fn byar_control_limits(mu: f64, tail: f64) -> Limits {
    let z = z_for_level(1.0 - 2.0 * tail);
    let upper = bisect_decreasing(|c| mu - byar_with_z(c, z).lower, mu);
    let lower = bisect_decreasing(|c| mu - byar_with_z(c, z).upper, mu);
    Limits { lower, upper }
}

/// The root in (0, ∞) of a function that is positive near 0 and decreasing, found
/// by bracketing from `scale` and bisection. NaN if no bracket is found.
///
/// Source: plain bisection (no approximation formula).
fn bisect_decreasing(f: impl Fn(f64) -> f64, scale: f64) -> f64 {
    let mut lo = 0.0_f64;
    let mut hi = scale.max(1.0);
    let mut expansions = 0;
    loop {
        let v = f(hi);
        if v.is_nan() {
            return f64::NAN;
        }
        if v <= 0.0 {
            break;
        }
        lo = hi;
        hi *= 2.0;
        expansions += 1;
        if expansions > 1100 || !hi.is_finite() {
            return f64::NAN;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if hi - lo <= 1e-12 * hi {
            break;
        }
        let v = f(mid.max(f64::MIN_POSITIVE));
        if v.is_nan() {
            return f64::NAN;
        }
        if v > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// Exact 95 % limits for O = 0…10, from the published tables of Garwood limits
    /// (Sahai H, Khurshid A. Confidence intervals for the mean of a Poisson
    /// distribution: a review. Biometrical J 1993;35:857-867; the same values are
    /// in Ulm K, Am J Epidemiol 1990;131:373-375), 4 decimals; also recomputed
    /// with mpmath.
    const GARWOOD_95: [(f64, f64, f64); 11] = [
        (0.0, 0.0, 3.6889),
        (1.0, 0.0253, 5.5716),
        (2.0, 0.2422, 7.2247),
        (3.0, 0.6187, 8.7673),
        (4.0, 1.0899, 10.2416),
        (5.0, 1.6235, 11.6683),
        (6.0, 2.2019, 13.0595),
        (7.0, 2.8144, 14.4227),
        (8.0, 3.4538, 15.7632),
        (9.0, 4.1154, 17.0848),
        (10.0, 4.7954, 18.3904),
    ];

    #[test]
    fn exact_limits_match_garwood_tables() {
        for (o, lo, up) in GARWOOD_95 {
            let l = exact_limits(o, 0.95);
            assert!(close(l.lower, lo, 6e-5), "O={o} lower {} vs {lo}", l.lower);
            assert!(close(l.upper, up, 6e-5), "O={o} upper {} vs {up}", l.upper);
        }
    }

    #[test]
    fn exact_limits_closed_forms() {
        // With 2 degrees of freedom the chi-square quantile is −2 ln(1 − p), so
        // O = 0: upper = −ln(α/2); O = 1: lower = −ln(1 − α/2). statrs' quantiles
        // are accurate to about 1e-10 relative (3.688879453857 vs 3.688879454114).
        assert_eq!(exact_limits(0.0, 0.95).lower, 0.0);
        assert!(close(exact_limits(0.0, 0.95).upper, -(0.025_f64.ln()), 1e-9)); // 3.688879
        assert!(close(exact_limits(0.0, 0.998).upper, -(0.001_f64.ln()), 1e-9)); // 6.907755
        assert!(close(exact_limits(1.0, 0.95).lower, -(0.975_f64.ln()), 1e-12)); // 0.025318
        assert!(close(exact_limits(1.0, 0.998).lower, -(0.999_f64.ln()), 1e-12));
        // 0.0010005
    }

    #[test]
    fn exact_limits_at_99_8() {
        // Independent computation with mpmath (30 digits, bisection on the regularised
        // incomplete gamma): O = 5 → 0.739372, 16.454745; O = 9 → 2.452424, 22.657373.
        let l = exact_limits(5.0, 0.998);
        assert!(close(l.lower, 0.739_371_731_9, 1e-8) && close(l.upper, 16.454_745_203_7, 1e-8), "{l:?}");
        let l = exact_limits(9.0, 0.998);
        assert!(close(l.lower, 2.452_424_404_4, 1e-8) && close(l.upper, 22.657_373_309_1, 1e-8), "{l:?}");
    }

    #[test]
    fn small_non_integer_counts() {
        // Independent values (mpmath, 40 digits, bisection on the regularised incomplete
        // gamma): O = 0.5 → lower 4.91034558588e-4 (95 %), 7.85398574631e-7 (99.8 %);
        // O = 0.1 → lower 5.7917102455e-17 (95 %), 6.0730483624e-31 (99.8 %).
        // statrs' inverse alone returns 4.66e-10 for the last two.
        let l = exact_limits(0.5, 0.95);
        assert!((l.lower / 4.910_345_585_876e-4 - 1.0).abs() < 1e-8, "{l:?}");
        let l = exact_limits(0.5, 0.998);
        assert!((l.lower / 7.853_985_746_312e-7 - 1.0).abs() < 1e-8, "{l:?}");
        let l = exact_limits(0.1, 0.95);
        assert!((l.lower / 5.791_710_245_521_5e-17 - 1.0).abs() < 1e-8, "{l:?}");
        assert!((l.upper - 3.896_008_984_438_81).abs() < 1e-8, "{l:?}");
        let l = exact_limits(0.1, 0.998);
        assert!((l.lower / 6.073_048_362_408e-31 - 1.0).abs() < 1e-8, "{l:?}");
        for o in [0.3, 0.1, 0.01, 1e-5] {
            for level in [0.95, 0.998] {
                let l = exact_limits(o, level);
                let tail = checked_gamma_lr(o, l.lower).unwrap_or(f64::NAN);
                let target = (1.0 - level) / 2.0;
                assert!(l.lower == 0.0 || (tail / target - 1.0).abs() < 1e-9, "O={o} {l:?} P={tail}");
                assert!(l.lower < o && o < l.upper);
            }
        }
        // Subnormal counts do not panic (statrs' own inverse would).
        let l = exact_limits(5e-324, 0.95);
        assert_eq!(l.lower, 0.0);
        assert!((l.upper - 3.688_879_454).abs() < 1e-8);
    }

    #[test]
    fn large_counts() {
        // From 10⁶ on, Byar's formula; below, the checked chi-square quantiles, which agree
        // with it to < 1e-9 relative at 999 999.
        let (a, b) = (exact_limits(999_999.0, 0.998), byar_limits(999_999.0, 0.998));
        assert!((a.lower / b.lower - 1.0).abs() < 1e-9 && (a.upper / b.upper - 1.0).abs() < 1e-9);
        assert_eq!(exact_limits(1e6, 0.95), byar_limits(1e6, 0.95));
        for o in [1e7, 1e12, 1e15] {
            let l = exact_limits(o, 0.95);
            assert!(l.lower < o && o < l.upper, "{o} {l:?}");
        }
        let l = exact_limits(1e300, 0.95);
        assert!(l.lower <= 1e300 && 1e300 <= l.upper, "{l:?}");
    }

    #[test]
    fn non_integer_counts_lie_between_neighbours() {
        let a = exact_limits(2.0, 0.95);
        let b = exact_limits(2.5, 0.95);
        let c = exact_limits(3.0, 0.95);
        assert!(a.lower < b.lower && b.lower < c.lower);
        assert!(a.upper < b.upper && b.upper < c.upper);
    }

    #[test]
    fn byar_hand_values() {
        // O = 10, z = 1.959964: lower = 10 (1 − 1/90 − 1.959964/(3·3.162278))³
        //   = 10 × (1 − 0.011111 − 0.206598)³ = 10 × (0.782291)³ = 4.787450;
        // upper = 11 (1 − 1/99 + 1.959964/(3·3.316625))³ = 11 × (1.1868812)³ = 18.391459.
        // (mpmath: 4.78744991397, 18.3914586058; exact: 4.7954, 18.3904.)
        let l = byar_limits(10.0, 0.95);
        assert!(close(l.lower, 4.787_449_914, 1e-8), "{l:?}");
        assert!(close(l.upper, 18.391_458_606, 1e-8), "{l:?}");
        // O = 100 at 99.8 %: mpmath 71.9036918726, 134.943621762.
        let l = byar_limits(100.0, 0.998);
        assert!(close(l.lower, 71.903_691_873, 1e-8) && close(l.upper, 134.943_621_762, 1e-8), "{l:?}");
        // Byar is close to exact at O = 10.
        let e = exact_limits(10.0, 0.95);
        assert!(close(byar_limits(10.0, 0.95).lower, e.lower, 0.01));
        assert!(close(byar_limits(10.0, 0.95).upper, e.upper, 0.01));
        assert_eq!(byar_limits(0.0, 0.95).lower, 0.0);
        assert!(close(
            byar_limits(0.0, 0.95).upper,
            (1.0_f64 - 1.0 / 9.0 + 1.959_963_984_540_054 / 3.0).powi(3),
            1e-12
        ));
    }

    #[test]
    fn poisson_limits_switches_at_ten() {
        assert_eq!(poisson_limits(9.0, 0.95).1, Method::Exact);
        assert_eq!(poisson_limits(9.999, 0.95).1, Method::Exact);
        assert_eq!(poisson_limits(10.0, 0.95).1, Method::Byar);
        assert_eq!(poisson_limits(10.0, 0.95).0, byar_limits(10.0, 0.95));
        assert_eq!(poisson_limits(3.0, 0.95).0, exact_limits(3.0, 0.95));
    }

    #[test]
    fn invalid_inputs_give_nan_not_panics() {
        for o in [-1.0, f64::NAN, f64::INFINITY] {
            let l = exact_limits(o, 0.95);
            assert!(l.lower.is_nan() && l.upper.is_nan());
            let l = byar_limits(o, 0.95);
            assert!(l.lower.is_nan() && l.upper.is_nan());
        }
        for level in [0.0, 1.0, 95.0, f64::NAN] {
            assert!(exact_limits(3.0, level).upper.is_nan());
            assert!(byar_limits(30.0, level).upper.is_nan());
        }
        // Extreme but valid counts do not panic.
        let l = exact_limits(1e-300, 0.95);
        assert!(l.upper.is_finite());
        let l = exact_limits(1e9, 0.95);
        assert!(l.lower < 1e9 && l.upper > 1e9);
        let _ = exact_limits(f64::MAX, 0.95); // must not panic
        let l = exact_limits(3.0, 1.0 - 1e-16);
        assert!(l.lower >= 0.0);
    }

    #[test]
    fn table_is_identical_to_scalar() {
        for level in [0.95, 0.998, 0.9] {
            let t = PoissonTable::new(level);
            for o in [0.0, 1.0, 2.0, 5.0, 9.0, 9.5, 0.25, 10.0, 11.0, 1234.5] {
                assert_eq!(t.limits(o), poisson_limits(o, level), "o={o} level={level}");
            }
        }
    }

    #[test]
    fn control_limits_invert_the_exact_interval() {
        // The upper control count c_u for mean mu has exact lower limit mu, and the
        // lower control count c_l has exact upper limit mu (checked through the
        // chi-square quantiles, a different code path from the incomplete gamma).
        for mu in [0.5, 3.0, 7.3, 25.0, 100.0, 2500.0] {
            for (level, tail) in [(0.95, 0.025), (0.998, 0.001)] {
                let c = count_control_limits(mu, tail);
                let from_upper = exact_limits(c.upper, level).lower;
                assert!((from_upper - mu).abs() <= 1e-7 * mu.max(1.0), "mu={mu} {c:?} {from_upper}");
                if c.lower > 0.0 {
                    let from_lower = exact_limits(c.lower, level).upper;
                    assert!((from_lower - mu).abs() <= 1e-7 * mu.max(1.0), "mu={mu} {c:?} {from_lower}");
                } else {
                    assert!(exact_limits(0.0, level).upper >= mu);
                }
                assert!(c.lower < mu && mu < c.upper);
            }
        }
        // Large means use Byar's form: its limits at the control counts give back mu.
        for mu in [1e6, 3.3e9, 1.1e15] {
            let c = count_control_limits(mu, 0.001);
            assert!((byar_limits(c.upper, 0.998).lower / mu - 1.0).abs() < 1e-12, "{mu} {c:?}");
            assert!((byar_limits(c.lower, 0.998).upper / mu - 1.0).abs() < 1e-12, "{mu} {c:?}");
        }
        // Continuity at the switch: just below 10⁶ the exact and Byar control counts agree.
        let (a, b) = (count_control_limits(999_999.9, 0.025), byar_control_limits(999_999.9, 0.025));
        assert!((a.upper / b.upper - 1.0).abs() < 1e-9 && (a.lower / b.lower - 1.0).abs() < 1e-9, "{a:?} {b:?}");
        // mu = 100, 95 %: c_u ≈ mu + 1.96 √mu ≈ 120, c_l ≈ 80.
        let c = count_control_limits(100.0, 0.025);
        assert!((c.upper - 120.0).abs() < 1.5 && (c.lower - 80.0).abs() < 1.5, "{c:?}");
        assert!(count_control_limits(0.0, 0.025).upper.is_nan());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn limits_bracket_the_count_and_widen(o in 0.0f64..5000.0) {
            for f in [exact_limits, byar_limits] {
                let a = f(o, 0.95);
                let b = f(o, 0.998);
                prop_assert!(a.lower <= o && o <= a.upper, "{o} {a:?}");
                prop_assert!(b.lower <= a.lower && a.upper <= b.upper, "{o} {a:?} {b:?}");
            }
        }
    }
}
