//! The catalogue's methods, each in one place: how an indicator is computed from its summed
//! counts, the interval it carries, whether it is compared with other places, the unit of a
//! difference, the funnel plot it is drawn on and the decimals it is shown with. Every rule is
//! an exhaustive `match` on [`Method`], so adding a method is adding a variant here and
//! answering each question the compiler then asks.

use serde::Deserialize;

use super::catalogue::Indicator;
use super::evaluate::{life_band, standard_band, Aggregated, Value};
use super::withheld::Withheld;
use crate::stats::{self, standards, Estimate, DEFAULT_LEVELS};

/// How an indicator is computed from its counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// A plain sum (no interval).
    Count,
    /// A share with Wilson's interval (Wilson 1927; Newcombe 1998).
    Proportion,
    /// A rate per population with exact (Garwood) or Byar Poisson limits.
    CrudeRate,
    /// A directly standardised rate (Dobson et al. 1991).
    Dsr,
    /// Indirectly standardised mortality ratio against France, France = 100 (the ICM).
    Icm,
    /// Life expectancy at birth (Chiang II, Silcocks' variance for the last band).
    LifeExpectancy,
    /// Mean annual growth between the years of the denominator (before) and the numerator
    /// (now), from counts without sampling error (census populations): no interval.
    AnnualGrowth,
    /// A plain ratio of two quantities without sampling error (inhabitants per km²; the share
    /// of a population living in communes under an APL threshold, which is a census of the
    /// communes, not a sample proportion: no binomial interval).
    Ratio,
    /// The mean of a value published per commune weighted by a count, from the sums of value ×
    /// weight (numerator) and of the weight (denominator): DREES's APL of a territory, its
    /// communes' APL weighted by their standardised population (the note of DREES's workbook).
    /// No sampling error, no interval; shown with two decimals (a territory at 2.46
    /// consultations is under the 2.5 threshold, which « 2,5 » would hide).
    WeightedMean,
}

/// The statistic a funnel plot of a method tests (Spiegelhalter 2005).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunnelStatistic {
    /// A proportion against its denominator (binomial limits).
    Proportion,
    /// Observed / expected (Poisson limits on O, for E expected events).
    Ratio,
    /// A crude rate against its population (Poisson limits on the count).
    CrudeRate,
    /// A directly standardised rate, at its implied denominator (count / rate).
    StandardisedRate,
}

impl Method {
    /// Whether the method sets its numerator against a denominator.
    pub fn needs_denominator(self) -> bool {
        match self {
            Method::Count => false,
            Method::Proportion
            | Method::CrudeRate
            | Method::Dsr
            | Method::Icm
            | Method::LifeExpectancy
            | Method::AnnualGrowth
            | Method::Ratio
            | Method::WeightedMean => true,
        }
    }

    /// Whether the method reads its terms by age band whatever they say (a standardisation,
    /// a life table): then it reads a measure's breakdown by sex and age.
    pub fn reads_bands(self) -> bool {
        match self {
            Method::Dsr | Method::Icm | Method::LifeExpectancy => true,
            Method::Count | Method::Proportion | Method::CrudeRate | Method::AnnualGrowth | Method::Ratio | Method::WeightedMean => false,
        }
    }

    /// The multiplier when the catalogue gives none: per 100 for a growth rate, per 100,000
    /// for rates, 1 otherwise (a proportion's percent is given by the catalogue).
    pub fn default_multiplier(self) -> f64 {
        match self {
            Method::Proportion | Method::Count | Method::Icm | Method::LifeExpectancy | Method::Ratio | Method::WeightedMean => 1.0,
            Method::AnnualGrowth => 100.0,
            Method::CrudeRate | Method::Dsr => 100_000.0,
        }
    }

    /// The interval method reported with the value (also when the value is withheld).
    pub fn interval(self) -> stats::Method {
        match self {
            Method::AnnualGrowth | Method::Ratio | Method::WeightedMean => stats::Method::Exact,
            Method::Proportion => stats::Method::Wilson,
            Method::Dsr => stats::Method::Dobson,
            Method::LifeExpectancy => stats::Method::Chiang,
            Method::Count | Method::CrudeRate | Method::Icm => stats::Method::Byar,
        }
    }

