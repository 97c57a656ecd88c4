//! GP demand over the coming years: the territory's population by sex and age band, aged one
//! year at a time (cohort-component: survival from France's death rates by sex and band,
//! births, net migration), turned into consultations with DREES's relative consumption by age.

/// Relative consumption of general-practice care by 5-year age band (0-4, 5-9 … 85-89, 90+;
/// national mean = 1). Source: DREES, *Indicateur d'accessibilité potentielle localisée (APL)
/// aux médecins généralistes*, sheet « Paramètres », weights for 2023 (DCIR 2021, Cnam;
/// populations municipales 2021, Insee; traitements Drees). Licence Ouverte.
pub const APL_2023_WEIGHTS: [f64; 19] =
    [1.12, 0.58, 0.51, 0.60, 0.75, 0.79, 0.82, 0.85, 0.89, 0.93, 1.03, 1.15, 1.18, 1.23, 1.46, 1.57, 1.63, 1.89, 2.26];

/// GP consultations per inhabitant per year, France 2022 (consultations, visits and
/// teleconsultations): DREES, APL 2022 (published 14 November 2023: 3.3 in 2022).
pub const CONSULTATIONS_PER_PERSON: f64 = 3.3;

/// Consultations a full-time GP gives in a year: the activity DREES's APL imputes to a GP
/// without a past year of activity (5,400; same workbook, « Comptabilisation de l'activité »).
pub const CONSULTATIONS_PER_FTE: f64 = 5400.0;

/// One age band of a population: `[start, end]`, `end` empty for the open last band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    pub start: u32,
    pub end: Option<u32>,
    /// People in the band.
    pub people: f64,
    /// Probability of dying within a year in the band (France's rate).
    pub death_rate: f64,
}

impl Band {
    fn width(&self) -> f64 {
        self.end.map_or(f64::INFINITY, |e| f64::from(e - self.start + 1))
    }
}

/// Assumptions of the demand side.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandAssumptions {
    /// Net migration per year, as a share of the population (0.004 = +0.4 %/year).
    pub net_migration: f64,
    /// Births per year; `None` keeps the youngest band's yearly inflow as it is today.
    pub births: Option<f64>,
    pub consultations_per_person: f64,
    pub consultations_per_fte: f64,
}

impl Default for DemandAssumptions {
    fn default() -> DemandAssumptions {
        DemandAssumptions {
            net_migration: 0.0,
            births: None,
            consultations_per_person: CONSULTATIONS_PER_PERSON,
            consultations_per_fte: CONSULTATIONS_PER_FTE,
        }
    }
}

/// Age a population (one sex, bands sorted by start, contiguous) by one year: in each band
/// the people of its last year of age (1/width of it) move up to the next band; everyone
/// survives with `1 − death_rate`; births enter the first band; migration scales all bands.
pub fn age_one_year(bands: &mut [Band], births: f64, net_migration: f64) {
    let moving: Vec<f64> = bands.iter().map(|b| if b.end.is_some() { b.people / b.width() } else { 0.0 }).collect();
    for i in 0..bands.len() {
        let stay = bands[i].people - moving[i];
        let arrive = if i == 0 { births } else { moving[i - 1] * (1.0 - bands[i - 1].death_rate) };
        let survived = stay * (1.0 - bands[i].death_rate);
        bands[i].people = ((survived + arrive) * (1.0 + net_migration)).max(0.0);
    }
}

/// DREES's weight of a band: the mean of the weights of its years (a 60-74 band spans three
/// 5-year weights); an open band takes the weight of its first year.
pub fn band_weight(b: &Band) -> f64 {
    let weight_at = |age: u32| APL_2023_WEIGHTS[((age / 5) as usize).min(APL_2023_WEIGHTS.len() - 1)];
    match b.end {
        Some(end) if end >= b.start => (b.start..=end).map(weight_at).sum::<f64>() / f64::from(end - b.start + 1),
        _ => weight_at(b.start),
    }
}

/// Consultations a population needs in a year (both sexes' bands).
pub fn consultations(bands: &[Band], per_person: f64) -> f64 {
    bands.iter().map(|b| b.people * band_weight(b) * per_person).sum()
}

