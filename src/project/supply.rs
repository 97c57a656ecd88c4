//! GP supply over the coming years: each GP of a roster stays active with a probability set
//! by a retirement scenario; the expected headcount is the sum of those probabilities and its
//! interval comes from their variance (each GP's stop being independent: mean Σp, variance
//! Σp(1−p), normal approximation).

use std::collections::BTreeMap;

use crate::stats::z_for_level;

/// One GP of the roster.
#[derive(Debug, Clone, PartialEq)]
pub struct Gp {
    pub id: String,
    pub birth_year: i32,
    /// Full-time equivalent (1 when unknown).
    pub fte: f64,
}

/// When GPs stop.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// Every GP stops in the year they reach this age (`legal-62`: 62; `full-rate-67`: 67).
    StopAt(f64),
    /// The legal age of the 2023 pension reform by birth cohort (62 for those born before
    /// 1 September 1961, then 3 months more per cohort up to 64 for those born from 1968):
    /// loi n° 2023-270 du 14 avril 2023, art. 10, as written. With birth years only, 1961
    /// counts as 62, and a GP stops in the year their age reaches the legal age (62 y 6 m →
    /// the year they turn 63). Later changes to the law (a suspension was discussed for the
    /// 2026 social security budget) are not modelled: check the law in force and give a
    /// scenario file if it differs.
    Reform2023,
    /// A probability of stopping during the year at each age (the ages not listed: the
    /// nearest listed age below, 0 before the first).
    Exits(BTreeMap<u32, f64>),
}

impl Rule {
    /// The legal stopping age of a cohort under the 2023 reform.
    pub fn reform_2023_age(birth_year: i32) -> f64 {
        match birth_year {
            ..=1961 => 62.0,
            1962 => 62.5,
            1963 => 62.75,
            1964 => 63.0,
            1965 => 63.25,
            1966 => 63.5,
            1967 => 63.75,
            _ => 64.0,
        }
    }

    /// Probability that a GP born in `birth_year`, active at the start of `reference_year`,
    /// is still active in `year`.
    pub fn active_probability(&self, birth_year: i32, reference_year: i32, year: i32) -> f64 {
        let age = |y: i32| f64::from(y - birth_year);
        match self {
            Rule::StopAt(limit) => f64::from(u8::from(age(year) < *limit)),
            Rule::Reform2023 => f64::from(u8::from(age(year) < Rule::reform_2023_age(birth_year))),
            Rule::Exits(table) => {
                // Stays through each year from the reference year up to `year` included.
                (reference_year..=year)
                    .map(|y| {
                        let a = (y - birth_year).max(0) as u32;
                        let p = table.range(..=a).next_back().map_or(0.0, |(_, p)| *p);
                        1.0 - p.clamp(0.0, 1.0)
                    })
                    .product()
            }
        }
    }
}

/// The `observed` scenario: probabilities of stopping during the year by age, for liberal
/// physicians who keep working past the legal age (many while drawing a pension).
///
/// Calibrated by diagsante on the figures of DREES, *Études et résultats* n° 1097, A. Pla,
/// « Un médecin libéral sur dix en activité cumule emploi et retraite » (December 2018): the
/// average age at the end of activity of liberal physicians is 67 (2017); the active outnumber
/// the inactive until 65; 43 % of those aged 65-69 and 20 % of those aged 70-79 still practise.
/// From age 60 this table gives: 52 % still active at 65, 42 % on average at 65-69, 16 % at
/// 70-79, and a mean age at stopping of 67.3. It is an approximation to replace with your own
/// `exits` table (scenario file) when you have local figures.
pub fn observed_exits() -> BTreeMap<u32, f64> {
    [(55, 0.01), (60, 0.08), (62, 0.15), (65, 0.11), (70, 0.15), (80, 1.0)].into_iter().collect()
}

/// New GPs settling each year.
#[derive(Debug, Clone, PartialEq)]
pub struct Entries {
    /// A number of GPs per year (expected; may be fractional).
    pub per_year: f64,
    /// Their age when they settle.
    pub age: u32,
    pub fte: f64,
}

impl Entries {
    /// No new GPs: the case a projection must show explicitly.
    pub fn none() -> Entries {
        Entries { per_year: 0.0, age: 35, fte: 1.0 }
    }
}

