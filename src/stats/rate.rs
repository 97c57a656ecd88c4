//! Crude rates with Poisson confidence limits.

use super::poisson::poisson_limits;
use super::{finite, validate_levels, validate_multiplier, Estimate, Method, StatsError};

/// A crude rate `x / n × multiplier` with Poisson limits `poisson_limits(x) / n ×
/// multiplier` at each level: exact (Garwood) limits when `x < 10`, Byar's
/// approximation otherwise; the method says which. `x` may exceed `n` (events per
/// person-year can exceed 1); requires finite `n > 0` and `x ≥ 0`.
///
/// Source: PHE technical guide "Confidence intervals" (rates: Byar's method, exact
/// method for counts below 10); PHEindicatormethods `phe_rate`; Breslow & Day 1987;
/// Garwood 1936.
pub fn crude_rate(x: f64, n: f64, multiplier: f64, levels: &[f64]) -> Result<Estimate, StatsError> {
    validate_levels(levels)?;
    validate_multiplier(multiplier)?;
    let x = finite("count", x)?;
    let n = finite("denominator", n)?;
    if n <= 0.0 {
        return Err(StatsError::NonPositiveDenominator(n));
    }
    if x < 0.0 {
        return Err(StatsError::NegativeCount(x));
    }
    let scale = multiplier / n;
    let mut method = Method::Exact;
    let limits = levels
        .iter()
        .map(|&l| {
            let (limits, m) = poisson_limits(x, l);
            method = m;
            Some(limits.scaled(scale))
        })
        .collect();
    if levels.is_empty() {
        method = poisson_limits(x, 0.95).1;
    }
    Ok(Estimate { value: Some(x / n * multiplier), limits, method, note: None })
}

/// A plain ratio `num / den × multiplier` of two quantities known without sampling error
/// (population density: inhabitants per km², INSEE's definition): no interval (one empty
/// limit per level).
pub fn ratio(num: f64, den: f64, multiplier: f64, levels: usize) -> Result<Estimate, StatsError> {
    validate_multiplier(multiplier)?;
    let (num, den) = (finite("numerator", num)?, finite("denominator", den)?);
    if den <= 0.0 {
        return Err(StatsError::NonPositiveDenominator(den));
    }
    if num < 0.0 {
        return Err(StatsError::NegativeCount(num));
    }
    Ok(Estimate { value: Some(num / den * multiplier), limits: vec![None; levels], method: Method::Exact, note: None })
}

