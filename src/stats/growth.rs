//! Population growth split into its natural and apparent migratory components, as INSEE
//! publishes it for every commune and territory (« dossier complet », table *Indicateurs
//! démographiques*: « Variation annuelle moyenne de la population en % », « due au solde
//! naturel en % », « due au solde apparent des entrées sorties en % »).

use super::{finite, validate_multiplier, StatsError};

/// The mean annual growth of a population between two censuses and its two components, each
/// in % a year once multiplied by 100. `natural + migratory == total` exactly (the migratory
/// component is computed as the difference).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GrowthComponents {
    /// Mean annual rate between the two censuses: `(now / before)^(1 / years) − 1`.
    pub total: f64,
    /// The part due to the natural balance (births − deaths between the two censuses).
    pub natural: f64,
    /// The part due to the apparent balance of entries and exits (« solde apparent des
    /// entrées-sorties »): `total − natural`.
    pub migratory: f64,
}

/// The components of a population's growth between a census `before` and a census `now`
/// taken `years` apart, given the `births` and `deaths` between them, each × `multiplier`
/// (100: % a year).
///
/// - total (INSEE, « taux de variation annuel moyen »): the geometric mean of the yearly
///   growth factors, `t = (now / before)^(1 / years) − 1` (the same as
///   [`super::rate::annual_growth`]);
/// - natural component (INSEE, « taux de variation annuel moyen dû au solde naturel »): the
///   natural balance per year over the mean population of the period, i.e. the birth rate
///   minus the death rate of the period, `t_n = (births − deaths) / (years × P̄)`, with
///   `P̄ = (before + now) / 2`, the mean of the two census populations (INSEE's « population
///   moyenne » of the period);
/// - apparent migratory component (INSEE, « taux de variation annuel moyen dû au solde
///   apparent des entrées-sorties »): the rest, `t_m = t − t_n`. INSEE calls the migratory
///   balance *apparent* because it is not observed: it is the change of population that the
///   births and deaths do not explain, census errors and changes of concept included.
///
/// Periods: the total and the migratory component are those of the census pair (1 January
/// of `before`'s year to 1 January of `now`'s); the births and deaths must cover the same
/// years, 1 January of the first census year to 31 December of the year before the second
/// (INSEE's `NAIS1621` and `DECE1621` go with `P16_POP` and `P22_POP`): the caller checks it.
///
/// The Observatoire des territoires (ANCT) splits the same total in proportion to the two
/// balances instead, `t_n = t × (births − deaths) / (now − before)` (its R package migR,
/// `calcul_indics_histodemo`, `TCAMPOP_SN`): the two agree to the second order for the
/// small rates of French territories, but theirs is undefined when the population did not
/// change, and swings when it barely did.
///
/// Refused: a non-positive earlier population, fewer than one year, a negative population,
/// births or deaths, a missing (`None`) or non-finite count.
///
/// Source: INSEE, dossier complet (indicateurs démographiques) and the définitions of the
/// « taux de variation annuel moyen », « solde naturel » and « solde apparent des
/// entrées-sorties »; Observatoire des territoires, fiche « Variation annuelle de la
/// population due au solde migratoire apparent » (the apparent balance is computed by
/// difference, per intercensal period, expressed per year).
pub fn growth_components(
    now: f64,
    before: f64,
    years: i32,
    births: Option<f64>,
    deaths: Option<f64>,
    multiplier: f64,
) -> Result<GrowthComponents, StatsError> {
    validate_multiplier(multiplier)?;
    // The total exactly as `croissance_population` computes it (same checks, same formula):
    // the two components add up to that indicator's value.
    let total = super::rate::annual_growth(now, before, years, 1.0, 0)?.value.unwrap_or(f64::NAN);
    let (Some(births), Some(deaths)) = (births, deaths) else {
        return Err(StatsError::NoData("the natural balance needs the births and the deaths between the two censuses".into()));
    };
    let (births, deaths) = (finite("births", births)?, finite("deaths", deaths)?);
    for (what, value) in [("births", births), ("deaths", deaths)] {
        if value < 0.0 {
            return Err(StatsError::Negative { what: what.into(), value });
        }
    }
    let n = f64::from(years);
    let mean_population = (before + now) / 2.0;
    let natural = (births - deaths) / (n * mean_population);
    Ok(GrowthComponents { total: total * multiplier, natural: natural * multiplier, migratory: (total - natural) * multiplier })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worked_example_split_into_its_two_components() {
        // 10,000 → 10,404 in 2 years: 1.0404 = 1.02², +2 % a year. 500 births, 300 deaths:
        // natural balance +200 over 2 years, mean population (10,000 + 10,404) / 2 = 10,202:
        // 200 / (2 × 10,202) = 0.980200 % a year; migratory 2 − 0.980200 = 1.019800 %.
        let c = growth_components(10_404.0, 10_000.0, 2, Some(500.0), Some(300.0), 100.0).unwrap();
        assert!((c.total - 2.0).abs() < 1e-12, "{c:?}");
        assert!((c.natural - 0.980_200).abs() < 1e-6, "{c:?}");
        assert!((c.migratory - 1.019_800).abs() < 1e-6, "{c:?}");
    }

    #[test]
    fn the_components_add_up_to_the_total_and_the_total_is_the_annual_growth() {
        // A shrinking, ageing place: 1,000 → 900 in 6 years, 40 births, 130 deaths.
        let c = growth_components(900.0, 1000.0, 6, Some(40.0), Some(130.0), 100.0).unwrap();
        let growth = crate::stats::rate::annual_growth(900.0, 1000.0, 6, 100.0, 0).unwrap().value.unwrap();
        assert_eq!(c.total, growth);
        assert!((c.natural + c.migratory - c.total).abs() < 1e-12, "{c:?}");
        // −90 over 6 years on a mean of 950: −1.578947 % a year; the rest of −1.740680 %.
        assert!((c.natural - (-1.578_947)).abs() < 1e-6, "{c:?}");
        assert!((c.migratory - (-1.740_680 + 1.578_947)).abs() < 1e-5, "{c:?}");
        // A stable population: the two components cancel out (the proportional split of
        // the Observatoire des territoires would divide by zero here).
        let s = growth_components(500.0, 500.0, 6, Some(30.0), Some(12.0), 100.0).unwrap();
        assert_eq!(s.total, 0.0);
        assert!(s.natural > 0.0 && (s.natural + s.migratory).abs() < 1e-15, "{s:?}");
    }

    #[test]
    fn edge_cases_are_refused_with_a_reason() {
        // No earlier population (zero population), no period, missing births or deaths.
        assert_eq!(growth_components(10.0, 0.0, 6, Some(1.0), Some(1.0), 100.0), Err(StatsError::NonPositiveDenominator(0.0)));
        assert!(matches!(growth_components(10.0, 10.0, 0, Some(1.0), Some(1.0), 100.0), Err(StatsError::Invalid(_))));
        assert!(matches!(growth_components(10.0, 10.0, -6, Some(1.0), Some(1.0), 100.0), Err(StatsError::Invalid(_))));
        assert!(matches!(growth_components(10.0, 10.0, 6, None, Some(1.0), 100.0), Err(StatsError::NoData(_))));
        assert!(matches!(growth_components(10.0, 10.0, 6, Some(1.0), None, 100.0), Err(StatsError::NoData(_))));
        assert!(matches!(growth_components(10.0, 10.0, 6, Some(-1.0), Some(1.0), 100.0), Err(StatsError::Negative { .. })));
        assert!(matches!(growth_components(10.0, 10.0, 6, Some(f64::NAN), Some(1.0), 100.0), Err(StatsError::NotFinite { .. })));
        assert!(matches!(growth_components(-1.0, 10.0, 6, Some(1.0), Some(1.0), 100.0), Err(StatsError::NegativeCount(_))));
        assert!(matches!(growth_components(10.0, 10.0, 6, Some(1.0), Some(1.0), 0.0), Err(StatsError::InvalidMultiplier(_))));
        // A commune emptied: −100 % a year, all of it not explained by births and deaths.
        let e = growth_components(0.0, 10.0, 5, Some(0.0), Some(1.0), 100.0).unwrap();
        assert_eq!(e.total, -100.0);
        assert!((e.natural - (-1.0 / (5.0 * 5.0) * 100.0)).abs() < 1e-12 && (e.natural + e.migratory - e.total).abs() < 1e-12);
    }
}
