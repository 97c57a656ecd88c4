//! An indicator over the years: each year its measures are all given for, the indicator is
//! computed as for its latest value (the same aggregation of counts, the rate computed once
//! per year by its method), and the recent trend of those values is tested as Fingertips
//! does ([`crate::stats::trend`]).
//!
//! **How years pair.** A point of the series reads every term (numerator, denominator…) at
//! the **same year**; a year one of the terms is not given for is skipped (deaths 2016-2023
//! over populations 2015 and 2021 give the points 2015 and 2021 only, never deaths of one
//! year over the population of another). The latest value the tables show may pair the
//! latest year of each term (deaths 2022 over the population 2021, as INSEE's comparateur
//! does): it is a point of the series only when its terms share that year. A growth rate
//! (between two censuses) has no series: its value is already a change over a period.
//!
//! **Which test.** Values with 95 % limits (crude rates, DSR, ICM, life expectancy) are
//! tested by a regression weighted by 1/SE² ([`trend::of_values`]), proportions by the
//! chi-square test for trend of their counts ([`trend::of_proportions`]), as PHE's technical
//! guidance says (*Fingertips: recent trends*, 2018). Values without a sampling interval
//! (counts, ratios, weighted means, mean ages, growth rates) have no test there: « non
//! calculable », with a note (an unweighted regression of values without error would call any
//! drift significant).

use super::catalogue::{Indicator, Term};
use super::evaluate::{compute, Aggregated, Value};
use super::method::Method;
use crate::stats::trend::{self, CountPoint, Direction, Trend, ValuePoint};

/// The indicator as read at each year of its series, in order of year (see the module's
/// doc for the pairing), or nothing when it has no series: a growth rate, or a numerator
/// given for one year (then its latest value is its only point, and nothing more is
/// computed).
pub fn at_years(indicator: &Indicator, agg: &Aggregated) -> Vec<(i32, Indicator)> {
    if matches!(indicator.method, Method::AnnualGrowth | Method::NaturalGrowth | Method::MigratoryGrowth) {
        return Vec::new();
    }
    let points = |t: &Term| -> Vec<(i32, String)> {
        match agg.series.get(&t.measure) {
            Some(s) => s.clone(),
            None => agg.years.get(&t.measure).map(|&y| vec![(y, t.measure.clone())]).unwrap_or_default(),
        }
    };
    // The numerator's years make the series: a count of one year over a population of
    // several (ALD 2023 over the censuses and INSEE's estimates) is one value, not a series
    // of the département's estimate years where a territory has none.
    if !agg.series.contains_key(&indicator.numerator.measure) {
        return Vec::new();
    }
    let terms: Vec<Vec<(i32, String)>> = indicator.terms().map(points).collect();
    let Some(first) = terms.first() else { return Vec::new() };
    let name = |k: usize, y: i32| terms[k].iter().find(|p| p.0 == y).map(|p| p.1.clone());
    first
        .iter()
        .map(|p| p.0)
        .filter_map(|y| {
            let mut at = indicator.clone();
            let mut slots: Vec<&mut Term> =
                std::iter::once(&mut at.numerator).chain(at.denominator.as_mut()).chain(at.births.as_mut()).chain(at.deaths.as_mut()).collect();
            for (k, t) in slots.iter_mut().enumerate() {
                t.measure = name(k, y)?;
            }
            Some((y, at))
        })
        .collect()
}

/// The values of the indicator at each year of its series (`at`, from [`at_years`]) in
/// geography `geo` (`france`: the reference of the ICM, as in [`compute`]).
pub fn values(at: &[(i32, Indicator)], agg: &Aggregated, geo: usize, france: usize) -> Vec<(i32, Value)> {
    at.iter().map(|(y, ind)| (*y, compute(&agg.series_for(ind, geo), agg, geo, france))).collect()
}