/// Mean annual growth rate between a count `before` and a count `now` taken `years` apart:
/// `((now / before)^(1 / years) − 1) × multiplier` (× 100: % a year). The counts are census
/// populations, without sampling error: no interval (the limits are left empty, one per
/// level), as in INSEE's publications.
///
/// Source: INSEE, définition « taux de variation annuel moyen » (the geometric mean of the
/// yearly growth factors), as in the « dossiers complets » (évolution de la population).
pub fn annual_growth(now: f64, before: f64, years: i32, multiplier: f64, levels: usize) -> Result<Estimate, StatsError> {
    validate_multiplier(multiplier)?;
    let now = finite("count", now)?;
    let before = finite("earlier count", before)?;
    if before <= 0.0 {
        return Err(StatsError::NonPositiveDenominator(before));
    }
    if now < 0.0 {
        return Err(StatsError::NegativeCount(now));
    }
    if years <= 0 {
        return Err(StatsError::Invalid(format!("a growth rate needs two years apart (got {years} years between them)")));
    }
    let value = ((now / before).powf(1.0 / f64::from(years)) - 1.0) * multiplier;
    Ok(Estimate { value: Some(value), limits: vec![None; levels], method: Method::Exact, note: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ratio_has_no_interval_and_refuses_an_empty_area() {
        // Paris: 2,113,705 inhabitants on 105.4 km² (INSEE, 2021): 20,054 per km².
        let e = ratio(2_113_705.0, 105.4, 1.0, 2).unwrap();
        assert!((e.value.unwrap() - 20_054.13).abs() < 0.01, "{:?}", e.value);
        assert_eq!(e.limits, vec![None, None]);
        assert!(ratio(10.0, 0.0, 1.0, 1).is_err());
        assert!(ratio(-1.0, 3.0, 1.0, 1).is_err());
    }

    #[test]
    fn annual_growth_is_the_geometric_mean_of_yearly_factors() {
        // 100 → 121 in two years: +10 % a year, not the 10.5 % of an arithmetic mean.
        let e = annual_growth(121.0, 100.0, 2, 100.0, 2).unwrap();
        assert!((e.value.unwrap() - 10.0).abs() < 1e-12);
        assert_eq!(e.limits, vec![None, None]);
        // Decline: 1,000 → 900 in 6 years: (0.9)^(1/6) − 1 = −1.7407 %.
        let d = annual_growth(900.0, 1000.0, 6, 100.0, 1).unwrap().value.unwrap();
        assert!((d - (-1.740_680)).abs() < 1e-5, "{d}");
        assert_eq!(annual_growth(500.0, 500.0, 6, 100.0, 1).unwrap().value, Some(0.0));
        // Edge cases: no earlier population, no period, a town gone empty.
        assert!(annual_growth(10.0, 0.0, 6, 100.0, 1).is_err());
        assert!(annual_growth(10.0, 10.0, 0, 100.0, 1).is_err());
        assert_eq!(annual_growth(0.0, 10.0, 6, 100.0, 1).unwrap().value, Some(-100.0));
    }
    use crate::stats::Limits;
    use proptest::prelude::*;

    fn lim(e: &Estimate, i: usize) -> Limits {
        e.limits[i].unwrap()
    }

    #[test]
    fn small_count_uses_exact_limits() {
        // 5 events in 1000 person-years, per 1000: 5 (1.6235–11.6683, Garwood).
        let e = crude_rate(5.0, 1000.0, 1000.0, &[0.95]).unwrap();
        assert_eq!(e.method, Method::Exact);
        assert!((e.value.unwrap() - 5.0).abs() < 1e-12);
        assert!((lim(&e, 0).lower - 1.623_486_390).abs() < 1e-8 && (lim(&e, 0).upper - 11.668_332_079).abs() < 1e-8);
    }

    #[test]
    fn large_count_uses_byar() {
        // 100 events in 50 000, per 100 000: 200; Byar(100) 95 % = 81.362105, 121.627938
        // (mpmath) → 162.724211–243.255875 per 100 000.
        let e = crude_rate(100.0, 50_000.0, 100_000.0, &[0.95, 0.998]).unwrap();
        assert_eq!(e.method, Method::Byar);
        assert!((e.value.unwrap() - 200.0).abs() < 1e-9);
        assert!((lim(&e, 0).lower - 162.724_210_981).abs() < 1e-6, "{:?}", lim(&e, 0));
        assert!((lim(&e, 0).upper - 243.255_875_158).abs() < 1e-6, "{:?}", lim(&e, 0));
        // 99.8 %: Byar(100) = 71.903692, 134.943622 → 143.807384–269.887244.
        assert!((lim(&e, 1).lower - 143.807_383_745).abs() < 1e-6 && (lim(&e, 1).upper - 269.887_243_524).abs() < 1e-6);
    }

    #[test]
    fn zero_events_and_x_above_n() {
        let e = crude_rate(0.0, 200.0, 1000.0, &[0.95]).unwrap();
        assert_eq!(e.value, Some(0.0));
        assert_eq!(lim(&e, 0).lower, 0.0);
        // −ln(0.025) / 200 × 1000 = 18.444397
        assert!((lim(&e, 0).upper - 18.444_397_270_5).abs() < 1e-8);
        // 30 events in 10 person-years is a valid rate of 3 per person-year.
        let e = crude_rate(30.0, 10.0, 1.0, &[0.95]).unwrap();
        assert_eq!(e.value, Some(3.0));
        assert!(lim(&e, 0).lower < 3.0 && lim(&e, 0).upper > 3.0);
        // Tiny denominator.
        let e = crude_rate(1.0, 1e-6, 1.0, &[0.95]).unwrap();
        assert!(e.value.unwrap().is_finite() && lim(&e, 0).upper.is_finite());
    }

    #[test]
    fn invalid_inputs_are_errors() {
        assert_eq!(crude_rate(1.0, 0.0, 1.0, &[0.95]).unwrap_err().to_string(), "denominator must be > 0 (got 0)");
        assert_eq!(crude_rate(-1.0, 10.0, 1.0, &[0.95]).unwrap_err().to_string(), "negative count -1");
        assert!(crude_rate(f64::NAN, 10.0, 1.0, &[0.95]).is_err());
        assert!(crude_rate(1.0, 10.0, 1.0, &[1.0]).is_err());
        assert!(crude_rate(1.0, 10.0, f64::NAN, &[0.95]).is_err());
    }

    #[test]
    fn no_levels_still_names_the_method() {
        let e = crude_rate(20.0, 100.0, 1.0, &[]).unwrap();
        assert!(e.limits.is_empty());
        assert_eq!(e.method, Method::Byar);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn limits_contain_value_and_widen(x in 0.0f64..3000.0, n in 1.0f64..1e6) {
            let e = crude_rate(x, n, 1e5, &[0.95, 0.998]).unwrap();
            let v = e.value.unwrap();
            let (a, b) = (lim(&e, 0), lim(&e, 1));
            prop_assert!(b.lower <= a.lower && a.lower <= v * (1.0 + 1e-12) && v <= a.upper && a.upper <= b.upper);
        }
    }
}
