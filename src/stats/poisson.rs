//! Confidence limits for a Poisson count: the exact (Garwood) interval and Byar's
//! approximation, as used by PHE / OHID Fingertips ("exact for counts below 10,
//! Byar's method above").
//!
//! All functions here take the observed count `o` as an `f64`: a non-integer count
//! (e.g. an average over years, or events weighted by a frequency) is allowed, the
//! chi-square quantiles then having a non-integer number of degrees of freedom.
//! Invalid input (negative or non-finite count, level outside (0,1)) gives NaN
//! limits, never a panic.

use statrs::function::gamma::{checked_gamma_lr, checked_gamma_ur, ln_gamma};

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

/// The quantile of a Gamma(shape, 1) distribution with tail probability `tail` in its
/// lower tail (`upper == false`: the `y` with `P(shape, y) = tail`) or in its upper tail
/// (`upper == true`: `Q(shape, y) = tail`), where `P` and `Q = 1 − P` are the regularised
/// incomplete gamma functions of statrs. This is `χ²(tail; 2·shape)/2` (lower) or
/// `χ²(1 − tail; 2·shape)/2` (upper). The tail is given as such, not as `1 − tail`, so
/// that an upper-tail probability keeps its full precision.
///
/// Method: a bracketed Newton iteration on `±ln(T(y)/tail)` (`T` the tail function, the
/// step `y ← y·exp(−g/g′)` taken on a logarithmic scale, `g′ = y·pdf(y)/T(y)`), started
/// from the Wilson–Hilferty approximation, with a bisection step (geometric while the
/// bracket spans more than a factor 4) whenever a Newton step leaves the bracket. The
/// bracket starts at the smallest normal double (a quantile below it is returned as 0)
/// and every evaluation narrows it, so the iteration cannot diverge. It stops once a
/// Newton correction is below 1e-11 relative (the error left is of the order of its
/// square) or the bracket is a few ulps wide: the result is the quantile to about
/// 1e-15 relative for the small shapes of the exact limits (statrs' incomplete gamma
/// is accurate to about 1e-15 there), and as accurate as statrs' incomplete gamma for
/// very large shapes. NaN (never a panic) for an invalid `shape` or `tail`.
///
/// Source: a numerical inversion of the exact distribution function (no approximation
/// formula in the result); Wilson EB, Hilferty MM, PNAS 1931;17:684-688 for the
/// starting point only; statrs `checked_gamma_lr` / `checked_gamma_ur` / `ln_gamma`.
fn gamma_quantile(shape: f64, tail: f64, upper: bool) -> f64 {
    if !(tail > 0.0 && tail < 1.0 && shape > 0.0 && shape.is_finite()) {
        return f64::NAN;
    }
    // g(y) = s·ln(T(y)/tail), increasing in y: s = +1 for P (increasing), −1 for Q.
    let tail_at = |y: f64| -> Option<f64> {
        if upper {
            checked_gamma_ur(shape, y).ok()
        } else {
            checked_gamma_lr(shape, y).ok()
        }
    };
    let sign = if upper { -1.0 } else { 1.0 };
    let g_of = |t: f64| sign * (t / tail).ln();
    let mut lo = f64::MIN_POSITIVE;
    let mut hi = f64::INFINITY;
    match tail_at(lo) {
        Some(t) if g_of(t) >= 0.0 => return 0.0,
        Some(t) if !t.is_nan() => {}
        _ => return f64::NAN,
    }
    let ln_gamma_shape = ln_gamma(shape);
    // Wilson–Hilferty: y ≈ shape·(1 − 1/(9·shape) ± z/(3√shape))³, z = Φ⁻¹(1 − tail);
    // for small shapes in the lower tail, P(shape, y) ≈ y^shape / Γ(shape + 1).
    let z = z_for_level(1.0 - 2.0 * tail.min(0.5));
    let signed_z = if upper { z } else { -z };
    let wh = shape * (1.0 - 1.0 / (9.0 * shape) + signed_z / (3.0 * shape.sqrt())).powi(3);
    let mut y = if wh > 0.0 && wh.is_finite() { wh } else { ((tail.ln() + ln_gamma_shape + shape.ln()) / shape).exp() };
    if !(y > lo && y.is_finite()) {
        y = shape.max(1.0);
    }
    for _ in 0..200 {
        let Some(t) = tail_at(y) else { return f64::NAN };
        if t.is_nan() {
            return f64::NAN;
        }
        let g = g_of(t);
        if g == 0.0 {
            return y;
        }
        if g < 0.0 {
            lo = y;
        } else {
            hi = y;
        }
        // ln(y·pdf(y)/T(y)), in logarithms so that nothing underflows.
        let ln_slope = shape * y.ln() - y - ln_gamma_shape - t.ln();
        let step = -g / ln_slope.exp();
        // Newton converges quadratically: after a relative step below 1e-11 the error is
        // of the order of its square, far below the precision of a double, and further
        // steps would only follow the rounding noise of the incomplete gamma function.
        // (|g| small too: the tail probability itself is within 0.1 % of its target.)
        if step.abs() <= 1e-11 && g.abs() <= 1e-3 {
            return (y + y * step.exp_m1()).clamp(lo, hi);
        }
        let mut next = y + y * step.exp_m1();
        let newton = step.is_finite() && next > lo && next < hi;
        if !newton {
            next = if hi.is_infinite() {
                y * 16.0
            } else if hi > 4.0 * lo {
                lo.sqrt() * hi.sqrt()
            } else {
                0.5 * (lo + hi)
            };
        }
        if !next.is_finite() {
            return f64::NAN;
        }
        if hi.is_finite() && hi - lo <= 4.0 * f64::EPSILON * hi {
            return next;
        }
        y = next;
    }
    y
}

