//! Statistics core of diagsante: the public-health indicator methods used by the
//! English public health observatories (PHE / OHID Fingertips, PHEindicatormethods)
//! and by the French ORS, re-implemented from their published sources.
//!
//! Every method returns an [`Estimate`]: a value, one pair of confidence limits per
//! requested confidence level (in the order requested), the method used and an
//! optional note saying why a value or a limit is missing. No function of this module
//! panics on any input: invalid input gives a [`StatsError`] (or, where a whole
//! national run must survive one bad group, a missing estimate with a note).
//!
//! Quantiles come from `statrs` (normal: `Normal::inverse_cdf`; chi-square:
//! `ChiSquared::inverse_cdf`), never from hand-written approximations.
//!
//! The methods, one module each, with their sources:
//!
//! | module | method | source |
//! |---|---|---|
//! | [`proportion`] | proportion, Wilson score limits | Wilson 1927; Newcombe, Stat Med 1998;17:857 |
//! | [`rate`] | crude rate, Poisson limits | PHE technical guide "Confidence intervals" |
//! | [`poisson`] | exact Poisson limits below 10 events, Byar's above | Garwood 1936; Breslow & Day 1987 |
//! | [`dsr`] | directly standardised rate, incl. non-independent events | Dobson et al., Stat Med 1991;10:457; PHEindicatormethods |
//! | [`isr`] | indirectly standardised ratio (SMR, ICM) and rate | Breslow & Day 1987; PHEindicatormethods |
//! | [`life_expectancy`] | abridged life table, Chiang II, Silcocks' last band | Chiang 1984; Silcocks, Jenner & Reza, JECH 2001;55:38 |
//! | [`funnel`] | funnel-plot control limits and significance | Spiegelhalter, Stat Med 2005;24:1185 |
//! | [`growth`] | population growth split into its natural and apparent migratory components | INSEE, dossier complet (indicateurs démographiques) |
//! | [`mean_age`] | mean age from age bands, each at its midpoint | INSEE, définition « âge moyen » |
//! | [`compare`] | a value against a comparator, at each level | PHE Fingertips "compared with benchmark" |
//! | [`standards`] | standard populations (ESP 2013, France 2023) | Eurostat 2013; INSEE |
//!
//! This module is a pure core: numbers in, estimates out. It reads no file; applying the
//! methods per group to a user's table is [`crate::tables`]. National runs call the
//! scalar functions once per territory, in parallel (`compare::benchmark`).

use std::fmt;

use statrs::distribution::{ContinuousCDF, Normal};

pub mod compare;
pub mod dsr;
pub mod funnel;
pub mod growth;
pub mod isr;
pub mod life_expectancy;
pub mod mean_age;
pub mod poisson;
pub mod proportion;
pub mod rate;
pub mod standards;
pub mod trend;

/// The confidence levels reported by default: 95 % and 99.8 %, the two levels used
/// by PHE / OHID Fingertips profiles (Fingertips technical guidance, "Confidence
/// intervals"; the 99.8 % level is the "3 standard deviations" funnel-plot level of
/// Spiegelhalter 2005, Stat Med 24:1185).
pub const DEFAULT_LEVELS: [f64; 2] = [0.95, 0.998];

/// The two-sided standard normal quantile for a confidence level:
/// `z = Φ⁻¹(1 − (1 − level)/2)` (e.g. 1.959964 for 0.95, 3.090232 for 0.998).
///
/// Source: definition of a two-sided normal confidence interval (Armitage, Berry &
/// Matthews, *Statistical Methods in Medical Research*, 4th ed., 2002);
/// computed with `statrs::distribution::Normal::inverse_cdf`. Returns NaN (never
/// panics) when `level` is not strictly between 0 and 1.
pub fn z_for_level(level: f64) -> f64 {
    if !level_is_valid(level) {
        return f64::NAN;
    }
    Normal::standard().inverse_cdf(1.0 - (1.0 - level) / 2.0)
}