/// The recent trend of a series of `indicator`'s values (those withheld or not computed are
/// not points), by its method (see the module's doc).
pub fn trend_of(indicator: &Indicator, series: &[(i32, Value)]) -> Trend {
    let shown: Vec<(f64, &Value)> = series.iter().filter(|(_, v)| v.estimate.value.is_some()).map(|(y, v)| (f64::from(*y), v)).collect();
    match indicator.method {
        Method::Proportion => trend::of_proportions(
            &shown
                .iter()
                .filter_map(|(year, v)| Some(CountPoint { year: *year, numerator: v.count?, denominator: v.denominator? }))
                .collect::<Vec<_>>(),
        ),
        Method::CrudeRate | Method::Dsr | Method::Icm | Method::LifeExpectancy => {
            let points: Vec<ValuePoint> = shown
                .iter()
                .map(|(year, v)| {
                    let l = v.estimate.limits.first().copied().flatten();
                    let value = v.estimate.value.unwrap_or(f64::NAN);
                    // No interval: no weight (the test says it cannot be calculated).
                    ValuePoint { year: *year, value, lower: l.map_or(value, |l| l.lower), upper: l.map_or(value, |l| l.upper) }
                })
                .collect();
            trend::of_values(&points)
        }
        Method::Count
        | Method::Ratio
        | Method::WeightedMean
        | Method::MeanAge
        | Method::AnnualGrowth
        | Method::NaturalGrowth
        | Method::MigratoryGrowth => Trend {
            points: shown.len().min(trend::POINTS),
            slope: None,
            statistic: None,
            direction: Direction::NotComputable,
            note: Some("valeur sans intervalle de confiance : pas de test de tendance (méthode Fingertips)".to_owned()),
        },
    }
}

/// The slope of a trend in the indicator's unit per year (a proportion's slope is of the
/// proportion: times the indicator's multiplier, points of % per year).
pub fn slope_in_unit(indicator: &Indicator, t: &Trend) -> Option<f64> {
    t.slope.map(|s| if indicator.method == Method::Proportion { s * indicator.multiplier } else { s })
}

/// The trend's French label by the indicator's polarity (« en dégradation »…).
pub fn label(indicator: &Indicator, t: &Trend) -> &'static str {
    use crate::stats::compare::Polarity;
    let higher_is_better = match indicator.polarity {
        Polarity::HighIsGood => Some(true),
        Polarity::LowIsGood => Some(false),
        Polarity::Neutral => None,
    };
    t.direction.french(higher_is_better)
}

/// Fingertips' flag of a value both significantly worse than its benchmark and worsening:
/// « moins bon et en dégradation ».
pub const WORSE_AND_WORSENING: &str = "moins bon et en dégradation";

/// The trend columns of the tables (`diagnose`, `benchmark`, `national`), named after
/// `diagsante stats trend`'s: points, slope (in the indicator's unit per year), statistic,
/// trend (its code), its French label and note.
pub struct Columns {
    pub points: Vec<u32>,
    pub slope: Vec<Option<f64>>,
    pub statistic: Vec<Option<f64>>,
    pub trend: Vec<&'static str>,
    pub label: Vec<&'static str>,
    pub note: Vec<String>,
}

impl Columns {
    pub fn new() -> Columns {
        Columns { points: vec![], slope: vec![], statistic: vec![], trend: vec![], label: vec![], note: vec![] }
    }

    pub fn push(&mut self, indicator: &Indicator, t: &Trend) {
        self.points.push(t.points as u32);
        self.slope.push(slope_in_unit(indicator, t));
        self.statistic.push(t.statistic);
        self.trend.push(t.direction.code());
        self.label.push(label(indicator, t));
        self.note.push(t.note.clone().unwrap_or_default());
    }

    /// The columns, `trend_points` … `trend_note`.
    pub fn into_columns(self) -> Vec<polars::prelude::Column> {
        use polars::prelude::Column;
        vec![
            Column::new("trend_points".into(), self.points),
            Column::new("trend_slope".into(), self.slope),
            Column::new("trend_statistic".into(), self.statistic),
            Column::new("trend".into(), self.trend),
            Column::new("trend_label".into(), self.label),
            Column::new("trend_note".into(), self.note),
        ]
    }
}

