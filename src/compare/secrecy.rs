//! Statistical secrecy beyond a value's own count (primary secrecy is applied where each
//! value is computed, `indicators::evaluate`): a withheld count must not be recoverable by
//! subtraction from the other values diagsante publishes.
//!
//! - **Secondary suppression in partitions**: when exactly one part of a partition (all
//!   EPCI, all départements, the départements of a région…) is secret, its count is the
//!   total minus the others; the smallest other part is withheld too, until no partition has
//!   a single secret part.
//! - **Secrecy by difference**: a territory nested with a published geography (a CPTS that is
//!   an EPCI minus one commune, or an EPCI plus one) gives the difference of their counts;
//!   when that difference is under the threshold the territory's value is withheld.
//!
//! Both follow the usual rules of secondary secrecy (INSEE, *Guide du secret statistique*,
//! 2018, § 3: « secret secondaire » and « secret par différence »).

use std::collections::HashSet;

use super::diagnose::with_whole_communes;
use crate::geo::Referential;
use crate::indicators::{Geography, Value, Withheld};

/// Secondary suppression of one indicator's `values` over `partitions` (each a list of
/// indices into `values` that together make up a published total). Repeated until stable:
/// withholding a part may leave another partition with a single secret part.
pub fn suppress_partitions(values: &mut [Value], partitions: &[Vec<usize>]) {
    loop {
        let mut changed = false;
        for members in partitions {
            if members.len() < 2 || members.iter().filter(|&&g| values[g].is_secret()).count() != 1 {
                continue;
            }
            let smallest = members
                .iter()
                .copied()
                .filter(|&g| !values[g].is_secret() && values[g].count.is_some())
                .min_by(|&a, &b| values[a].count.unwrap_or(0.0).total_cmp(&values[b].count.unwrap_or(0.0)));
            if let Some(g) = smallest {
                values[g].withhold(Withheld::SecretComplement);
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// The published geographies (EPCI, départements, régions, France) nested with a territory
/// of base units `units`: holding all of them, or all inside them, but not the same set.
/// Their names and units are as in the national table; each comes with its kind (`epci`,
/// `departement`, `region`).
pub fn nested_geographies(units: &[String], r: &Referential) -> Vec<(&'static str, Geography)> {
    let mine: HashSet<&str> = units.iter().map(String::as_str).collect();
    let (mut epci, mut deps, mut regs) = (Vec::new(), Vec::new(), Vec::new());
    for u in units.iter().filter_map(|c| r.unit(c)) {
        if let Some(e) = &u.epci {
            if !epci.contains(e) {
                epci.push(e.clone());
            }
        }
        if !deps.contains(&u.departement) {
            deps.push(u.departement.clone());
        }
        if !regs.contains(&u.region) {
            regs.push(u.region.clone());
        }
    }
    let codes = |v: Vec<&crate::geo::Unit>| v.into_iter().filter(|u| u.in_france()).map(|u| u.code.clone()).collect::<Vec<_>>();
    let mut candidates = Vec::new();
    for e in epci {
        let name = r.epcis.get(&e).map_or_else(|| e.clone(), |x| x.name.clone());
        candidates.push(("epci", Geography { units: codes(r.base_units_of_epci(&e)), id: e, name }));
    }
    for d in deps {
        let name = r.departements.get(&d).map_or_else(|| d.clone(), |x| x.name.clone());
        candidates.push(("departement", Geography { units: codes(r.base_units_of_departement(&d)), id: d, name }));
    }
    for g in regs {
        let name = r.regions.get(&g).map_or_else(|| g.clone(), |x| x.name.clone());
        candidates.push(("region", Geography { units: codes(r.base_units_of_region(&g)), id: g, name }));
    }
    candidates
        .into_iter()
        .map(|(kind, g)| (kind, Geography { units: with_whole_communes(g.units, r), ..g }))
        .filter(|(_, g)| {
            let theirs: HashSet<&str> = g.units.iter().map(String::as_str).collect();
            !theirs.is_empty() && theirs != mine && (theirs.is_superset(&mine) || theirs.is_subset(&mine))
        })
        .collect()
}

/// A published geography nested with a territory, as [`withhold_by_difference`] reads it.
pub struct Neighbour<'a> {
    pub name: &'a str,
    pub value: &'a Value,
    /// Whether the communes between the two have data for the numerator (where a missing
    /// row means 0, they always do): without any, the difference tells nothing.
    pub between_has_data: bool,
}

/// Withhold `value` (a territory's) when its count and that of a nested published geography
/// differ by less than `threshold`: the difference would be the count of the communes
/// between them. A geography whose own value is withheld publishes no count to subtract.
pub fn withhold_by_difference(value: &mut Value, others: &[Neighbour], threshold: f64) {
    let Some(mine) = value.count else { return };
    if threshold <= 0.0 {
        return;
    }
    for Neighbour { name, value: other, between_has_data } in others {
        if !between_has_data {
            continue;
        }
        // A secret value publishes no count (withholding clears it).
        let Some(theirs) = other.count else { continue };
        if (theirs - mine).abs() < threshold {
            value.withhold(Withheld::SecretByDifference { other: (*name).to_owned(), threshold });
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{Estimate, Method};

    fn counted(c: f64) -> Value {
        Value {
            count: Some(c),
            denominator: Some(1000.0),
            estimate: Estimate { value: Some(c), limits: vec![None; 2], method: Method::Byar, note: None },
            withheld: None,
        }
    }

    fn secret() -> Value {
        Value::withheld(Method::Byar, Withheld::Secret { threshold: 11.0 })
    }

    #[test]
    fn a_single_secret_part_takes_the_smallest_other_with_it() {
        let mut v = vec![secret(), counted(50.0), counted(20.0), counted(400.0)];
        suppress_partitions(&mut v, &[vec![0, 1, 2]]);
        assert_eq!(v[2].withheld, Some(Withheld::SecretComplement));
        assert!(v[1].withheld.is_none() && v[3].withheld.is_none());
    }

    #[test]
    fn a_secret_input_counts_as_secret_in_partitions() {
        // Withheld because an input cell was suppressed at source: as secret as any other.
        let mut v = vec![Value::withheld(Method::Byar, Withheld::SecretInput), counted(50.0), counted(20.0)];
        suppress_partitions(&mut v, &[vec![0, 1, 2]]);
        assert!(v[2].is_secret());
    }

    #[test]
    fn suppression_spreads_across_partitions_until_stable() {
        // Partitions {0,1,2} and {2,3,4}: withholding 2 leaves {2,3,4} with one secret part.
        let mut v = vec![secret(), counted(50.0), counted(20.0), counted(30.0), counted(60.0)];
        suppress_partitions(&mut v, &[vec![0, 1, 2], vec![2, 3, 4]]);
        assert!(v[2].is_secret() && v[3].is_secret());
        assert!(!v[1].is_secret() && !v[4].is_secret());
    }

    #[test]
    fn a_difference_under_the_threshold_withholds_the_territory() {
        let mut cpts = counted(120.0);
        fn n<'a>(name: &'a str, value: &'a Value) -> Neighbour<'a> {
            Neighbour { name, value, between_has_data: true }
        }
        withhold_by_difference(&mut cpts, &[n("France", &counted(1.0e6)), n("CC du Haut Poitou", &counted(126.0))], 11.0);
        assert_eq!(cpts.withheld, Some(Withheld::SecretByDifference { other: "CC du Haut Poitou".into(), threshold: 11.0 }));
        assert!(cpts.count.is_none() && cpts.estimate.value.is_none());
        let mut far = counted(120.0);
        withhold_by_difference(&mut far, &[n("CC", &counted(131.0))], 11.0);
        assert!(far.withheld.is_none(), "a difference of 11 is published");
        let mut hidden = counted(120.0);
        withhold_by_difference(&mut hidden, &[n("CC", &secret())], 11.0);
        assert!(hidden.withheld.is_none(), "a secret neighbour publishes nothing to subtract");
        let mut unknown = counted(120.0);
        withhold_by_difference(&mut unknown, &[Neighbour { name: "CC", value: &counted(120.0), between_has_data: false }], 11.0);
        assert!(unknown.withheld.is_none(), "communes without data between them: nothing to learn");
    }

    #[test]
    fn nested_geographies_of_a_cpts_that_is_an_epci_minus_a_commune() {
        let r = Referential::embedded().unwrap();
        // CPTS Aliénor Ô Poitou: CC du Haut Poitou without Quinçay (86204).
        let t = crate::geo::Territory::find("cpts-alienor-o-poitou", &r).unwrap();
        let nested = nested_geographies(&t.units, &r);
        let ids: Vec<(&str, &str)> = nested.iter().map(|(k, g)| (*k, g.id.as_str())).collect();
        assert!(ids.contains(&("epci", "200069763")), "its EPCI holds it: {ids:?}");
        assert!(ids.contains(&("departement", "86")) && ids.contains(&("region", "75")), "{ids:?}");
        let epci = &nested.iter().find(|(_, g)| g.id == "200069763").unwrap().1;
        assert_eq!(epci.units.len(), t.units.len() + 1, "one commune more: Quinçay");
    }
}
