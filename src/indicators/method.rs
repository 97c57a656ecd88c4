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
    /// The part of the mean annual growth due to the natural balance (births − deaths between
    /// the two censuses, over the mean population), INSEE's « taux de variation annuel moyen
    /// dû au solde naturel » ([`crate::stats::growth`]).
    NaturalGrowth,
    /// The rest of the mean annual growth, INSEE's « taux de variation annuel moyen dû au
    /// solde apparent des entrées-sorties »: with [`Method::NaturalGrowth`] it adds up to
    /// [`Method::AnnualGrowth`] exactly.
    MigratoryGrowth,
    /// The mean age of a population given by age bands, each counted at its midpoint
    /// ([`crate::stats::mean_age`]); census counts: no interval.
    MeanAge,
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
            Method::Count | Method::MeanAge => false,
            Method::Proportion
            | Method::CrudeRate
            | Method::Dsr
            | Method::Icm
            | Method::LifeExpectancy
            | Method::AnnualGrowth
            | Method::Ratio
            | Method::WeightedMean
            | Method::NaturalGrowth
            | Method::MigratoryGrowth => true,
        }
    }

    /// Whether the method sets births and deaths between two censuses beside the two census
    /// populations (the catalogue's `births` and `deaths`): the components of the growth.
    pub fn needs_natural_balance(self) -> bool {
        match self {
            Method::NaturalGrowth | Method::MigratoryGrowth => true,
            Method::Count
            | Method::Proportion
            | Method::CrudeRate
            | Method::Dsr
            | Method::Icm
            | Method::LifeExpectancy
            | Method::AnnualGrowth
            | Method::Ratio
            | Method::WeightedMean
            | Method::MeanAge => false,
        }
    }

    /// Whether the method reads its terms by age band whatever they say (a standardisation,
    /// a life table): then it reads a measure's breakdown by sex and age.
    pub fn reads_bands(self) -> bool {
        match self {
            Method::Dsr | Method::Icm | Method::LifeExpectancy | Method::MeanAge => true,
            Method::Count
            | Method::Proportion
            | Method::CrudeRate
            | Method::AnnualGrowth
            | Method::NaturalGrowth
            | Method::MigratoryGrowth
            | Method::Ratio
            | Method::WeightedMean => false,
        }
    }

    /// The multiplier when the catalogue gives none: per 100 for a growth rate, per 100,000
    /// for rates, 1 otherwise (a proportion's percent is given by the catalogue).
    pub fn default_multiplier(self) -> f64 {
        match self {
            Method::Proportion | Method::Count | Method::Icm | Method::LifeExpectancy | Method::Ratio | Method::WeightedMean | Method::MeanAge => 1.0,
            Method::AnnualGrowth | Method::NaturalGrowth | Method::MigratoryGrowth => 100.0,
            Method::CrudeRate | Method::Dsr => 100_000.0,
        }
    }

    /// The interval method reported with the value (also when the value is withheld).
    pub fn interval(self) -> stats::Method {
        match self {
            Method::AnnualGrowth | Method::NaturalGrowth | Method::MigratoryGrowth | Method::Ratio | Method::WeightedMean | Method::MeanAge => {
                stats::Method::Exact
            }
            Method::Proportion => stats::Method::Wilson,
            Method::Dsr => stats::Method::Dobson,
            Method::LifeExpectancy => stats::Method::Chiang,
            Method::Count | Method::CrudeRate | Method::Icm => stats::Method::Byar,
        }
    }

    /// Whether the value's numerator is a headcount, shown as the row's « Effectif »: not a
    /// weighted mean's (Σ value × weight, the APL's).
    pub fn counts_heads(self) -> bool {
        self != Method::WeightedMean
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
            | Method::WeightedMean
            | Method::NaturalGrowth
            | Method::MigratoryGrowth
            | Method::MeanAge => true,
        }
    }

    /// Whether the value is a ratio of two totals that has no meaning when its terms cover
    /// different communes (a density, a growth rate): then it is withheld.
    pub fn needs_same_coverage(self) -> bool {
        match self {
            Method::Ratio | Method::AnnualGrowth | Method::WeightedMean | Method::NaturalGrowth | Method::MigratoryGrowth => true,
            Method::Count | Method::Proportion | Method::CrudeRate | Method::Dsr | Method::Icm | Method::LifeExpectancy | Method::MeanAge => false,
        }
    }

    /// The unit of a difference with a comparator: `points` for percentages and growth
    /// rates, `ans` for a life expectancy, `%` (relative to the comparator) otherwise, and
    /// none for a count.
    pub fn difference_unit(self, unit: &str) -> &'static str {
        match self {
            Method::Count => "",
            Method::LifeExpectancy | Method::MeanAge => "ans",
            Method::AnnualGrowth | Method::NaturalGrowth | Method::MigratoryGrowth => "points",
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
            Method::Count
            | Method::LifeExpectancy
            | Method::AnnualGrowth
            | Method::NaturalGrowth
            | Method::MigratoryGrowth
            | Method::Ratio
            | Method::WeightedMean
            | Method::MeanAge => None,
        }
    }

    /// Whether the report's theme charts draw it as an index (France = 100): not a count, and
    /// not a growth rate (around 0) nor a density (hundreds, flattening the other bars).
    pub fn is_indexed_in_charts(self) -> bool {
        match self {
            Method::Count | Method::AnnualGrowth | Method::NaturalGrowth | Method::MigratoryGrowth | Method::Ratio | Method::MeanAge => false,
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
            Method::AnnualGrowth | Method::NaturalGrowth | Method::MigratoryGrowth | Method::WeightedMean => 2,
            Method::Count | Method::Proportion | Method::CrudeRate | Method::Dsr | Method::LifeExpectancy | Method::Ratio | Method::MeanAge => {
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
            Method::NaturalGrowth | Method::MigratoryGrowth => {
                let now = agg.total(geo, &indicator.numerator)?;
                let term = den()?;
                let before = agg.total(geo, term)?;
                let missing = |what: &str| Withheld::MissingInput { detail: format!("pas de terme «{what}» dans le catalogue") };
                let (b, d) =
                    (indicator.births.as_ref().ok_or_else(|| missing("births"))?, indicator.deaths.as_ref().ok_or_else(|| missing("deaths"))?);
                let year =
                    |m: &str| agg.years.get(m).copied().ok_or_else(|| Withheld::MissingInput { detail: format!("année de «{m}» inconnue") });
                let (y1, y0) = (year(&indicator.numerator.measure)?, year(&term.measure)?);
                // The births or deaths between the censuses, over their years.
                let between = |t: &super::catalogue::Term| {
                    if !agg.years.contains_key(&t.measure) {
                        return Err(Withheld::MissingInput {
                            detail: format!(
                                "«{}» absent des données : il faut les naissances et les décès de {y0}-{} (du 1er janvier {y0} au 31 décembre {}, entre les recensements {y0} et {y1} ; colonnes NAIS et DECE de l'INSEE)",
                                t.measure,
                                y1 - 1,
                                y1 - 1
                            ),
                        });
                    }
                    intercensal_period(agg, &t.measure, y0, y1)?;
                    agg.total(geo, t)
                };
                let (births, deaths) = (between(b)?, between(d)?);
                let c = stats::growth::growth_components(now, before, y1 - y0, Some(births), Some(deaths), indicator.multiplier).map_err(refused)?;
                let value = if self == Method::NaturalGrowth { c.natural } else { c.migratory };
                let estimate = Estimate { value: Some(value), limits: vec![None; levels.len()], method: stats::Method::Exact, note: None };
                Ok(Value::computed(now, Some(before), estimate))
            }
            Method::MeanAge => {
                let bands = agg.bands(geo, &indicator.numerator)?;
                let people: f64 = bands.iter().map(|b| b.2).sum();
                let bands: Vec<stats::mean_age::AgeCount> =
                    bands.into_iter().map(|(start, end, count)| stats::mean_age::AgeCount { start, end, count }).collect();
                // Bands the midpoints would misplace (an open band from 75 or 80: INSEE's communal
                // bases) are refused, said in French.
                let open = bands.iter().filter(|b| b.end.is_none()).map(|b| b.start).min();
                let age = stats::mean_age::mean_age(&bands, stats::mean_age::OPEN_BAND_WIDTH).map_err(|e| match (e, open) {
                    (stats::StatsError::InvalidBands(_), Some(start)) if start < stats::mean_age::MIN_OPEN_START => Withheld::NotComputable {
                        detail: format!(
                            "la dernière tranche d'âge des données, {start} ans et plus, est trop large pour un âge moyen (il faut des âges détaillés jusqu'à {} ans au moins)",
                            stats::mean_age::MIN_OPEN_START
                        ),
                    },
                    (e, _) => refused(e),
                })?;
                let estimate = Estimate { value: Some(age), limits: vec![None; levels.len()], method: stats::Method::Exact, note: None };
                Ok(Value::computed(people, None, estimate))
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

/// Check that `measure` (births or deaths) is given over the years between the censuses `y0`
/// and `y1`: from 1 January `y0` to 31 December `y1 − 1`, as INSEE pairs `NAIS1621` with the
/// censuses of 2016 and 2022. One year of births (the default data's 2022), or another
/// period, would not be the natural balance of the census pair: refused, saying which period
/// the data gives and which one is needed.
fn intercensal_period(agg: &Aggregated, measure: &str, y0: i32, y1: i32) -> Result<(), Withheld> {
    let end = agg.years.get(measure).copied().ok_or_else(|| Withheld::MissingInput { detail: format!("année de «{measure}» inconnue") })?;
    let start = agg.starts.get(measure).copied().unwrap_or(end);
    if (start, end) == (y0, y1 - 1) {
        return Ok(());
    }
    let given = if start == end { format!("{end} seulement") } else { format!("sur {start}-{end}") };
    Err(Withheld::MissingInput {
        detail: format!(
            "«{measure}» donné {given} ; il le faut sur {y0}-{} (du 1er janvier {y0} au 31 décembre {}, entre les recensements {y0} et {y1})",
            y1 - 1,
            y1 - 1
        ),
    })
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

    /// Facts of two communes (geo, year, year_start, measure, value), all ages and sexes.
    fn facts(rows: &[(&str, i32, i32, &str, f64)]) -> polars::prelude::DataFrame {
        use polars::prelude::*;
        let n = rows.len();
        DataFrame::new_infer_height(vec![
            Column::new("geo".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
            Column::new("year".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
            Column::new("year_start".into(), rows.iter().map(|r| r.2).collect::<Vec<_>>()),
            Column::new("measure".into(), rows.iter().map(|r| r.3).collect::<Vec<_>>()),
            Column::new("sex".into(), vec!["all"; n]),
            Column::new("age_min".into(), vec![None::<u32>; n]),
            Column::new("age_max".into(), vec![None::<u32>; n]),
            Column::new("value".into(), rows.iter().map(|r| Some(r.4)).collect::<Vec<_>>()),
        ])
        .unwrap()
    }

    #[test]
    fn growth_components_are_computed_once_from_summed_counts_and_add_up() {
        use crate::indicators::evaluate::{aggregate, compute, Geography};
        // Two communes, censuses of 2016 and 2022, births and deaths of 2016-2021 (INSEE's
        // NAIS1621, DECE1621): a 6,000 → 6,380 and b 4,000 → 4,024, so the pair goes
        // 10,000 → 10,404 in 6 years; births 400 + 230, deaths 250 + 180: balance +200.
        let rows = [
            ("a", 2022, 2022, "population", 6380.0),
            ("b", 2022, 2022, "population", 4024.0),
            ("a", 2016, 2016, "population_base", 6000.0),
            ("b", 2016, 2016, "population_base", 4000.0),
            ("a", 2021, 2016, "births_period", 400.0),
            ("b", 2021, 2016, "births_period", 230.0),
            ("a", 2021, 2016, "deaths_period", 250.0),
            ("b", 2021, 2016, "deaths_period", 180.0),
        ];
        let g = |id: &str, units: &[&str]| Geography { id: id.into(), name: id.into(), units: units.iter().map(|u| u.to_string()).collect() };
        let agg = aggregate(&facts(&rows), &[g("pair", &["a", "b"]), g("a", &["a"])]).unwrap();
        let catalogue = super::super::catalogue::load(None).unwrap();
        let get = |id: &str| catalogue.iter().find(|i| i.id == id).unwrap().clone();
        let value = |id: &str, geo: usize| compute(&get(id), &agg, geo, 0).estimate.value.unwrap();
        let (total, natural, migratory) =
            (value("croissance_population", 0), value("croissance_solde_naturel", 0), value("croissance_solde_migratoire", 0));
        // (10,404 / 10,000)^(1/6) − 1 = 0.662271 % a year; 200 / (6 × 10,202) = 0.326733 %.
        assert!((total - 0.662_271).abs() < 1e-6, "{total}");
        assert!((natural - 0.326_733).abs() < 1e-6, "{natural}");
        assert!((natural + migratory - total).abs() < 1e-12, "{natural} + {migratory} ≠ {total}");
        // Commune a alone: 150 / (6 × 6,190) = 0.403877 %.
        assert!((value("croissance_solde_naturel", 1) - 0.403_877).abs() < 1e-6);
    }

    #[test]
    fn births_of_another_period_than_the_census_pair_are_refused_with_a_note() {
        use crate::indicators::evaluate::{aggregate, compute, Geography};
        let catalogue = super::super::catalogue::load(None).unwrap();
        // The note of an indicator on one commune's facts: (geo, year, year_start, measure, value).
        let withheld = |rows: &[(&str, i32, i32, &str, f64)], id: &str| -> String {
            let agg = aggregate(&facts(rows), &[Geography { id: "a".into(), name: "a".into(), units: vec!["a".into()] }]).unwrap();
            let v = compute(catalogue.iter().find(|i| i.id == id).unwrap(), &agg, 0, 0);
            assert_eq!(v.estimate.value, None);
            assert!(matches!(v.withheld, Some(Withheld::MissingInput { .. })), "{id}: {:?}", v.withheld);
            v.note().unwrap()
        };
        let census = [("a", 2021, 2021, "population", 6380.0), ("a", 2015, 2015, "population_base", 6000.0)];
        let with = |extra: [(&'static str, i32, i32, &'static str, f64); 2]| [census[0], census[1], extra[0], extra[1]];
        // The default data: censuses 2015 and 2021, births and deaths of 2022 only.
        let default = with([("a", 2022, 2022, "births", 70.0), ("a", 2022, 2022, "deaths_all_causes", 50.0)]);
        // Births of one year given as the births between the censuses: refused.
        let one_year = with([("a", 2022, 2022, "births_period", 70.0), ("a", 2022, 2022, "deaths_period", 50.0)]);
        for id in ["croissance_solde_naturel", "croissance_solde_migratoire"] {
            let note = withheld(&default, id);
            assert!(note.contains("«births_period» absent des données") && note.contains("2015-2020"), "{id}: {note}");
            let note = withheld(&one_year, id);
            assert!(note.contains("«births_period» donné 2022 seulement") && note.contains("2015-2020"), "{id}: {note}");
        }
        // Births over a period that is not the census pair's (2010-2015): refused too.
        let other = with([("a", 2015, 2010, "births_period", 420.0), ("a", 2015, 2010, "deaths_period", 300.0)]);
        let note = withheld(&other, "croissance_solde_naturel");
        assert!(note.contains("donné sur 2010-2015"), "{note}");
    }

    #[test]
    fn mean_ages_read_the_finest_bands_of_each_sex() {
        use crate::indicators::evaluate::{aggregate, compute, Geography};
        use polars::prelude::*;
        // Commune a: women 0-4: 10, 5-89: 20, 90+: 10; men 0-4: 30, 5-89: 10, 90+: 0; and
        // the total of both sexes (a real census total beside the breakdown), 80.
        type Row = (&'static str, Option<u32>, Option<u32>, f64);
        let rows: [Row; 7] = [
            ("F", Some(0), Some(4), 10.0),
            ("F", Some(5), Some(89), 20.0),
            ("F", Some(90), None, 10.0),
            ("M", Some(0), Some(4), 30.0),
            ("M", Some(5), Some(89), 10.0),
            ("M", Some(90), None, 0.0),
            ("all", None, None, 80.0),
        ];
        let n = rows.len();
        let df = DataFrame::new_infer_height(vec![
            Column::new("geo".into(), vec!["a"; n]),
            Column::new("measure".into(), vec!["population"; n]),
            Column::new("sex".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
            Column::new("age_min".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
            Column::new("age_max".into(), rows.iter().map(|r| r.2).collect::<Vec<_>>()),
            Column::new("value".into(), rows.iter().map(|r| Some(r.3)).collect::<Vec<_>>()),
        ])
        .unwrap();
        let agg = aggregate(&df, &[Geography { id: "a".into(), name: "a".into(), units: vec!["a".into()] }]).unwrap();
        let catalogue = super::super::catalogue::load(None).unwrap();
        let value = |id: &str| compute(catalogue.iter().find(|i| i.id == id).unwrap(), &agg, 0, 0).estimate.value.unwrap();
        // Midpoints 2.5, 47.5, 92.5. Women: (25 + 950 + 925) / 40 = 47.5; men: (75 + 475) /
        // 40 = 13.75; everyone: (100 + 1,425 + 925) / 80 = 30.625.
        assert_eq!(value("age_moyen_femmes"), 47.5);
        assert_eq!(value("age_moyen_hommes"), 13.75);
        assert_eq!(value("age_moyen"), 30.625);
        // INSEE's communal bases stop at 80 and over: refused, in French.
        let coarse = DataFrame::new_infer_height(vec![
            Column::new("geo".into(), vec!["a"; 2]),
            Column::new("measure".into(), vec!["population"; 2]),
            Column::new("sex".into(), vec!["all"; 2]),
            Column::new("age_min".into(), vec![Some(0u32), Some(80)]),
            Column::new("age_max".into(), vec![Some(79u32), None]),
            Column::new("value".into(), vec![Some(90.0), Some(10.0)]),
        ])
        .unwrap();
        let agg = aggregate(&coarse, &[Geography { id: "a".into(), name: "a".into(), units: vec!["a".into()] }]).unwrap();
        let v = compute(catalogue.iter().find(|i| i.id == "age_moyen").unwrap(), &agg, 0, 0);
        assert_eq!(v.estimate.value, None);
        assert!(v.note().unwrap().contains("80 ans et plus, est trop large"), "{:?}", v.note());
    }

    #[test]
    fn a_life_table_refusal_says_why_in_french() {
        assert_eq!(life_table_refusal(&[1.0; 20], &[200.0; 20]), Withheld::TooSmallPopulation { population: 4000.0, minimum: 5000.0 });
        let mut d = vec![5.0; 20];
        d[19] = 0.0;
        assert!(life_table_refusal(&d, &[1000.0; 20]).french().contains("90 ans"));
    }
}