    /// Whether a value is compared with its comparators and peers (a count is a size, not a
    /// level: it is not).
    pub fn is_compared(self) -> bool {
        match self {
            Method::Count => false,
            Method::Proportion
            | Method::CrudeRate
            | Method::Dsr
            | Method::Icm
            | Method::LifeExpectancy
            | Method::AnnualGrowth
            | Method::Ratio
            | Method::WeightedMean => true,
        }
    }

    /// Whether the value is a ratio of two totals that has no meaning when its terms cover
    /// different communes (a density, a growth rate): then it is withheld.
    pub fn needs_same_coverage(self) -> bool {
        match self {
            Method::Ratio | Method::AnnualGrowth | Method::WeightedMean => true,
            Method::Count | Method::Proportion | Method::CrudeRate | Method::Dsr | Method::Icm | Method::LifeExpectancy => false,
        }
    }

    /// The unit of a difference with a comparator: `points` for percentages and growth
    /// rates, `ans` for a life expectancy, `%` (relative to the comparator) otherwise, and
    /// none for a count.
    pub fn difference_unit(self, unit: &str) -> &'static str {
        match self {
            Method::Count => "",
            Method::LifeExpectancy => "ans",
            Method::AnnualGrowth => "points",
            Method::Proportion | Method::CrudeRate | Method::Dsr | Method::Icm | Method::Ratio | Method::WeightedMean if unit == "%" => "points",
            Method::Proportion | Method::CrudeRate | Method::Dsr | Method::Icm | Method::Ratio | Method::WeightedMean => "%",
        }
    }

    /// The funnel plot the method is drawn on, if any.
    pub fn funnel(self) -> Option<FunnelStatistic> {
        match self {
            Method::Proportion => Some(FunnelStatistic::Proportion),
            Method::Icm => Some(FunnelStatistic::Ratio),
            Method::CrudeRate => Some(FunnelStatistic::CrudeRate),
            Method::Dsr => Some(FunnelStatistic::StandardisedRate),
            Method::Count | Method::LifeExpectancy | Method::AnnualGrowth | Method::Ratio | Method::WeightedMean => None,
        }
    }

    /// Whether the report's theme charts draw it as an index (France = 100): not a count, and
    /// not a growth rate (around 0) nor a density (hundreds, flattening the other bars).
    pub fn is_indexed_in_charts(self) -> bool {
        match self {
            Method::Count | Method::AnnualGrowth | Method::Ratio => false,
            Method::Proportion | Method::CrudeRate | Method::Dsr | Method::Icm | Method::LifeExpectancy | Method::WeightedMean => true,
        }
    }

    /// Decimals to show for a value `v`: none for whole counts, indices and values of 100 or
    /// more, two for growth rates (+0,66 % a year, as the diagnostics quote them) and weighted
    /// means (an APL of 2,46), one otherwise.
    pub fn decimals(self, v: f64) -> usize {
        match self {
            Method::Count if v.fract() == 0.0 => 0,
            Method::Icm => 0,
            Method::AnnualGrowth | Method::WeightedMean => 2,
            Method::Count | Method::Proportion | Method::CrudeRate | Method::Dsr | Method::LifeExpectancy | Method::Ratio => {
                if v.abs() >= 100.0 {
                    0
                } else {
                    1
                }
            }
        }
    }

    /// Compute `indicator` (of this method) in geography `geo` from the summed counts;
    /// `france` is the index of France (the reference of the ICM). A value the method
    /// refuses keeps its count, so that secrecy still judges it.
    pub fn compute(self, indicator: &Indicator, agg: &Aggregated, geo: usize, france: usize) -> Result<Value, Withheld> {
        let levels = &DEFAULT_LEVELS;
        let den = || indicator.denominator.as_ref().ok_or(Withheld::NotComputable { detail: "pas de dénominateur".into() });
        let refused = |e: stats::StatsError| Withheld::from_stats(&e);
        match self {
            Method::Count => agg.total(geo, &indicator.numerator).map(|x| {
                Value::computed(x, None, Estimate { value: Some(x), limits: vec![None; levels.len()], method: stats::Method::Exact, note: None })
            }),
            Method::Proportion => {
                let x = agg.total(geo, &indicator.numerator)?;
                let n = agg.total(geo, den()?)?;
                stats::proportion::proportion(x, n, indicator.multiplier, levels).map(|e| Value::computed(x, Some(n), e)).map_err(refused)
            }
            Method::CrudeRate => {
                let x = agg.total(geo, &indicator.numerator)?;
                let n = agg.total(geo, den()?)?;
                stats::rate::crude_rate(x, n, indicator.multiplier, levels).map(|e| Value::computed(x, Some(n), e)).map_err(refused)
            }
            Method::Dsr => {
                let x = agg.by_band(geo, &indicator.numerator, 19, standard_band)?;
                let n = agg.by_band(geo, den()?, 19, standard_band)?;
                let std = standards::standard_by_name(indicator.standard.as_deref().unwrap_or("esp2013"))
                    .ok_or(Withheld::NotComputable { detail: "standard inconnu".into() })?;
                let bands: Vec<stats::dsr::DsrBand> = (0..19)
                    .filter(|&i| n[i] > 0.0)
                    .map(|i| stats::dsr::DsrBand { band: i as u64, count: x[i], population: n[i], standard: std[i], frequency: 1.0 })
                    .collect();
                let r = stats::dsr::dsr(&bands, indicator.multiplier, levels).map_err(refused)?;
                // Dobson's rule: the DSR is not reported under MIN_EVENTS events.
                if r.estimate.value.is_none() && r.observed < stats::dsr::MIN_EVENTS {
                    let why = Withheld::TooFewEvents { observed: r.observed, minimum: stats::dsr::MIN_EVENTS };
                    return Ok(Value::refused(r.observed, Some(r.population), r.estimate, why));
                }
                Ok(Value::computed(r.observed, Some(r.population), r.estimate))
            }
            Method::Icm => {
                let term = den()?;
                let x = agg.by_band(geo, &indicator.numerator, 19, standard_band)?;
                let n = agg.by_band(geo, term, 19, standard_band)?;
                let rx = agg.by_band(france, &indicator.numerator, 19, standard_band)?;
                let rn = agg.by_band(france, term, 19, standard_band)?;
                let bands: Vec<stats::isr::IsrBand> = (0..19)
                    .filter(|&i| rn[i] > 0.0)
                    .map(|i| stats::isr::IsrBand { count: x[i], population: n[i], ref_count: rx[i], ref_population: rn[i] })
                    .collect();
                let r = stats::isr::isr(&bands, 100.0, None, levels).map_err(refused)?;
                // No expected event (no reference event in its age bands): nothing to divide by.
                if r.estimate.value.is_none() {
                    return Ok(Value::refused(r.observed, Some(r.expected), r.estimate, Withheld::ZeroDenominator));
                }
                Ok(Value::computed(r.observed, Some(r.expected), r.estimate))
            }
            Method::Ratio | Method::WeightedMean => {
                let x = agg.total(geo, &indicator.numerator)?;
                let n = agg.total(geo, den()?)?;
                stats::rate::ratio(x, n, indicator.multiplier, levels.len()).map(|e| Value::computed(x, Some(n), e)).map_err(refused)
            }
            Method::AnnualGrowth => {
                let now = agg.total(geo, &indicator.numerator)?;
                let term = den()?;
                let before = agg.total(geo, term)?;
                let year =
                    |m: &str| agg.years.get(m).copied().ok_or_else(|| Withheld::MissingInput { detail: format!("année de «{m}» inconnue") });
                let (y1, y0) = (year(&indicator.numerator.measure)?, year(&term.measure)?);
                stats::rate::annual_growth(now, before, y1 - y0, indicator.multiplier, levels.len())
                    .map(|e| Value::computed(now, Some(before), e))
                    .map_err(refused)
            }
            Method::LifeExpectancy => {
                let d = agg.by_band(geo, &indicator.numerator, 20, life_band)?;
                let p = agg.by_band(geo, den()?, 20, life_band)?;
                let starts = stats::life_expectancy::LE_BAND_STARTS;
                let bands: Vec<stats::life_expectancy::LifeBand> =
                    (0..20).map(|i| stats::life_expectancy::LifeBand { start_age: starts[i], deaths: d[i], population: p[i] }).collect();
                let table = stats::life_expectancy::life_expectancy(&bands, levels).map_err(refused)?;
                let (_, at_birth) = table.into_iter().next().ok_or(Withheld::NotComputable { detail: "table de mortalité vide".into() })?;
                if at_birth.value.is_none() {
                    let why = life_table_refusal(&d, &p);
                    return Ok(Value::refused(d.iter().sum(), Some(p.iter().sum()), at_birth, why));
                }
                // The only caveat of a shown life expectancy is a probability of dying capped at
                // 1 in some band (stats says it in English, for analysts): said in French here.
                let note = at_birth
                    .note
                    .as_ref()
                    .map(|_| "probabilité de décès plafonnée à 1 dans une tranche d'âge (décès nombreux pour sa population)".to_owned());
                Ok(Value::computed(d.iter().sum(), Some(p.iter().sum()), Estimate { note, ..at_birth }))
            }
        }
    }
}

