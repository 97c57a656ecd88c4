//! Directly standardised rates (DSR) with Dobson et al. confidence limits,
//! including non-independent events (people counted once per event frequency).

use std::collections::HashMap;

use super::poisson::byar_with_z;
use super::{finite, validate_levels, validate_multiplier, z_for_level, Estimate, Limits, Method, StatsError};

/// Totals below this many events give no DSR: PHE does not publish DSRs based on
/// fewer than 10 events, the Dobson interval being unreliable there
/// (PHEindicatormethods `phe_dsr`).
pub const MIN_EVENTS: f64 = 10.0;

/// One row of a DSR: the count of one standardisation band (usually an age band).
///
/// For independent events, give one row per band with `frequency = 1`. For
/// non-independent events (a person may have several events), give one row per
/// band and event frequency `f`: `count` is then the number of *persons* with `f`
/// events in the band, and the band's `population` and `standard` weight are
/// repeated on each of its rows, which share the same `band` identifier.
#[derive(Debug, Clone, Copy)]
pub struct DsrBand {
    /// Identifier of the band; rows with the same id are the same band.
    pub band: u64,
    /// Events (or, with frequencies, persons with `frequency` events).
    pub count: f64,
    /// The band's population (person-years), repeated on each of its rows.
    pub population: f64,
    /// The band's weight in the standard population, repeated on each of its rows.
    pub standard: f64,
    /// Events per person on this row (1 for independent events).
    pub frequency: f64,
}

/// A DSR with the totals it was computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct DsrResult {
    /// Total events `O = Σ frequency × count`.
    pub observed: f64,
    /// Total population, each band's population counted once.
    pub population: f64,
    /// The DSR × multiplier and its limits (missing, with a note, when O < 10).
    pub estimate: Estimate,
}

/// The directly standardised rate of `bands`, per `multiplier`, with Dobson limits.
///
/// With `x` the events, `n` the population and `w` the standard weight of each
/// band, `DSR = Σ(x w / n) / Σw`, `O = Σx`, `var = Σ x (w/n)² / (Σw)²`, and the
/// limits at each level are `DSR + √(var/O) (Byar(O) − O)`, where `Byar(O)` are the
/// Byar limits of the total count (used at every O); all × `multiplier`. When
/// `O < 10` the value and limits are withheld with a note; `observed` and
/// `population` are still returned.
///
/// Non-independent events: on a row with event frequency `f` and `p` persons, the
/// events are `f p` (these enter the DSR and O), and the variance term is
/// `f² p (w/n)² / (Σw)²`, i.e. `var = Σ_f f² var_f` where `var_f` is the variance of
/// the DSR of the persons with `f` events. `Σw` and the population count each band
/// (each distinct `band` id) once. Rows of the same band must carry the same
/// population and weight. (PHEindicatormethods computes each `var_f` with the
/// weights of the bands present at frequency `f`; it expects every band at every
/// frequency, in which case the two agree.)
///
/// Errors: no band; a population that is not > 0 (in any row: PHEindicatormethods
/// refuses it too); a negative count or weight; a frequency that is not > 0;
/// non-finite numbers; weights summing to 0; rows of one band disagreeing on its
/// population or weight.
///
/// Source: Dobson AJ, Kuulasmaa K, Eberle E, Scherer J. Confidence intervals for
/// weighted sums of Poisson parameters. Stat Med 1991;10:457-462; Byar's method in
/// Breslow & Day 1987; PHE technical guide "Confidence intervals" (DSRs) and
/// PHEindicatormethods `phe_dsr` / `calculate_dsr` (including
/// `independent_events = FALSE` for non-independent events).
pub fn dsr(bands: &[DsrBand], multiplier: f64, levels: &[f64]) -> Result<DsrResult, StatsError> {
    validate_levels(levels)?;
    validate_multiplier(multiplier)?;
    if bands.is_empty() {
        return Err(StatsError::NoData("no age band given: a DSR needs at least one band".into()));
    }
    // Each distinct band once: (first row, population, weight).
    let mut distinct: HashMap<u64, (usize, f64, f64)> = HashMap::new();
    let mut sum_weights = 0.0;
    let mut population = 0.0;
    for (i, b) in bands.iter().enumerate() {
        let row = i + 1;
        finite(&format!("count on row {row}"), b.count)?;
        finite(&format!("population on row {row}"), b.population)?;
        finite(&format!("standard population on row {row}"), b.standard)?;
        finite(&format!("event frequency on row {row}"), b.frequency)?;
        if b.count < 0.0 {
            return Err(StatsError::NegativeCount(b.count));
        }
        if b.population <= 0.0 {
            return Err(StatsError::Invalid(format!("population must be > 0 in every age band of a DSR (got {} on row {row})", b.population)));
        }
        if b.standard < 0.0 {
            return Err(StatsError::Negative { what: format!("standard population weight on row {row}:"), value: b.standard });
        }
        if b.frequency <= 0.0 {
            return Err(StatsError::Invalid(format!("event frequency must be > 0 (got {} on row {row})", b.frequency)));
        }
        match distinct.get(&b.band) {
            None => {
                distinct.insert(b.band, (row, b.population, b.standard));
                sum_weights += b.standard;
                population += b.population;
            }
            Some(&(first, p, w)) => {
                if p != b.population {
                    return Err(StatsError::Invalid(format!(
                        "rows {first} and {row} are the same age band but give different populations ({p} and {}); \
                         give one row per age band, or repeat the band's population on each of its event-frequency rows",
                        b.population
                    )));
                }
                if w != b.standard {
                    return Err(StatsError::Invalid(format!(
                        "rows {first} and {row} are the same age band but give different standard weights ({w} and {})",
                        b.standard
                    )));
                }
            }
        }
    }
    if sum_weights <= 0.0 {
        return Err(StatsError::Invalid("the standard population weights sum to 0".into()));
    }
    let mut observed = 0.0;
    let mut weighted = 0.0;
    let mut variance_sum = 0.0;
    for b in bands {
        let events = b.frequency * b.count;
        let ratio = b.standard / b.population;
        observed += events;
        weighted += events * ratio;
        variance_sum += b.frequency * b.frequency * b.count * ratio * ratio;
    }
    let estimate = dobson(observed, weighted / sum_weights, variance_sum / (sum_weights * sum_weights), multiplier, levels);
    Ok(DsrResult { observed, population, estimate })
}