/// The projection for one year.
#[derive(Debug, Clone, PartialEq)]
pub struct Year {
    pub year: i32,
    pub offset: u32,
    /// Expected number of active GPs, with the bounds of its interval.
    pub headcount: f64,
    pub headcount_low: f64,
    pub headcount_high: f64,
    pub fte: f64,
    /// Bounds of the FTE's interval (variance Σ p(1−p)·fte²).
    pub fte_low: f64,
    pub fte_high: f64,
    /// Expected stops during the year (at year 0: those already past the scenario's age).
    pub departures: f64,
}

/// Project `roster` over `horizon` years from `reference_year` (year 0) under `rule`, with
/// `entries`; `level` is the confidence level of the headcount interval (e.g. 0.95).
///
/// At year 0, a GP already past the scenario's age counts as stopped (see [`past_age`] to
/// list them): the year-0 departures are those GPs.
pub fn project(roster: &[Gp], reference_year: i32, horizon: u32, rule: &Rule, entries: &Entries, level: f64) -> Vec<Year> {
    let z = z_for_level(level);
    let n0 = roster.len() as f64;
    let mut out: Vec<Year> = Vec::with_capacity(horizon as usize + 1);
    for offset in 0..=horizon {
        let year = reference_year + offset as i32;
        let (mut mean, mut variance, mut fte, mut fte_variance) = (0.0, 0.0, 0.0, 0.0);
        for gp in roster {
            let p = rule.active_probability(gp.birth_year, reference_year, year);
            mean += p;
            variance += p * (1.0 - p);
            fte += p * gp.fte;
            fte_variance += p * (1.0 - p) * gp.fte * gp.fte;
        }
        // Entrants of each past year (from year 1), ageing under the same rule.
        let mut entrants = 0.0;
        for arrival in 1..=offset {
            let birth = reference_year + arrival as i32 - entries.age as i32;
            let p = rule.active_probability(birth, reference_year + arrival as i32, year);
            entrants += entries.per_year * p;
            fte += entries.per_year * p * entries.fte;
        }
        mean += entrants;
        let sd = variance.sqrt();
        let before = out.last().map_or(n0, |y: &Year| y.headcount);
        let arrived = if offset == 0 { 0.0 } else { entries.per_year };
        out.push(Year {
            year,
            offset,
            headcount: mean,
            headcount_low: (mean - z * sd).max(0.0),
            headcount_high: mean + z * sd,
            fte,
            fte_low: (fte - z * fte_variance.sqrt()).max(0.0),
            fte_high: fte + z * fte_variance.sqrt(),
            departures: (before + arrived - mean).max(0.0),
        });
    }
    out
}