/// Population and consultations needed each year from 0 to `horizon`, for the two sexes'
/// pyramids given.
pub fn project(sexes: &[Vec<Band>], horizon: u32, a: &DemandAssumptions) -> Vec<(f64, f64)> {
    let mut pyramids: Vec<Vec<Band>> = sexes.to_vec();
    // Yearly inflow into the first band today (its people / its width).
    let births: Vec<f64> =
        pyramids.iter().map(|p| p.first().map_or(0.0, |b| if b.width().is_finite() { b.people / b.width() } else { 0.0 })).collect();
    let total_births: f64 = births.iter().sum();
    let mut out = Vec::with_capacity(horizon as usize + 1);
    for year in 0..=horizon {
        if year > 0 {
            for (p, b) in pyramids.iter_mut().zip(&births) {
                let share = if total_births > 0.0 { b / total_births } else { 0.5 };
                let births = a.births.map_or(*b, |n| n * share);
                age_one_year(p, births, a.net_migration);
            }
        }
        let people: f64 = pyramids.iter().flatten().map(|b| b.people).sum();
        let needed: f64 = pyramids.iter().map(|p| consultations(p, a.consultations_per_person)).sum();
        out.push((people, needed));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pyramid(people: f64, death_rate: f64) -> Vec<Band> {
        let mut bands = vec![Band { start: 0, end: Some(0), people: people / 100.0, death_rate }];
        bands.push(Band { start: 1, end: Some(4), people: 4.0 * people / 100.0, death_rate });
        for s in (5..95).step_by(5) {
            bands.push(Band { start: s, end: Some(s + 4), people: 5.0 * people / 100.0, death_rate });
        }
        bands.push(Band { start: 95, end: None, people: 5.0 * people / 100.0, death_rate });
        bands
    }

    #[test]
    fn weights_average_about_one_nationally() {
        // The weights are relative to the national mean: weighted by France's 2023 population
        // by band they average 1 (to rounding of the published weights).
        let fr = crate::stats::standards::FRANCE_2023;
        let mean = fr.iter().zip(APL_2023_WEIGHTS).map(|(p, w)| p * w).sum::<f64>() / fr.iter().sum::<f64>();
        assert!((mean - 1.0).abs() < 0.03, "{mean}");
    }

    #[test]
    fn wide_bands_average_the_weights_of_their_years() {
        let b = Band { start: 60, end: Some(74), people: 1.0, death_rate: 0.0 };
        assert!((band_weight(&b) - (1.18 + 1.23 + 1.46) / 3.0).abs() < 1e-12);
        let open = Band { start: 95, end: None, people: 1.0, death_rate: 0.0 };
        assert_eq!(band_weight(&open), 2.26);
    }

    #[test]
    fn a_stationary_population_stays_put_and_deaths_shrink_it() {
        // No deaths, births equal to each year's inflow, no migration: nothing changes except
        // the open band, which accumulates.
        let mut p = pyramid(10_000.0, 0.0);
        let before: f64 = p.iter().map(|b| b.people).sum();
        age_one_year(&mut p, 100.0, 0.0);
        let after: f64 = p.iter().map(|b| b.people).sum();
        assert!((after - (before + 100.0)).abs() < 1e-9, "the births are the only inflow");
        assert!((p[0].people - 100.0).abs() < 1e-9 && (p[1].people - 400.0).abs() < 1e-9);
        assert!((p[5].people - 500.0).abs() < 1e-9, "inner bands are stationary");
        assert!((p.last().unwrap().people - 600.0).abs() < 1e-9, "the open band keeps its people");
        let mut q = pyramid(10_000.0, 0.01);
        age_one_year(&mut q, 100.0, 0.0);
        assert!(q.iter().map(|b| b.people).sum::<f64>() < after);
    }

    #[test]
    fn an_ageing_population_needs_more_consultations() {
        let young: Vec<Band> = pyramid(10_000.0, 0.0)
            .into_iter()
            .map(|mut b| {
                if b.start >= 60 {
                    b.people /= 4.0;
                }
                b
            })
            .collect();
        let years = project(&[young], 10, &DemandAssumptions { births: Some(50.0), ..DemandAssumptions::default() });
        // Fewer births than today's inflow (100/year) and people moving up to heavier bands:
        // consultations per person rise.
        let per_person = |(p, c): (f64, f64)| c / p;
        assert!(per_person(years[10]) > per_person(years[0]));
    }
}