/// The DSR estimate from its totals: `O`, the unscaled DSR and its variance.
///
/// Source: Dobson et al. 1991 (see [`dsr`]).
fn dobson(observed: f64, rate: f64, variance: f64, multiplier: f64, levels: &[f64]) -> Estimate {
    if observed < MIN_EVENTS {
        return Estimate::missing(
            Method::Dobson,
            levels.len(),
            format!("fewer than 10 events (O = {observed}): DSR not reported (Dobson method unreliable)"),
        );
    }
    let limits = levels.iter().map(|&l| Some(dobson_limits(observed, rate, variance, z_for_level(l)).scaled(multiplier))).collect();
    Estimate { value: Some(rate * multiplier), limits, method: Method::Dobson, note: None }
}

/// Dobson limits (unscaled) for a DSR `rate` with variance `variance` and `observed`
/// events, for the normal quantile `z`: `rate + √(var/O) (Byar(O) − O)`.
///
/// Source: Dobson et al. 1991, equation for the interval of a weighted sum of
/// Poisson parameters, with Byar's limits for O (PHEindicatormethods `phe_dsr`).
pub(crate) fn dobson_limits(observed: f64, rate: f64, variance: f64, z: f64) -> Limits {
    let byar = byar_with_z(observed, z);
    let factor = (variance / observed).sqrt();
    Limits { lower: rate + factor * (byar.lower - observed), upper: rate + factor * (byar.upper - observed) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::standards::ESP2013;
    use proptest::prelude::*;

    fn band(id: u64, count: f64, population: f64, standard: f64) -> DsrBand {
        DsrBand { band: id, count, population, standard, frequency: 1.0 }
    }

    fn lim(e: &Estimate, i: usize) -> Limits {
        e.limits[i].unwrap()
    }

    #[test]
    fn hand_computed_example() {
        // Bands (x, n, w): (10, 1000, 2), (20, 2000, 3), (30, 1000, 5); Σw = 10.
        // Σ x w/n = 0.02 + 0.03 + 0.15 = 0.2 → DSR = 0.2/10 = 0.02 → 20 per 1000.
        // O = 60; var = [10·0.002² + 20·0.0015² + 30·0.005²]/10² = 8.35e-4/100 = 8.35e-6.
        // √(var/O) = √(1.391667e-7) = 3.730505e-4.
        // Byar(60) 95 % = 45.783760, 77.233224 → lower = 0.02 + 3.730505e-4 × (45.783760 − 60)
        //   = 0.0146966 → 14.696625 per 1000; upper = 0.02 + 3.730505e-4 × 17.233224 = 26.428863.
        // Byar(60) 99.8 % = 38.855201, 88.032235 → 12.111923, 30.457439.
        let bands = [band(1, 10.0, 1000.0, 2.0), band(2, 20.0, 2000.0, 3.0), band(3, 30.0, 1000.0, 5.0)];
        let r = dsr(&bands, 1000.0, &[0.95, 0.998]).unwrap();
        assert_eq!(r.observed, 60.0);
        assert_eq!(r.population, 4000.0);
        let e = &r.estimate;
        assert_eq!(e.method, Method::Dobson);
        assert!((e.value.unwrap() - 20.0).abs() < 1e-12);
        assert!((lim(e, 0).lower - 14.696_624_548_4).abs() < 1e-8, "{:?}", lim(e, 0));
        assert!((lim(e, 0).upper - 26.428_862_605_0).abs() < 1e-8, "{:?}", lim(e, 0));
        assert!((lim(e, 1).lower - 12.111_922_577_1).abs() < 1e-8, "{:?}", lim(e, 1));
        assert!((lim(e, 1).upper - 30.457_439_129_3).abs() < 1e-8, "{:?}", lim(e, 1));
        assert_eq!(e.note, None);
    }

    #[test]
    fn population_shaped_like_the_standard_gives_the_crude_rate() {
        // n_i = k w_i ⇒ DSR = Σ (x_i w_i / (k w_i)) / Σw = Σx / (k Σw) = Σx / Σn.
        let counts = [3.0, 1.0, 0.0, 2.0, 4.0, 6.0, 5.0, 9.0, 12.0, 15.0, 20.0, 25.0, 31.0, 40.0, 52.0, 60.0, 58.0, 45.0, 30.0];
        let bands: Vec<DsrBand> = (0..19).map(|i| band(i as u64, counts[i], ESP2013[i] * 3.0, ESP2013[i])).collect();
        let r = dsr(&bands, 100_000.0, &[0.95]).unwrap();
        let crude = counts.iter().sum::<f64>() / (3.0 * 100_000.0) * 100_000.0;
        assert!((r.estimate.value.unwrap() - crude).abs() < 1e-9 * crude, "{} vs {crude}", r.estimate.value.unwrap());
        assert_eq!(r.population, 300_000.0);
    }

    #[test]
    fn frequencies_of_one_equal_independent_events() {
        let independent = [band(1, 10.0, 1000.0, 2.0), band(2, 20.0, 2000.0, 3.0), band(3, 30.0, 1000.0, 5.0)];
        let mut split = Vec::new();
        // The same persons split over two rows per band, all with frequency 1.
        for b in independent {
            split.push(DsrBand { count: b.count - 4.0, ..b });
            split.push(DsrBand { count: 4.0, ..b });
        }
        let a = dsr(&independent, 1000.0, &[0.95]).unwrap();
        let b = dsr(&split, 1000.0, &[0.95]).unwrap();
        assert_eq!(a.observed, b.observed);
        assert_eq!(a.population, b.population);
        assert!((a.estimate.value.unwrap() - b.estimate.value.unwrap()).abs() < 1e-12);
        assert!((lim(&a.estimate, 0).lower - lim(&b.estimate, 0).lower).abs() < 1e-12);
        assert!((lim(&a.estimate, 0).upper - lim(&b.estimate, 0).upper).abs() < 1e-12);
    }

    #[test]
    fn frequency_two_doubles_the_events() {
        let once = [band(1, 10.0, 1000.0, 2.0), band(2, 20.0, 2000.0, 3.0), band(3, 30.0, 1000.0, 5.0)];
        let twice: Vec<DsrBand> = once.iter().map(|b| DsrBand { frequency: 2.0, ..*b }).collect();
        let a = dsr(&once, 1000.0, &[0.95]).unwrap();
        let b = dsr(&twice, 1000.0, &[0.95]).unwrap();
        assert_eq!(b.observed, 2.0 * a.observed);
        assert_eq!(b.population, a.population);
        assert!((b.estimate.value.unwrap() - 2.0 * a.estimate.value.unwrap()).abs() < 1e-12);
        // var grows ×4 (f² = 4) while O doubles: 120 events, DSR 0.04, var = 4 × 8.35e-6 = 3.34e-5,
        // √(var/O) = √(2.783333e-7) = 5.275731e-4; Byar(120) 95 % = 99.490232, 143.491660 →
        // (0.04 + 5.275731e-4 × (99.490232 − 120)) × 1000 = 29.179599 and 52.393567 (mpmath).
        assert!((lim(&b.estimate, 0).lower - 29.179_598_734_2).abs() < 1e-8, "{:?}", b.estimate);
        assert!((lim(&b.estimate, 0).upper - 52.393_567_183_5).abs() < 1e-8, "{:?}", b.estimate);
    }

    #[test]
    fn non_independent_events_hand_computed() {
        // Band A: population 1000, weight 3; 20 persons with 1 event, 5 persons with 2.
        // Band B: population 2000, weight 7; 30 persons with 1 event, 2 persons with 3.
        // Σw = 3 + 7 = 10 (each band once); population = 3000.
        // Events: A = 20 + 10 = 30, B = 30 + 6 = 36 → O = 66.
        // DSR = (30·3/1000 + 36·7/2000)/10 = (0.09 + 0.126)/10 = 0.0216 → 2160 per 100 000.
        // var = [1²·20·0.003² + 2²·5·0.003² + 1²·30·0.0035² + 3²·2·0.0035²]/10²
        //     = [1.8e-4 + 1.8e-4 + 3.675e-4 + 2.205e-4]/100 = 9.48e-6.
        // 95 %: 0.0216 + √(9.48e-6/66)·(Byar(66) − 66) → 1593.100102, 2841.032292 (mpmath).
        let rows = [
            DsrBand { band: 7, count: 20.0, population: 1000.0, standard: 3.0, frequency: 1.0 },
            DsrBand { band: 7, count: 5.0, population: 1000.0, standard: 3.0, frequency: 2.0 },
            DsrBand { band: 9, count: 30.0, population: 2000.0, standard: 7.0, frequency: 1.0 },
            DsrBand { band: 9, count: 2.0, population: 2000.0, standard: 7.0, frequency: 3.0 },
        ];
        let r = dsr(&rows, 100_000.0, &[0.95]).unwrap();
        assert_eq!(r.observed, 66.0);
        assert_eq!(r.population, 3000.0);
        assert!((r.estimate.value.unwrap() - 2160.0).abs() < 1e-9);
        assert!((lim(&r.estimate, 0).lower - 1_593.100_101_723_75).abs() < 1e-6, "{:?}", r.estimate);
        assert!((lim(&r.estimate, 0).upper - 2_841.032_292_249_7).abs() < 1e-6, "{:?}", r.estimate);
    }

    #[test]
    fn fewer_than_ten_events_is_not_reported() {
        let bands = [band(1, 4.0, 1000.0, 2.0), band(2, 5.0, 2000.0, 3.0)];
        let r = dsr(&bands, 1000.0, &[0.95, 0.998]).unwrap();
        assert_eq!(r.observed, 9.0);
        assert_eq!(r.population, 3000.0);
        assert_eq!(r.estimate.value, None);
        assert_eq!(r.estimate.limits, vec![None, None]);
        assert_eq!(r.estimate.note.as_deref(), Some("fewer than 10 events (O = 9): DSR not reported (Dobson method unreliable)"));
        // Exactly 10 is reported.
        let bands = [band(1, 5.0, 1000.0, 2.0), band(2, 5.0, 2000.0, 3.0)];
        assert!(dsr(&bands, 1000.0, &[0.95]).unwrap().estimate.value.is_some());
    }

    #[test]
    fn zero_events_everywhere() {
        let bands = [band(1, 0.0, 1000.0, 2.0), band(2, 0.0, 2000.0, 3.0)];
        let r = dsr(&bands, 1000.0, &[0.95]).unwrap();
        assert_eq!(r.observed, 0.0);
        assert_eq!(r.estimate.value, None);
        assert!(r.estimate.note.unwrap().contains("O = 0"));
    }

    #[test]
    fn zero_weight_band_is_ignored_in_the_rate() {
        let a = dsr(&[band(1, 10.0, 1000.0, 2.0), band(2, 20.0, 2000.0, 3.0)], 1000.0, &[0.95]).unwrap();
        let b = dsr(&[band(1, 10.0, 1000.0, 2.0), band(2, 20.0, 2000.0, 3.0), band(3, 50.0, 10.0, 0.0)], 1000.0, &[0.95]).unwrap();
        assert!((a.estimate.value.unwrap() - b.estimate.value.unwrap()).abs() < 1e-12);
        assert_eq!(b.observed, 80.0);
    }

    #[test]
    fn invalid_inputs_are_errors() {
        let ok = band(1, 10.0, 1000.0, 2.0);
        let cases: Vec<(Vec<DsrBand>, &str)> = vec![
            (vec![], "no age band"),
            (vec![ok, band(2, 10.0, 0.0, 2.0)], "population must be > 0"),
            (vec![ok, band(2, 10.0, -5.0, 0.0)], "population must be > 0"),
            (vec![ok, band(2, -1.0, 100.0, 2.0)], "negative count -1"),
            (vec![ok, band(2, 1.0, 100.0, -2.0)], "negative standard population weight"),
            (vec![ok, band(2, f64::NAN, 100.0, 2.0)], "not a finite number"),
            (vec![ok, band(2, 1.0, 100.0, f64::INFINITY)], "not a finite number"),
            (vec![band(1, 10.0, 1000.0, 0.0)], "sum to 0"),
            (vec![ok, DsrBand { frequency: 0.0, ..ok }], "event frequency must be > 0"),
            (vec![ok, DsrBand { population: 999.0, ..ok }], "different populations"),
            (vec![ok, DsrBand { standard: 3.0, ..ok }], "different standard weights"),
        ];
        for (bands, message) in cases {
            let err = dsr(&bands, 1000.0, &[0.95]).unwrap_err().to_string();
            assert!(err.contains(message), "{err} / {message}");
        }
        assert!(matches!(dsr(&[ok], 1000.0, &[1.5]), Err(StatsError::InvalidLevel(_))));
        assert!(matches!(dsr(&[ok], -1.0, &[0.95]), Err(StatsError::InvalidMultiplier(_))));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn limits_contain_value_and_widen(
            counts in proptest::collection::vec(0u32..400, 19),
            pops in proptest::collection::vec(500u32..200_000, 19),
        ) {
            let bands: Vec<DsrBand> =
                (0..19).map(|i| band(i as u64, counts[i] as f64, pops[i] as f64, ESP2013[i])).collect();
            let r = dsr(&bands, 100_000.0, &[0.95, 0.998]).unwrap();
            if r.observed >= 10.0 {
                let v = r.estimate.value.unwrap();
                let (a, b) = (lim(&r.estimate, 0), lim(&r.estimate, 1));
                prop_assert!(b.lower <= a.lower && a.lower <= v && v <= a.upper && a.upper <= b.upper);
            } else {
                prop_assert!(r.estimate.value.is_none());
            }
        }

        #[test]
        fn standard_shaped_population_equals_crude_rate(
            counts in proptest::collection::vec(0u32..500, 19),
            k in 0.01f64..50.0,
        ) {
            let bands: Vec<DsrBand> =
                (0..19).map(|i| band(i as u64, counts[i] as f64, ESP2013[i] * k, ESP2013[i])).collect();
            let r = dsr(&bands, 100_000.0, &[0.95]).unwrap();
            let crude = r.observed / r.population * 100_000.0;
            if let Some(v) = r.estimate.value {
                prop_assert!((v - crude).abs() <= 1e-9 * crude.max(1.0), "{v} vs {crude}");
            }
        }
    }
}
