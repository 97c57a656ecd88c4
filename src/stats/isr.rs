//! Indirectly standardised ratios (SMR, the French ICM) and rates.

use super::poisson::poisson_limits;
use super::{finite, validate_levels, validate_multiplier, Estimate, StatsError};

/// One age band of an indirect standardisation: the local count and population,
/// and the reference (e.g. national) count and population of the same band.
#[derive(Debug, Clone, Copy)]
pub struct IsrBand {
    pub count: f64,
    pub population: f64,
    pub ref_count: f64,
    pub ref_population: f64,
}

/// An indirectly standardised ratio or rate, with observed and expected counts.
#[derive(Debug, Clone, PartialEq)]
pub struct IsrResult {
    /// `O = Σ count`.
    pub observed: f64,
    /// `E = Σ population × ref_count / ref_population`.
    pub expected: f64,
    /// The ratio (or rate) and its limits; missing with a note when E = 0.
    pub estimate: Estimate,
}

/// Indirect standardisation of `bands` against their reference rates.
///
/// `E = Σ nᵢ x_refᵢ / n_refᵢ` (computed as `(nᵢ x_refᵢ) / n_refᵢ`, so that an area
/// used as its own reference gives `E = O` exactly for integer data). Without a
/// `rate_multiplier`, the result is the ratio `O/E × ref_value` (1 for an SMR, 100
/// for the French ICM); with `Some(m)` it is the indirectly standardised rate
/// `O/E × (Σx_ref / Σn_ref) × m` and `ref_value` is not used. The limits at each
/// level are `poisson_limits(O) / E` scaled the same way: exact (Garwood) when
/// `O < 10`, Byar otherwise. When `E = 0` the value and limits are missing with a note.
///
/// A band with zero local population contributes nothing to E. A band with zero
/// reference population is allowed only if its local population and its reference
/// count are zero too (otherwise its reference rate is undefined: error).
///
/// Errors: no band; negative or non-finite counts or populations; invalid
/// `ref_value`, `rate_multiplier` or levels.
///
/// Source: Breslow NE, Day NE. *Statistical Methods in Cancer Research, Vol. II*.
/// IARC Sci Publ 82, 1987 (SMR; Byar's approximation); PHE technical guide
/// "Confidence intervals" (indirectly standardised ratios and rates) and
/// PHEindicatormethods `calculate_ISRatio` / `calculate_ISRate`.
pub fn isr(bands: &[IsrBand], ref_value: f64, rate_multiplier: Option<f64>, levels: &[f64]) -> Result<IsrResult, StatsError> {
    validate_levels(levels)?;
    match rate_multiplier {
        Some(m) => validate_multiplier(m)?,
        None => {
            if !(ref_value.is_finite() && ref_value > 0.0) {
                return Err(StatsError::Invalid(format!("reference value must be a finite number > 0 (got {ref_value})")));
            }
        }
    }
    if bands.is_empty() {
        return Err(StatsError::NoData("no age band given: an indirect standardisation needs at least one band".into()));
    }
    let mut observed = 0.0;
    let mut expected = 0.0;
    let mut ref_count_total = 0.0;
    let mut ref_population_total = 0.0;
    for (i, b) in bands.iter().enumerate() {
        let row = i + 1;
        for (what, v) in
            [("count", b.count), ("population", b.population), ("reference count", b.ref_count), ("reference population", b.ref_population)]
        {
            finite(&format!("{what} on row {row}"), v)?;
            if v < 0.0 {
                return Err(StatsError::Negative { what: format!("{what} on row {row}:"), value: v });
            }
        }
        if b.ref_population == 0.0 && (b.population > 0.0 || b.ref_count > 0.0) {
            return Err(StatsError::Invalid(format!(
                "reference population is 0 on row {row} while its {} is {}: the reference rate of this band is undefined",
                if b.population > 0.0 { "local population" } else { "reference count" },
                if b.population > 0.0 { b.population } else { b.ref_count },
            )));
        }
        observed += b.count;
        ref_count_total += b.ref_count;
        ref_population_total += b.ref_population;
        if b.ref_population > 0.0 {
            expected += (b.population * b.ref_count) / b.ref_population;
        }
    }
    let method = poisson_limits(observed, 0.95).1;
    if expected <= 0.0 || !expected.is_finite() {
        let estimate = Estimate::missing(
            method,
            levels.len(),
            format!("expected count E = {expected}: no reference events in this population's age bands, ratio not computed"),
        );
        return Ok(IsrResult { observed, expected, estimate });
    }
    let scale = match rate_multiplier {
        // ref_population_total > 0 here since some band has ref_population > 0.
        Some(m) => ref_count_total / ref_population_total * m,
        None => ref_value,
    };
    let limits = levels.iter().map(|&l| Some(poisson_limits(observed, l).0.scaled(scale / expected))).collect();
    let estimate = Estimate { value: Some(observed / expected * scale), limits, method, note: None };
    Ok(IsrResult { observed, expected, estimate })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{Limits, Method};
    use proptest::prelude::*;

    fn b(count: f64, population: f64, ref_count: f64, ref_population: f64) -> IsrBand {
        IsrBand { count, population, ref_count, ref_population }
    }

    fn lim(e: &Estimate, i: usize) -> Limits {
        e.limits[i].unwrap()
    }

    fn example() -> [IsrBand; 3] {
        [b(5.0, 1000.0, 100.0, 50_000.0), b(15.0, 2000.0, 600.0, 100_000.0), b(30.0, 500.0, 2000.0, 40_000.0)]
    }

    #[test]
    fn hand_computed_ratio() {
        // E = 1000·100/50000 + 2000·600/100000 + 500·2000/40000 = 2 + 12 + 25 = 39; O = 50.
        // ICM = 50/39 × 100 = 128.205128.
        // Byar(50) 95 % = 37.108100, 65.920157 → /39 × 100 = 95.148975, 169.026043.
        // Byar(50) 99.8 % = 30.934708, 75.969301 → 79.319765, 194.793078 (mpmath).
        let r = isr(&example(), 100.0, None, &[0.95, 0.998]).unwrap();
        assert_eq!(r.observed, 50.0);
        assert!((r.expected - 39.0).abs() < 1e-12);
        let e = &r.estimate;
        assert_eq!(e.method, Method::Byar);
        assert!((e.value.unwrap() - 128.205_128_205_128).abs() < 1e-9);
        assert!((lim(e, 0).lower - 95.148_975_407_78).abs() < 1e-8 && (lim(e, 0).upper - 169.026_042_805_02).abs() < 1e-8);
        assert!((lim(e, 1).lower - 79.319_765_230_14).abs() < 1e-8 && (lim(e, 1).upper - 194.793_078_436_27).abs() < 1e-8);
    }

    #[test]
    fn hand_computed_rate() {
        // Reference rate = Σx_ref/Σn_ref = 2700/190000 → 1421.052632 per 100 000.
        // ISR = 50/39 × 1421.052632 = 1821.862348; 95 %: 1352.117019, 2401.949029 (mpmath).
        let r = isr(&example(), 100.0, Some(100_000.0), &[0.95]).unwrap();
        let e = &r.estimate;
        assert!((e.value.unwrap() - 1_821.862_348_178_14).abs() < 1e-7);
        assert!((lim(e, 0).lower - 1_352.117_018_952_66).abs() < 1e-7 && (lim(e, 0).upper - 2_401.949_029_334_49).abs() < 1e-7);
    }

    #[test]
    fn small_counts_use_exact_limits() {
        // O = 3, E = 2: SMR 1.5; exact 95 % for 3 = 0.618672, 8.767273 → /2.
        let r = isr(&[b(3.0, 1000.0, 20.0, 10_000.0)], 1.0, None, &[0.95]).unwrap();
        assert_eq!(r.estimate.method, Method::Exact);
        assert!((r.estimate.value.unwrap() - 1.5).abs() < 1e-12);
        let l = lim(&r.estimate, 0);
        assert!((l.lower - 0.618_672_122_9 / 2.0).abs() < 1e-9 && (l.upper - 8.767_273_069_7 / 2.0).abs() < 1e-9);
        // O = 0: value 0, lower 0, upper −ln(0.025)/E.
        let r = isr(&[b(0.0, 1000.0, 20.0, 10_000.0)], 100.0, None, &[0.95]).unwrap();
        assert_eq!(r.estimate.value, Some(0.0));
        assert_eq!(lim(&r.estimate, 0).lower, 0.0);
        assert!((lim(&r.estimate, 0).upper - (-(0.025_f64.ln())) / 2.0 * 100.0).abs() < 1e-6);
    }

    #[test]
    fn area_as_its_own_reference_gives_the_reference_value() {
        let bands: Vec<IsrBand> = example().iter().map(|x| b(x.count, x.population, x.count, x.population)).collect();
        let r = isr(&bands, 100.0, None, &[0.95]).unwrap();
        assert_eq!(r.expected, r.observed);
        assert_eq!(r.estimate.value, Some(100.0));
    }

    #[test]
    fn zero_population_bands() {
        // Zero local population: contributes 0 to E.
        let mut bands = example().to_vec();
        bands.push(b(0.0, 0.0, 500.0, 1000.0));
        let r = isr(&bands, 100.0, None, &[0.95]).unwrap();
        assert!((r.expected - 39.0).abs() < 1e-12);
        // Zero reference and local population: fine, contributes 0.
        bands.push(b(0.0, 0.0, 0.0, 0.0));
        assert!((isr(&bands, 100.0, None, &[0.95]).unwrap().expected - 39.0).abs() < 1e-12);
        // Zero reference population with a local population: error.
        bands.push(b(0.0, 10.0, 0.0, 0.0));
        let err = isr(&bands, 100.0, None, &[0.95]).unwrap_err().to_string();
        assert!(err.contains("reference population is 0"), "{err}");
    }

    #[test]
    fn zero_expected_gives_a_note() {
        let r = isr(&[b(2.0, 100.0, 0.0, 1000.0), b(1.0, 0.0, 4.0, 1000.0)], 100.0, None, &[0.95, 0.998]).unwrap();
        assert_eq!(r.observed, 3.0);
        assert_eq!(r.expected, 0.0);
        assert_eq!(r.estimate.value, None);
        assert_eq!(r.estimate.limits, vec![None, None]);
        assert!(r.estimate.note.unwrap().contains("E = 0"));
    }

    #[test]
    fn invalid_inputs_are_errors() {
        assert!(isr(&[], 100.0, None, &[0.95]).is_err());
        assert!(isr(&[b(-1.0, 10.0, 1.0, 10.0)], 100.0, None, &[0.95]).unwrap_err().to_string().contains("negative count"));
        assert!(isr(&[b(1.0, f64::NAN, 1.0, 10.0)], 100.0, None, &[0.95]).is_err());
        assert!(isr(&[b(1.0, 10.0, 1.0, -10.0)], 100.0, None, &[0.95]).is_err());
        assert!(isr(&example(), 0.0, None, &[0.95]).is_err());
        assert!(isr(&example(), 100.0, Some(f64::NAN), &[0.95]).is_err());
        assert!(isr(&example(), 100.0, None, &[0.0]).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn own_reference_is_exactly_ref_value(
            counts in proptest::collection::vec(0u32..5000, 1..20),
            pops in proptest::collection::vec(1u32..1_000_000, 20),
            ref_value in prop_oneof![Just(1.0), Just(100.0)],
        ) {
            let bands: Vec<IsrBand> = counts.iter().zip(&pops)
                .map(|(&c, &p)| b(c as f64, p as f64, c as f64, p as f64)).collect();
            let r = isr(&bands, ref_value, None, &[0.95, 0.998]).unwrap();
            prop_assert_eq!(r.expected, r.observed);
            if r.observed > 0.0 {
                prop_assert_eq!(r.estimate.value, Some(ref_value));
                let (a, c) = (lim(&r.estimate, 0), lim(&r.estimate, 1));
                prop_assert!(c.lower <= a.lower && a.lower <= ref_value && ref_value <= a.upper && a.upper <= c.upper);
            } else {
                prop_assert!(r.estimate.value.is_none());
            }
        }
    }
}