/// The column suffix of a confidence level: the level in percent with `.` replaced
/// by `_` and trailing zeros dropped (0.95 → "95", 0.998 → "99_8", 0.9 → "90").
///
/// Source: the column naming of PHEindicatormethods (`lower95_0cl`, `lower99_8cl`),
/// without its trailing ".0". The percentage is rounded to 10 decimals first so
/// that binary representation noise (0.998 × 100 = 99.80000000000001) disappears.
pub fn level_suffix(level: f64) -> String {
    let text = format!("{:.10}", level * 100.0);
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    text.replace('.', "_")
}

/// Whether `level` is a usable confidence level: finite and strictly in (0, 1).
///
/// Source: as [`validate_levels`].
pub(crate) fn level_is_valid(level: f64) -> bool {
    level > 0.0 && level < 1.0
}

/// Check that every confidence level is strictly between 0 and 1.
///
/// Source: a confidence level is a probability 1 − α with 0 < α < 1 (Armitage,
/// Berry & Matthews 2002); 0 and 1 give degenerate intervals, and a level
/// written in percent (95) is a common mistake, so both are refused.
pub fn validate_levels(levels: &[f64]) -> Result<(), StatsError> {
    match levels.iter().find(|l| !level_is_valid(**l)) {
        Some(&bad) => Err(StatsError::InvalidLevel(bad)),
        None => Ok(()),
    }
}

/// Check a multiplier (100 for a percentage, 100 000 for a rate per 100 000…).
///
/// Source: PHEindicatormethods' `multiplier` argument (a positive scale factor).
pub(crate) fn validate_multiplier(multiplier: f64) -> Result<(), StatsError> {
    if multiplier.is_finite() && multiplier > 0.0 {
        Ok(())
    } else {
        Err(StatsError::InvalidMultiplier(multiplier))
    }
}

/// Check that a number is finite.
///
/// Source: input checking only (no statistical content).
pub(crate) fn finite(what: &str, value: f64) -> Result<f64, StatsError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(StatsError::NotFinite { what: what.to_owned(), value })
    }
}

/// The method that produced an estimate's confidence limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Wilson score interval for a proportion (Wilson 1927; Newcombe 1998).
    Wilson,
    /// Exact Poisson interval from chi-square quantiles (Garwood 1936).
    Exact,
    /// Byar's approximation to the exact Poisson interval (Breslow & Day 1987).
    Byar,
    /// Dobson et al. 1991 interval for a directly standardised rate.
    Dobson,
    /// Chiang's life table with Silcocks' variance for the last band.
    Chiang,
}

impl fmt::Display for Method {
    /// The method's name as written in output tables. Source: the `method` column
    /// of PHEindicatormethods outputs (e.g. "Dobson"), here spelled
    /// after the authors.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Method::Wilson => "Wilson",
            Method::Exact => "Exact",
            Method::Byar => "Byar",
            Method::Dobson => "Dobson",
            Method::Chiang => "Chiang",
        })
    }
}

/// Lower and upper confidence limits, in the unit of the estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub lower: f64,
    pub upper: f64,
}

impl Limits {
    /// Both limits multiplied by `factor` (a rate multiplier, a reference value…).
    /// Source: linear rescaling of an interval (no statistical content).
    pub fn scaled(self, factor: f64) -> Limits {
        Limits { lower: self.lower * factor, upper: self.upper * factor }
    }

    /// Limits that are both NaN (an invalid input to a limits function).
    ///
    /// Source: no statistical content (marks an invalid input).
    pub(crate) fn nan() -> Limits {
        Limits { lower: f64::NAN, upper: f64::NAN }
    }
}

/// A point estimate with its confidence limits.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// The estimate, or `None` when it is withheld (see `note`).
    pub value: Option<f64>,
    /// One entry per requested confidence level, in the order requested.
    pub limits: Vec<Option<Limits>>,
    /// The method of the limits.
    pub method: Method,
    /// Why a value or limit is missing, or a caveat; `None` when there is nothing to say.
    pub note: Option<String>,
}