impl Default for Columns {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::evaluate::{aggregate, Geography};
    use polars::prelude::*;

    fn catalogue(method: &str, numerator: &str, denominator: &str, polarity: &str) -> Indicator {
        crate::indicators::catalogue::parse(
            &format!(
                "[[indicator]]\nid = \"x\"\nlabel = \"x\"\ntheme = \"t\"\nmethod = \"{method}\"\nnumerator = {{ measure = \"{numerator}\" }}\n\
                 denominator = {{ measure = \"{denominator}\" }}\npolarity = \"{polarity}\"\nmin_count = 0\nsource = \"s\"\n"
            ),
            "test",
        )
        .unwrap()
        .remove(0)
    }

    /// Facts of one commune `a` read as `ingest::load::by_period` reads them: (measure, year, value).
    fn agg(rows: &[(&str, i32, f64)]) -> Aggregated {
        let df = DataFrame::new_infer_height(vec![
            Column::new("geo".into(), vec!["a"; rows.len()]),
            Column::new("year".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
            Column::new("measure".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
            Column::new("sex".into(), vec!["all"; rows.len()]),
            Column::new("age_min".into(), vec![None::<u32>; rows.len()]),
            Column::new("age_max".into(), vec![None::<u32>; rows.len()]),
            Column::new("value".into(), rows.iter().map(|r| Some(r.2)).collect::<Vec<_>>()),
        ])
        .unwrap();
        aggregate(&df, &[Geography { id: "a".into(), name: "a".into(), units: vec!["a".into()] }]).unwrap()
    }

    /// Deaths 2016-2023 over populations of 2015 (the base), 2019 and 2023: the points are the
    /// years both are given for (2019, 2023); a year of deaths alone (2016…) is no point.
    #[test]
    fn years_pair_when_every_term_is_given() {
        let a = agg(&[
            ("deaths", 2023, 12.0),
            ("deaths_base", 2022, 11.0),
            ("deaths@2019", 2019, 10.0),
            ("deaths@2016", 2016, 9.0),
            ("population", 2023, 1000.0),
            ("population_base", 2015, 900.0),
            ("population@2019", 2019, 950.0),
        ]);
        assert_eq!(
            a.series["deaths"],
            [(2016, "deaths@2016".to_owned()), (2019, "deaths@2019".to_owned()), (2022, "deaths_base".to_owned()), (2023, "deaths".to_owned())]
        );
        let rate = catalogue("crude_rate", "deaths", "population", "low_is_good");
        let at = at_years(&rate, &a);
        let years: Vec<i32> = at.iter().map(|p| p.0).collect();
        assert_eq!(years, [2019, 2023]);
        assert_eq!((at[0].1.numerator.measure.as_str(), at[0].1.denominator.as_ref().unwrap().measure.as_str()), ("deaths@2019", "population@2019"));
        let v = values(&at, &a, 0, 0);
        // 10 deaths over 950 people, times the crude rate's default multiplier (per 100,000).
        let per = rate.multiplier;
        assert!((v[0].1.estimate.value.unwrap() - 10.0 / 950.0 * per).abs() < 1e-9, "{:?}", v[0]);
        assert!((v[1].1.estimate.value.unwrap() - 12.0 / 1000.0 * per).abs() < 1e-9);
        // Two points: not calculable, said so.
        let t = trend_of(&rate, &v);
        assert_eq!((t.points, t.direction), (2, Direction::NotComputable));
        assert!(t.note.unwrap().contains("2 points"));
        // A measure of one year: no series, nothing computed.
        let b = agg(&[("deaths", 2023, 12.0), ("population", 2023, 1000.0)]);
        assert!(b.series.is_empty() && at_years(&rate, &b).is_empty());
        // Deaths of one year over populations of several: one value, not a series (even at
        // the year both are given for).
        let c = agg(&[("deaths", 2023, 12.0), ("population", 2023, 1000.0), ("population@2019", 2019, 950.0)]);
        assert!(c.series.contains_key("population") && at_years(&rate, &c).is_empty());
    }

    /// By hand (the worked example of `stats::trend`): screened 100, 110 … 140 of 1,000 in
    /// 2015-2019: X² = 100² / (0.12 × 0.88 × 10,000) = 9.4697, under 9.5495: no significant
    /// change; the counts doubled (200 … 280 of 2,000): X² = 18.939, increasing, which for a
    /// screening (high is good) is « en amélioration », slope 0.01 a year = 1 point of %.
    #[test]
    fn a_proportions_series_is_tested_on_its_counts() {
        let rows = |scale: f64| -> Vec<(String, i32, f64)> {
            (2015..=2019)
                .flat_map(|y| {
                    let suffix = if y == 2019 {
                        String::new()
                    } else if y == 2018 {
                        "_base".to_owned()
                    } else {
                        format!("@{y}")
                    };
                    let done = (100.0 + 10.0 * f64::from(y - 2015)) * scale;
                    [(format!("done{suffix}"), y, done), (format!("eligible{suffix}"), y, 1000.0 * scale)]
                })
                .collect()
        };
        let mut screening = catalogue("proportion", "done", "eligible", "high_is_good");
        screening.multiplier = 100.0;
        for (scale, direction, statistic) in
            [(1.0, Direction::NoSignificantChange, 10_000.0 / 1056.0), (2.0, Direction::Increasing, 20_000.0 / 1056.0)]
        {
            let r = rows(scale);
            let a = agg(&r.iter().map(|(m, y, v)| (m.as_str(), *y, *v)).collect::<Vec<_>>());
            let v = values(&at_years(&screening, &a), &a, 0, 0);
            assert_eq!(v.len(), 5);
            let t = trend_of(&screening, &v);
            assert_eq!(t.direction, direction);
            assert!((t.statistic.unwrap() - statistic).abs() < 1e-9, "{t:?}");
            assert!((slope_in_unit(&screening, &t).unwrap() - 1.0).abs() < 1e-9, "{t:?}");
            if scale == 2.0 {
                assert_eq!(label(&screening, &t), "en amélioration");
            }
        }
    }

    /// A rate whose last point alone makes a rise (the `stats::trend` example 5, 4.9, 4.8,
    /// 4.7, 9 with SE 0.1): no significant change, the note names the year; values without
    /// an interval (a ratio) are not tested.
    #[test]
    fn leave_one_out_and_values_without_interval() {
        let rate = catalogue("crude_rate", "deaths", "population", "low_is_good");
        let point = |year: i32, value: f64| {
            let limits = vec![Some(crate::stats::Limits { lower: value - 0.196, upper: value + 0.196 }), None];
            (
                year,
                Value::computed(
                    1.0,
                    Some(1.0),
                    crate::stats::Estimate { value: Some(value), limits, method: crate::stats::Method::Byar, note: None },
                ),
            )
        };
        let series: Vec<(i32, Value)> = [5.0, 4.9, 4.8, 4.7, 9.0].iter().enumerate().map(|(i, &v)| point(2015 + i as i32, v)).collect();
        let t = trend_of(&rate, &series);
        assert_eq!(t.direction, Direction::NoSignificantChange);
        assert!(t.note.as_deref().unwrap().contains("2019"), "{t:?}");
        let steady: Vec<(i32, Value)> = [10.0, 11.0, 12.0, 13.0, 14.0].iter().enumerate().map(|(i, &v)| point(2015 + i as i32, v)).collect();
        // SE 0.1: weights 100, statistic 1² × 100 × 10 = 1,000: a rise, « en dégradation » for a mortality.
        let t = trend_of(&rate, &steady);
        assert_eq!(t.direction, Direction::Increasing);
        assert!((t.statistic.unwrap() - 1000.0).abs() < 1e-6, "{t:?}");
        assert_eq!(label(&rate, &t), "en dégradation");
        let ratio = catalogue("ratio", "deaths", "population", "neutral");
        let t = trend_of(&ratio, &steady);
        assert_eq!((t.points, t.direction), (5, Direction::NotComputable));
        assert!(t.note.unwrap().contains("sans intervalle"));
    }
}
