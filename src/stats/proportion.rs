//! Proportions with Wilson score confidence limits.

use super::{finite, validate_levels, validate_multiplier, z_for_level, Estimate, Limits, Method, StatsError};

/// A proportion `x / n × multiplier` with Wilson score limits at each level:
/// `(2x + z² ∓ z √(z² + 4x(1 − x/n))) / (2(n + z²))`, times `multiplier`.
/// The lower limit is exactly 0 when `x = 0` and the upper exactly 1 (× multiplier)
/// when `x = n`. Requires finite `n > 0` and `0 ≤ x ≤ n` (non-integer counts are
/// accepted), a finite `multiplier > 0` and levels in (0,1).
///
/// Source: Wilson EB. Probable inference, the law of succession, and statistical
/// inference. J Am Stat Assoc 1927;22:209-212; in the form of Newcombe RG.
/// Two-sided confidence intervals for the single proportion: comparison of seven
/// methods. Stat Med 1998;17:857-872 (method 3); PHE technical guide "Confidence
/// intervals" and PHEindicatormethods `phe_proportion` / `wilson_lower`.
pub fn proportion(x: f64, n: f64, multiplier: f64, levels: &[f64]) -> Result<Estimate, StatsError> {
    validate_levels(levels)?;
    validate_multiplier(multiplier)?;
    let x = finite("numerator", x)?;
    let n = finite("denominator", n)?;
    if n <= 0.0 {
        return Err(StatsError::NonPositiveDenominator(n));
    }
    if x < 0.0 {
        return Err(StatsError::NegativeCount(x));
    }
    if x > n {
        return Err(StatsError::NumeratorAboveDenominator { numerator: x, denominator: n });
    }
    let limits = levels.iter().map(|&l| Some(wilson(x, n, z_for_level(l)).scaled(multiplier))).collect();
    Ok(Estimate { value: Some(x / n * multiplier), limits, method: Method::Wilson, note: None })
}