impl Estimate {
    /// An estimate with no value and no limits, and a note saying why.
    /// Source: the "value suppressed" convention of PHE Fingertips (a missing value
    /// always comes with its reason).
    pub fn missing(method: Method, levels_len: usize, note: impl Into<String>) -> Estimate {
        Estimate { value: None, limits: vec![None; levels_len], method, note: Some(note.into()) }
    }
}

/// Why a method refused its input.
#[derive(Debug, Clone, PartialEq)]
pub enum StatsError {
    /// A confidence level not strictly between 0 and 1.
    InvalidLevel(f64),
    /// A multiplier or reference value that is not a finite number > 0.
    InvalidMultiplier(f64),
    /// A denominator that is not > 0.
    NonPositiveDenominator(f64),
    /// A proportion whose numerator is larger than its denominator.
    NumeratorAboveDenominator { numerator: f64, denominator: f64 },
    /// A negative count of events.
    NegativeCount(f64),
    /// Some other quantity that must not be negative.
    Negative { what: String, value: f64 },
    /// A quantity that is NaN or infinite.
    NotFinite { what: String, value: f64 },
    /// Parallel inputs of different lengths.
    LengthMismatch { what: String, expected: usize, found: usize },
    /// Nothing to compute on (no band, no usable point…).
    NoData(String),
    /// A set of age bands that the method cannot use.
    InvalidBands(String),
    /// Any other invalid input, explained in plain words.
    Invalid(String),
}