/// The GPs already past the scenario's stopping point at the start (counted as stopped at
/// year 0), so that users see who may in fact stay on.
pub fn past_age<'a>(roster: &'a [Gp], reference_year: i32, rule: &Rule) -> Vec<&'a Gp> {
    roster.iter().filter(|g| rule.active_probability(g.birth_year, reference_year, reference_year) == 0.0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A roster with given ages at `year`.
    fn roster(ages: &[u32], year: i32) -> Vec<Gp> {
        ages.iter().enumerate().map(|(i, &a)| Gp { id: format!("GP{i}"), birth_year: year - a as i32, fte: 1.0 }).collect()
    }

    /// The CA Rochefort Océan study (source document 000): 73 GPs, 19 aged 62 or more and 17
    /// aged 57 to 61; with every GP stopping at 62 and no arrivals, 54 are active at year 0
    /// and 37 at year 5.
    #[test]
    fn reproduces_the_rochefort_ocean_study() {
        let mut ages: Vec<u32> = (0..19).map(|i| 62 + i % 9).collect();
        ages.extend((0..17).map(|i| 57 + i % 5));
        ages.extend((0..37).map(|i| 30 + i % 27));
        let gps = roster(&ages, 2024);
        let years = project(&gps, 2024, 10, &Rule::StopAt(62.0), &Entries::none(), 0.95);
        assert_eq!(years[0].headcount, 54.0);
        assert_eq!(years[0].departures, 19.0);
        assert_eq!(years[5].headcount, 37.0);
        assert_eq!(past_age(&gps, 2024, &Rule::StopAt(62.0)).len(), 19);
        // Deterministic rules: no uncertainty.
        assert_eq!((years[5].headcount_low, years[5].headcount_high), (37.0, 37.0));
    }

    #[test]
    fn the_observed_table_matches_its_drees_anchors() {
        let rule = Rule::Exits(observed_exits());
        // Share still active at each age, for GPs active at the start of their 60th year.
        let active = |age: i32| rule.active_probability(1960, 2020, 1960 + age - 1);
        let mean = |from: i32, to: i32| (from..=to).map(active).sum::<f64>() / f64::from(to - from + 1);
        assert!(active(65) > 0.5, "active outnumber inactive until 65: {}", active(65));
        assert!((mean(65, 69) - 0.43).abs() < 0.03, "{}", mean(65, 69));
        assert!((0.12..0.22).contains(&mean(70, 79)), "{}", mean(70, 79));
        let mean_stop: f64 = (60..90).map(|a| (active(a) - active(a + 1)) * (f64::from(a) + 0.5)).sum();
        assert!((mean_stop - 67.0).abs() < 0.6, "{mean_stop}");
    }

    #[test]
    fn reform_ages_by_cohort() {
        assert_eq!(Rule::reform_2023_age(1960), 62.0);
        assert_eq!(Rule::reform_2023_age(1964), 63.0);
        assert_eq!(Rule::reform_2023_age(1970), 64.0);
        // Born 1963 (62 y 9 m): active in 2025 (aged 62), stopped in 2026 (63).
        assert_eq!(Rule::Reform2023.active_probability(1963, 2024, 2025), 1.0);
        assert_eq!(Rule::Reform2023.active_probability(1963, 2024, 2026), 0.0);
    }

    #[test]
    fn exit_probabilities_give_an_interval() {
        let table: BTreeMap<u32, f64> = [(60, 0.1), (62, 0.3), (67, 0.6), (70, 1.0)].into_iter().collect();
        let gps = roster(&[61, 61, 63, 65], 2024);
        let y = project(&gps, 2024, 2, &Rule::Exits(table), &Entries::none(), 0.95);
        // Year 0: 0.9 + 0.9 + 0.7 + 0.7 = 3.2 expected; variance 0.09·2 + 0.21·2 = 0.6.
        assert!((y[0].headcount - 3.2).abs() < 1e-12);
        assert!((y[0].headcount_high - (3.2 + 1.959_963_984_540_054 * 0.6f64.sqrt())).abs() < 1e-9);
        // All at 1 FTE: the FTE interval is the headcount's.
        assert!((y[0].fte_low - y[0].headcount_low).abs() < 1e-12 && (y[0].fte_high - y[0].headcount_high).abs() < 1e-12);
        assert!(y[1].headcount < y[0].headcount);
    }

    #[test]
    fn entries_add_gps_who_then_age() {
        let gps = roster(&[61], 2024);
        let e = Entries { per_year: 2.0, age: 35, fte: 0.8 };
        let y = project(&gps, 2024, 3, &Rule::StopAt(62.0), &e, 0.95);
        assert_eq!(y.iter().map(|y| y.headcount).collect::<Vec<_>>(), [1.0, 2.0, 4.0, 6.0]);
        assert!((y[3].fte - 6.0 * 0.8).abs() < 1e-12);
        assert_eq!(y[1].departures, 1.0);
    }

    proptest! {
        #[test]
        fn without_entries_headcount_never_increases(ages in proptest::collection::vec(25u32..75, 0..60), limit in 60.0f64..70.0) {
            let y = project(&roster(&ages, 2024), 2024, 10, &Rule::StopAt(limit), &Entries::none(), 0.95);
            prop_assert!(y.windows(2).all(|w| w[1].headcount <= w[0].headcount));
        }

        #[test]
        fn a_later_age_never_gives_fewer_gps(ages in proptest::collection::vec(25u32..75, 0..60), a in 60.0f64..66.0, extra in 0.0f64..4.0) {
            let gps = roster(&ages, 2024);
            let early = project(&gps, 2024, 10, &Rule::StopAt(a), &Entries::none(), 0.95);
            let late = project(&gps, 2024, 10, &Rule::StopAt(a + extra), &Entries::none(), 0.95);
            prop_assert!(early.iter().zip(&late).all(|(e, l)| l.headcount >= e.headcount));
        }

        #[test]
        fn fte_never_exceeds_headcount_times_the_largest_fte(ftes in proptest::collection::vec(0.1f64..1.5, 1..40)) {
            let gps: Vec<Gp> = ftes.iter().enumerate().map(|(i, &f)| Gp { id: i.to_string(), birth_year: 1970 + (i as i32 % 20), fte: f }).collect();
            let max = ftes.iter().cloned().fold(0.0, f64::max);
            for y in project(&gps, 2024, 10, &Rule::Reform2023, &Entries::none(), 0.95) {
                prop_assert!(y.fte <= y.headcount * max + 1e-9);
            }
        }
    }
}