/// Exact confidence limits for a Poisson count `o` at confidence `level`:
/// `lower = χ²(α/2; 2O)/2` (0 when O = 0) and `upper = χ²(1 − α/2; 2O + 2)/2`,
/// where `χ²(p; ν)` is the `p` quantile of a chi-square with ν degrees of freedom
/// and α = 1 − level. The quantiles are found by inverting statrs' regularised
/// incomplete gamma function to double precision (see `gamma_quantile`): for the
/// counts below 10 that use this interval in [`poisson_limits`] the limits agree
/// with 40-digit computations to about 1e-15 relative (tested at 1e-13). For
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
    let tail = (1.0 - level) / 2.0;
    // χ²(α/2; 2O)/2 is the lower-tail α/2 quantile of Gamma(O, 1); χ²(1 − α/2; 2O + 2)/2
    // the upper-tail α/2 quantile of Gamma(O + 1, 1).
    let lower = if o == 0.0 { 0.0 } else { gamma_quantile(o, tail, false) };
    let upper = gamma_quantile(o + 1.0, tail, true);
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

/// [`byar_limits`] with the normal quantile `z` already computed (the DSR's Dobson limits and
/// the funnel control limits reuse one `z` for many counts).
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
/// `o < 10`, Byar's approximation otherwise; returns the method used. The exact limits of
/// the whole counts 0…9 at the default levels (95 % and 99.8 %) are computed once per run.
///
/// Source: PHE technical guide "Confidence intervals" / Fingertips methods
/// (Byar's method for counts of 10 or more, the exact method below 10);
/// Garwood 1936; Breslow & Day 1987.
pub fn poisson_limits(o: f64, level: f64) -> (Limits, Method) {
    if o < EXACT_BELOW {
        let cached = (o >= 0.0 && o.fract() == 0.0).then(|| exact_table(level).map(|t| t[o as usize])).flatten();
        (cached.unwrap_or_else(|| exact_limits(o, level)), Method::Exact)
    } else {
        (byar_limits(o, level), Method::Byar)
    }
}