impl FunnelStatistic {
    /// The funnel's horizontal axis, in the report's words.
    pub fn axis_label(self) -> &'static str {
        match self {
            FunnelStatistic::Proportion => "Effectif de la population concernée (échelle logarithmique)",
            FunnelStatistic::Ratio => "Décès attendus aux taux de la France (échelle logarithmique)",
            FunnelStatistic::CrudeRate => "Population (échelle logarithmique)",
            FunnelStatistic::StandardisedRate => "Population équivalente (effectif / taux ; échelle logarithmique)",
        }
    }
}

/// Why a life table gave no life expectancy at birth, in the order of the method's own
/// checks (PHEindicatormethods `phe_life_expectancy`: more than 5,000 people, every band
/// populated, deaths in the last band).
fn life_table_refusal(deaths: &[f64], population: &[f64]) -> Withheld {
    let minimum = stats::life_expectancy::MIN_TOTAL_POPULATION;
    let total: f64 = population.iter().sum();
    if total <= minimum {
        return Withheld::TooSmallPopulation { population: total, minimum };
    }
    let detail = if population.iter().any(|&p| p <= 0.0) {
        "une tranche d'âge sans population".to_owned()
    } else if deaths.last().is_some_and(|&d| d <= 0.0) {
        "aucun décès dans la tranche des 90 ans et plus".to_owned()
    } else {
        "intervalle de confiance trop large (plus de 20 ans à 95 %)".to_owned()
    };
    Withheld::NotComputable { detail }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_method_says_how_it_is_shown_and_compared() {
        assert_eq!(Method::Proportion.difference_unit("%"), "points");
        assert_eq!(Method::Dsr.difference_unit(""), "%");
        assert_eq!(Method::LifeExpectancy.difference_unit(""), "ans");
        assert_eq!(Method::Count.difference_unit(""), "");
        assert!(!Method::Count.is_compared() && Method::Ratio.is_compared());
        assert_eq!(Method::CrudeRate.funnel(), Some(FunnelStatistic::CrudeRate));
        assert_eq!(Method::Ratio.funnel(), None);
        assert_eq!(Method::AnnualGrowth.decimals(0.66), 2);
        assert_eq!(Method::Count.decimals(64878.0), 0);
        assert_eq!(Method::Proportion.decimals(21.26), 1);
        assert_eq!(Method::Dsr.decimals(814.1), 0);
        assert!(!Method::Count.needs_denominator() && Method::Icm.needs_denominator());
        assert_eq!(Method::WeightedMean.decimals(2.46), 2);
        assert_eq!(Method::WeightedMean.interval(), stats::Method::Exact);
        assert!(Method::WeightedMean.needs_same_coverage() && Method::WeightedMean.funnel().is_none());
    }

    #[test]
    fn a_life_table_refusal_says_why_in_french() {
        assert_eq!(life_table_refusal(&[1.0; 20], &[200.0; 20]), Withheld::TooSmallPopulation { population: 4000.0, minimum: 5000.0 });
        let mut d = vec![5.0; 20];
        d[19] = 0.0;
        assert!(life_table_refusal(&d, &[1000.0; 20]).french().contains("90 ans"));
    }
}