/// The Wilson score limits of `x` successes out of `n`, for a normal quantile `z`
/// (as proportions, not multiplied). Assumes `0 ≤ x ≤ n`, `n > 0`.
///
/// Source: Wilson 1927; Newcombe 1998, method 3 (see [`proportion`]).
pub(crate) fn wilson(x: f64, n: f64, z: f64) -> Limits {
    let z2 = z * z;
    let centre = 2.0 * x + z2;
    let half = z * (z2 + 4.0 * x * (1.0 - x / n)).sqrt();
    let denominator = 2.0 * (n + z2);
    let lower = if x == 0.0 { 0.0 } else { ((centre - half) / denominator).max(0.0) };
    let upper = if x == n { 1.0 } else { ((centre + half) / denominator).min(1.0) };
    Limits { lower, upper }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn limits(e: &Estimate, i: usize) -> Limits {
        e.limits[i].expect("limits")
    }

    #[test]
    fn newcombe_1998_worked_examples() {
        // Newcombe RG, Stat Med 1998;17:857-872, method 3 (score interval),
        // 95 %: 81/263 → 0.2553–0.3662; 15/148 → 0.0624–0.1605; 0/20 → 0.0000–0.1611;
        // 1/29 → 0.0061–0.1718.
        let cases = [(81.0, 263.0, 0.2553, 0.3662), (15.0, 148.0, 0.0624, 0.1605), (0.0, 20.0, 0.0, 0.1611), (1.0, 29.0, 0.0061, 0.1718)];
        for (x, n, lo, up) in cases {
            let e = proportion(x, n, 1.0, &[0.95]).unwrap();
            let l = limits(&e, 0);
            assert!((l.lower - lo).abs() < 5e-5, "{x}/{n}: {l:?}");
            assert!((l.upper - up).abs() < 5e-5, "{x}/{n}: {l:?}");
            assert_eq!(e.value, Some(x / n));
            assert_eq!(e.method, Method::Wilson);
            assert_eq!(e.note, None);
        }
        // More digits (mpmath, 30 digits): 81/263 → 0.2552885199, 0.3662095770.
        let l = limits(&proportion(81.0, 263.0, 1.0, &[0.95]).unwrap(), 0);
        assert!((l.lower - 0.255_288_519_9).abs() < 1e-9 && (l.upper - 0.366_209_577_0).abs() < 1e-9);
    }

    #[test]
    fn boundaries_are_exact() {
        let e = proportion(0.0, 20.0, 100.0, &[0.95, 0.998]).unwrap();
        assert_eq!(e.value, Some(0.0));
        assert_eq!(limits(&e, 0).lower, 0.0);
        assert_eq!(limits(&e, 1).lower, 0.0);
        let e = proportion(20.0, 20.0, 100.0, &[0.95, 0.998]).unwrap();
        assert_eq!(e.value, Some(100.0));
        assert_eq!(limits(&e, 0).upper, 100.0);
        assert_eq!(limits(&e, 1).upper, 100.0);
        // x = n: lower limit is n/(n + z²) (score interval at p̂ = 1): 20/(20 + 3.841459) = 0.838884.
        assert!((limits(&e, 0).lower / 100.0 - 20.0 / (20.0 + 1.959_963_984_540_054_f64.powi(2))).abs() < 1e-12);
    }

    #[test]
    fn tiny_denominators() {
        let e = proportion(1.0, 1.0, 1.0, &[0.95]).unwrap();
        let l = limits(&e, 0);
        // 1/1: lower = 1/(1 + z²) = 1/4.841459 = 0.206549, upper = 1.
        assert!((l.lower - 0.206_549_314).abs() < 1e-9 && l.upper == 1.0, "{l:?}");
        let e = proportion(0.5, 0.75, 1.0, &[0.95]).unwrap();
        let l = limits(&e, 0);
        assert!(l.lower > 0.0 && l.upper < 1.0);
    }

    #[test]
    fn multiplier_scales_value_and_limits() {
        let a = proportion(15.0, 148.0, 1.0, &[0.95]).unwrap();
        let b = proportion(15.0, 148.0, 100.0, &[0.95]).unwrap();
        assert!((b.value.unwrap() - 100.0 * a.value.unwrap()).abs() < 1e-12);
        assert!((limits(&b, 0).lower - 100.0 * limits(&a, 0).lower).abs() < 1e-12);
    }

    #[test]
    fn invalid_inputs_are_errors() {
        assert_eq!(proportion(0.0, 0.0, 1.0, &[0.95]).unwrap_err().to_string(), "denominator must be > 0 (got 0)");
        assert_eq!(proportion(5.0, 3.0, 1.0, &[0.95]).unwrap_err().to_string(), "numerator 5 is above denominator 3");
        assert_eq!(proportion(-1.0, 3.0, 1.0, &[0.95]).unwrap_err().to_string(), "negative count -1");
        assert!(matches!(proportion(f64::NAN, 3.0, 1.0, &[0.95]), Err(StatsError::NotFinite { .. })));
        assert!(matches!(proportion(1.0, f64::INFINITY, 1.0, &[0.95]), Err(StatsError::NotFinite { .. })));
        assert!(matches!(proportion(1.0, 3.0, 1.0, &[95.0]), Err(StatsError::InvalidLevel(_))));
        assert!(matches!(proportion(1.0, 3.0, 0.0, &[0.95]), Err(StatsError::InvalidMultiplier(_))));
        assert!(matches!(proportion(1.0, -3.0, 1.0, &[0.95]), Err(StatsError::NonPositiveDenominator(_))));
    }

    #[test]
    fn one_limit_per_level_in_order() {
        let e = proportion(30.0, 100.0, 1.0, &[0.998, 0.9, 0.95]).unwrap();
        assert_eq!(e.limits.len(), 3);
        let (a, b, c) = (limits(&e, 0), limits(&e, 1), limits(&e, 2));
        assert!(a.lower < c.lower && c.lower < b.lower);
        assert!(b.upper < c.upper && c.upper < a.upper);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        #[test]
        fn limits_contain_value_and_widen(n in 0.01f64..1e7, frac in 0.0f64..=1.0) {
            let x = (n * frac).min(n);
            let e = proportion(x, n, 1.0, &[0.95, 0.998]).unwrap();
            let p = e.value.unwrap();
            let (a, b) = (e.limits[0].unwrap(), e.limits[1].unwrap());
            prop_assert!(0.0 <= b.lower && b.lower <= a.lower && a.lower <= p + 1e-12, "{x}/{n} {a:?} {b:?}");
            prop_assert!(p <= a.upper + 1e-12 && a.upper <= b.upper && b.upper <= 1.0, "{x}/{n} {a:?} {b:?}");
        }
    }
}