/// The exact limits of the counts 0…9 at `level`, if it is one of the default levels:
/// computed once (a cache, not an approximation: the same bits as [`exact_limits`]).
fn exact_table(level: f64) -> Option<&'static [Limits; 10]> {
    static TABLES: std::sync::OnceLock<[[Limits; 10]; 2]> = std::sync::OnceLock::new();
    let k = crate::stats::DEFAULT_LEVELS.iter().position(|&l| l == level)?;
    let tables = TABLES.get_or_init(|| crate::stats::DEFAULT_LEVELS.map(|l| std::array::from_fn(|o| exact_limits(o as f64, l))));
    Some(&tables[k])
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
/// `statrs::function::gamma`; `c` is found by bisection to double precision (a
/// few ulps; a numerical inversion of an exact function, not an approximation).
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
    let lower =
        if (-mu).exp() >= tail { 0.0 } else { bisect_decreasing(|c| checked_gamma_ur(c + 1.0, mu).map(|q| tail - q).unwrap_or(f64::NAN), mu) };
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
/// by bracketing from `scale` and bisection down to a bracket a few ulps wide
/// (4 ε relative). NaN if no bracket is found.
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
        if hi - lo <= 4.0 * f64::EPSILON * hi || mid <= lo || mid >= hi {
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

    /// Exact (Garwood) limits `χ²(α/2; 2O)/2` and `χ²(1 − α/2; 2O + 2)/2` computed
    /// independently with mpmath 1.3 at 50 significant digits (bisection to 400
    /// halvings on `mpmath.gammainc(…, regularized=True)`; the integer counts checked
    /// again with the finite Poisson sums `Pr(Poisson(y) ≥ O)`), rounded to 20 digits:
    /// (O, lower 95 %, upper 95 %, lower 99.8 %, upper 99.8 %).
    const GARWOOD_MPMATH: [(f64, f64, f64, f64, f64); 12] = [
        (0.0, 0.0, 3.6888794541139363, 0.0, 6.907755278982137),
        (1.0, 0.025317807984289876, 5.571643390938899, 0.0010005003335835335, 9.233413476451586),
        (2.0, 0.2422092785439649, 7.224687667723961, 0.04540201776948956, 11.228872242412663),
        (3.0, 0.6186721228956013, 8.767273069742327, 0.1905333775684032, 13.062240779188071),
        (4.0, 1.0898653736263249, 10.241588675403698, 0.42855241362842295, 14.794149222537209),
        (5.0, 1.6234863901184204, 11.668332079322669, 0.7393717319178326, 16.45474520368011),
        (6.0, 2.2018942534908508, 13.059474022518685, 1.1071046602556394, 18.06163684019907),
        (7.0, 2.814363051519866, 14.42267536170238, 1.520336260398809, 19.62617739538424),
        (8.0, 3.4538321767485014, 15.763189220193315, 1.9708139217403657, 21.15619816583998),
        (9.0, 4.115373097378332, 17.08480345141917, 2.452424404363775, 22.65737330906293),
        (2.5, 0.4156058067433312, 8.006382137314661, 0.10510630131460959, 12.160943173928427),
        (0.5, 0.000491034558587628, 4.674201802248074, 7.853985746312449e-07, 8.133118098119066),
    ];

    #[test]
    fn exact_limits_to_double_precision() {
        // Issue 12: the quantiles were accepted within 1e-8 of their tail probability,
        // 2.4e-10 off in relative terms (O = 8 at 99.8 %: 1.97081392125932 for
        // 1.97081392174037). They are now refined to ~1e-15; tested at 1e-13.
        let rel = |a: f64, b: f64| if b == 0.0 { a.abs() } else { (a / b - 1.0).abs() };
        for (o, lo95, up95, lo998, up998) in GARWOOD_MPMATH {
            for (level, lo, up) in [(0.95, lo95, up95), (0.998, lo998, up998)] {
                let l = exact_limits(o, level);
                assert!(rel(l.lower, lo) <= 1e-13, "O={o} {level}: lower {:.17e} vs {lo:.17e}", l.lower);
                assert!(rel(l.upper, up) <= 1e-13, "O={o} {level}: upper {:.17e} vs {up:.17e}", l.upper);
                // The cached table holds the same values.
                if o < 10.0 && o.fract() == 0.0 {
                    assert_eq!(poisson_limits(o, level).0, l);
                }
            }
        }
    }

    #[test]
    fn exact_limits_closed_forms() {
        // With 2 degrees of freedom the chi-square quantile is −2 ln(1 − p), so
        // O = 0: upper = −ln(α/2); O = 1: lower = −ln(1 − α/2) (= −ln_1p(−α/2)).
        let rel = |a: f64, b: f64| (a / b - 1.0).abs();
        assert_eq!(exact_limits(0.0, 0.95).lower, 0.0);
        for level in [0.95, 0.998, 0.9, 0.99] {
            let tail = (1.0 - level) / 2.0;
            let (l0, l1) = (exact_limits(0.0, level), exact_limits(1.0, level));
            assert!(rel(l0.upper, -tail.ln()) <= 1e-14, "{level}: {l0:?}"); // 3.688879, 6.907755
            assert!(rel(l1.lower, -(-tail).ln_1p()) <= 1e-14, "{level}: {l1:?}");
            // 0.025318, 0.0010005
        }
    }

    #[test]
    fn exact_limits_at_99_8() {
        // Independent computation with mpmath (see GARWOOD_MPMATH): O = 5 → 0.739372,
        // 16.454745; O = 9 → 2.452424, 22.657373.
        let l = exact_limits(5.0, 0.998);
        assert!(close(l.lower, 0.7393717319178, 1e-13) && close(l.upper, 16.4547452036801, 1e-13), "{l:?}");
        let l = exact_limits(9.0, 0.998);
        assert!(close(l.lower, 2.4524244043638, 1e-13) && close(l.upper, 22.6573733090629, 1e-13), "{l:?}");
    }

    #[test]
    fn small_non_integer_counts() {
        // Independent values (mpmath, 50 digits, bisection on the regularised incomplete
        // gamma): O = 0.5 → lower 4.91034558588e-4 (95 %), 7.85398574631e-7 (99.8 %);
        // O = 0.1 → lower 5.7917102455e-17 (95 %), 6.0730483624e-31 (99.8 %), upper
        // 3.89600898444 (95 %), 7.16703885707 (99.8 %).
        // statrs' inverse alone returns 4.66e-10 for the tiny ones.
        let rel = |a: f64, b: f64| (a / b - 1.0).abs();
        let l = exact_limits(0.5, 0.95);
        assert!(rel(l.lower, 0.000491034558587628) < 1e-13, "{l:?}");
        let l = exact_limits(0.5, 0.998);
        assert!(rel(l.lower, 7.853985746312449e-07) < 1e-13, "{l:?}");
        let l = exact_limits(0.1, 0.95);
        assert!(rel(l.lower, 5.791710245521434e-17) < 1e-13, "{l:?}");
        assert!(rel(l.upper, 3.896008984438808) < 1e-13, "{l:?}");
        let l = exact_limits(0.1, 0.998);
        assert!(rel(l.lower, 6.073048362407883e-31) < 1e-13, "{l:?}");
        assert!(rel(l.upper, 7.16703885706778) < 1e-13, "{l:?}");
        for o in [0.3, 0.1, 0.01, 1e-5] {
            for level in [0.95, 0.998] {
                let l = exact_limits(o, level);
                let tail = checked_gamma_lr(o, l.lower).unwrap_or(f64::NAN);
                let target = (1.0 - level) / 2.0;
                assert!(l.lower == 0.0 || (tail / target - 1.0).abs() < 1e-13, "O={o} {l:?} P={tail}");
                assert!(l.lower < o && o < l.upper);
            }
        }
        // Subnormal counts do not panic (statrs' own inverse would).
        let l = exact_limits(5e-324, 0.95);
        assert_eq!(l.lower, 0.0);
        assert!((l.upper / 3.6888794541139363 - 1.0).abs() < 1e-14, "{l:?}");
    }

    #[test]
    fn large_counts() {
        // From 10⁶ on, Byar's formula; below, the checked chi-square quantiles, which agree
        // with it to < 1e-9 relative at 999 999.
        let (a, b) = (exact_limits(999999.0, 0.998), byar_limits(999999.0, 0.998));
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
        assert!(close(l.lower, 4.787449914, 1e-8), "{l:?}");
        assert!(close(l.upper, 18.391458606, 1e-8), "{l:?}");
        // O = 100 at 99.8 %: mpmath 71.9036918726, 134.943621762.
        let l = byar_limits(100.0, 0.998);
        assert!(close(l.lower, 71.903691873, 1e-8) && close(l.upper, 134.943621762, 1e-8), "{l:?}");
        // Byar is close to exact at O = 10.
        let e = exact_limits(10.0, 0.95);
        assert!(close(byar_limits(10.0, 0.95).lower, e.lower, 0.01));
        assert!(close(byar_limits(10.0, 0.95).upper, e.upper, 0.01));
        assert_eq!(byar_limits(0.0, 0.95).lower, 0.0);
        assert!(close(byar_limits(0.0, 0.95).upper, (1.0f64 - 1.0 / 9.0 + 1.959963984540054 / 3.0).powi(3), 1e-12));
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
    fn the_cached_table_is_identical_to_the_computation() {
        for level in [0.95, 0.998, 0.9] {
            for o in [0.0, 1.0, 2.0, 5.0, 9.0, 9.5, 0.25] {
                assert_eq!(poisson_limits(o, level), (exact_limits(o, level), Method::Exact), "o={o} level={level}");
            }
            for o in [10.0, 11.0, 1234.5] {
                assert_eq!(poisson_limits(o, level), (byar_limits(o, level), Method::Byar), "o={o} level={level}");
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
                assert!((from_upper / mu - 1.0).abs() <= 1e-12, "mu={mu} {c:?} {from_upper}");
                if c.lower > 0.0 {
                    let from_lower = exact_limits(c.lower, level).upper;
                    assert!((from_lower / mu - 1.0).abs() <= 1e-12, "mu={mu} {c:?} {from_lower}");
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
        let (a, b) = (count_control_limits(999999.9, 0.025), byar_control_limits(999999.9, 0.025));
        assert!((a.upper / b.upper - 1.0).abs() < 1e-9 && (a.lower / b.lower - 1.0).abs() < 1e-9, "{a:?} {b:?}");
        // mu = 100, 95 %: c_u ≈ mu + 1.96 √mu ≈ 120, c_l ≈ 80.
        let c = count_control_limits(100.0, 0.025);
        assert!((c.upper - 120.0).abs() < 1.5 && (c.lower - 80.0).abs() < 1.5, "{c:?}");
        assert!(count_control_limits(0.0, 0.025).upper.is_nan());
    }

    #[test]
    fn control_limits_to_double_precision() {
        // The control counts solving P(c_u, mu) = tail and Q(c_l + 1, mu) = tail,
        // computed independently with mpmath (50 digits, bisection on gammainc):
        // (mu, tail, c_l, c_u).
        let expected = [
            (0.5, 0.025, 0.0, 2.715690892455021),
            (0.5, 0.001, 0.0, 4.249522442434222),
            (3.0, 0.025, 0.0, 7.294287991380629),
            (3.0, 0.001, 0.0, 10.075787624579771),
            (7.3, 0.025, 2.0475089931929373, 13.518178336720714),
            (7.3, 0.001, 0.15256704608557548, 17.43065301957813),
            (25.0, 0.025, 15.208533016121448, 35.74408201021455),
            (25.0, 0.001, 10.593436101347297, 42.29021471170512),
            (100.0, 0.025, 80.39055069593428, 120.55796545537753),
            (100.0, 0.001, 70.07666016628426, 132.78130039207235),
            (2500.0, 0.025, 2401.978585024898, 2598.9686223970743),
            (2500.0, 0.001, 2346.4233851078034, 2656.4267807148804),
        ];
        let rel = |a: f64, b: f64| if b == 0.0 { a.abs() } else { (a / b - 1.0).abs() };
        for (mu, tail, cl, cu) in expected {
            let c = count_control_limits(mu, tail);
            assert!(rel(c.lower, cl) <= 1e-13, "mu={mu} tail={tail}: lower {:.17e} vs {cl:.17e}", c.lower);
            assert!(rel(c.upper, cu) <= 1e-13, "mu={mu} tail={tail}: upper {:.17e} vs {cu:.17e}", c.upper);
        }
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