impl fmt::Display for StatsError {
    /// Plain-English messages meant for analysts. Source: no statistical content.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatsError::InvalidLevel(l) => {
                write!(f, "confidence level must be in (0,1), strictly between 0 and 1 (got {l}); write 0.95 for 95 %")
            }
            StatsError::InvalidMultiplier(m) => write!(f, "multiplier must be a finite number > 0 (got {m})"),
            StatsError::NonPositiveDenominator(n) => write!(f, "denominator must be > 0 (got {n})"),
            StatsError::NumeratorAboveDenominator { numerator, denominator } => {
                write!(f, "numerator {numerator} is above denominator {denominator}")
            }
            StatsError::NegativeCount(x) => write!(f, "negative count {x}"),
            StatsError::Negative { what, value } => write!(f, "negative {what} {value}"),
            StatsError::NotFinite { what, value } => write!(f, "{what} is not a finite number (got {value})"),
            StatsError::LengthMismatch { what, expected, found } => {
                write!(f, "{what}: expected {expected} values, got {found}")
            }
            StatsError::NoData(why) | StatsError::InvalidBands(why) | StatsError::Invalid(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for StatsError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn z_matches_published_normal_quantiles() {
        // Standard normal quantiles:
        // z(0.975) = 1.959964, z(0.999) = 3.090232, z(0.95) = 1.644854.
        assert!((z_for_level(0.95) - 1.959_963_984_540_054).abs() < 1e-12);
        assert!((z_for_level(0.998) - 3.090_232_306_167_813).abs() < 1e-12);
        assert!((z_for_level(0.90) - 1.644_853_626_951_472).abs() < 1e-12);
        for bad in [0.0, 1.0, 95.0, -0.5, f64::NAN, f64::INFINITY] {
            assert!(z_for_level(bad).is_nan(), "{bad}");
        }
    }

    #[test]
    fn level_suffixes() {
        assert_eq!(level_suffix(0.95), "95");
        assert_eq!(level_suffix(0.998), "99_8");
        assert_eq!(level_suffix(0.9), "90");
        assert_eq!(level_suffix(0.99), "99");
        assert_eq!(level_suffix(0.999), "99_9");
        assert_eq!(level_suffix(0.5), "50");
        assert_eq!(level_suffix(0.9995), "99_95");
    }

    #[test]
    fn method_names() {
        let names: Vec<String> =
            [Method::Wilson, Method::Exact, Method::Byar, Method::Dobson, Method::Chiang].iter().map(|m| m.to_string()).collect();
        assert_eq!(names, ["Wilson", "Exact", "Byar", "Dobson", "Chiang"]);
    }

    #[test]
    fn levels_are_validated() {
        assert!(validate_levels(&DEFAULT_LEVELS).is_ok());
        assert!(validate_levels(&[]).is_ok());
        for bad in [0.0, 1.0, 95.0, -0.1, f64::NAN] {
            assert!(validate_levels(&[0.95, bad]).unwrap_err().to_string().starts_with("confidence level must be in (0,1)"));
        }
    }

    #[test]
    fn error_messages_are_plain() {
        assert_eq!(StatsError::NonPositiveDenominator(0.0).to_string(), "denominator must be > 0 (got 0)");
        assert_eq!(StatsError::NumeratorAboveDenominator { numerator: 5.0, denominator: 3.0 }.to_string(), "numerator 5 is above denominator 3");
        assert_eq!(StatsError::NegativeCount(-1.0).to_string(), "negative count -1");
        assert_eq!(StatsError::NotFinite { what: "population".into(), value: f64::NAN }.to_string(), "population is not a finite number (got NaN)");
        let e: Box<dyn std::error::Error> = Box::new(StatsError::InvalidLevel(95.0));
        assert!(e.to_string().contains("got 95"));
    }

    #[test]
    fn missing_estimate_has_one_empty_limit_per_level() {
        let e = Estimate::missing(Method::Dobson, 2, "why");
        assert_eq!(e.value, None);
        assert_eq!(e.limits, vec![None, None]);
        assert_eq!(e.method, Method::Dobson);
        assert_eq!(e.note.as_deref(), Some("why"));
    }

    #[test]
    fn no_panic_on_extreme_inputs() {
        use super::{dsr::*, funnel::*, isr::*, life_expectancy::*, poisson::*, proportion::*, rate::*};
        let values = [0.0, 5e-324, 0.3, 9.5, 1e6, 1e15, f64::MAX, -1.0, f64::NAN, f64::INFINITY];
        for &a in &values {
            for &b in &values {
                for l in [0.95, 1.0 - 1e-16, f64::NAN] {
                    let _ = (exact_limits(a, l), byar_limits(a, l), poisson_limits(a, l));
                    let _ = (proportion(a, b, 100.0, &[l]), crude_rate(a, b, b, &[l, 0.95]));
                    let band = IsrBand { count: a, population: b, ref_count: a, ref_population: b };
                    let _ = (isr(&[band], 100.0, Some(b), &[l]), isr(&[band], a, None, &[l]));
                    let rows = [
                        DsrBand { band: 1, count: a, population: b, standard: 1.0, frequency: b },
                        DsrBand { band: 2, count: 20.0, population: 100.0, standard: a, frequency: 1.0 },
                    ];
                    let _ = dsr(&rows, b, &[l]);
                    let _ = (proportion_funnel(&[a, 1.0], &[b, 10.0]), ratio_funnel(&[a, 1.0], &[b, 10.0]));
                    let _ = (rate_funnel(&[a, 20.0], &[b, 10.0], 1e5, true), rate_funnel(&[a, 20.0], &[b, 10.0], b, false));
                    let (mut d, mut p) = ([10.0; 20], [1000.0; 20]);
                    (d[3], p[5], d[19], p[19]) = (a, b, a, b);
                    let bands: Vec<LifeBand> = (0..20).map(|i| LifeBand { start_age: LE_BAND_STARTS[i], deaths: d[i], population: p[i] }).collect();
                    let _ = life_expectancy(&bands, &[l]);
                    let e = Estimate { value: Some(a), limits: vec![Some(Limits { lower: a, upper: b })], method: Method::Byar, note: None };
                    let _ = super::compare::compare(&e, 0, b, super::compare::Polarity::HighIsGood);
                    let _ = (level_suffix(l), z_for_level(l));
                }
            }
        }
    }
}
