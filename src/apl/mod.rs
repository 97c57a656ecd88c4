//! The APL computed: DREES's *accessibilité potentielle localisée* to general practitioners, a
//! two-step floating catchment area (2SFCA: Luo & Wang, « Measures of spatial accessibility to
//! health care in a GIS environment », *Environment and Planning B* 30(6), 2003) with distance
//! decay, as DREES defines it (Barlet, Coldefy, Collin, Lucas-Gabrielli, « L'accessibilité
//! potentielle localisée (APL) : une nouvelle mesure de l'accessibilité aux médecins
//! généralistes libéraux », *Études et Résultats* n° 795, DREES, mars 2012; Lucas-Gabrielli &
//! al., DREES/Irdes) and with the parameters of the `Paramètres` sheet of DREES's workbook
//! *Indicateur d'accessibilité potentielle localisée (APL) aux médecins généralistes* 2022-2023
//! (`drees_apl_medecins_generalistes_2022_2023.xlsx`), read cell by cell in [`ACTIVITY`],
//! [`DECAY`] and [`WEIGHTS_2022`] / [`crate::project::demand::APL_2023_WEIGHTS`].
//!
//! For each commune `j` with GPs, step 1 divides its GPs' counted consultations `S_j` by the
//! standardised population that reaches it, `Σ_k w(t_kj)·P_k`; step 2 sums, for each commune
//! `i`, those ratios over the communes it reaches: `APL_i = Σ_j w(t_ij)·S_j / Σ_k w(t_kj)·P_k`,
//! in consultations per standardised inhabitant and per year. Travel times come from
//! [`travel`]; the national inputs and the projection from [`national`].

pub mod national;
pub mod travel;

use rayon::prelude::*;

/// The `Paramètres` sheet, « Comptabilisation de l'activité » (rows 8-11): consultations,
/// visits and teleconsultations of the year (SNIIR-AM) → consultations counted. « Moins de
/// 250 » → 0; « Entre 251 et 3 600 » → 3,600; « Entre 3 601 et 6 000 » → the actual number;
/// « Plus de 6 000 » → 6,000. The sheet puts exactly 250 in no row: counted 0 here (the first
/// row counted starts at 251).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Activity {
    /// At or under this, a GP counts 0.
    pub floor: f64,
    /// From just above `floor` up to this, a GP counts this.
    pub low: f64,
    /// Above this, a GP counts this.
    pub cap: f64,
    /// Imputed to a liberal GP without liberal activity the year before (row 12, « une offre
    /// de 5 400 consultations ou visites est imputée »).
    pub new_gp: f64,
}

pub const ACTIVITY: Activity = Activity { floor: 250.0, low: 3600.0, cap: 6000.0, new_gp: 5400.0 };

impl Activity {
    /// Consultations counted for a GP who gave `consultations` in the year, or who is new to
    /// liberal practice.
    pub fn counted(&self, consultations: f64, new_to_practice: bool) -> f64 {
        if new_to_practice {
            self.new_gp
        } else if consultations <= self.floor {
            0.0
        } else if consultations <= self.low {
            self.low
        } else {
            consultations.min(self.cap)
        }
    }
}

/// The `Paramètres` sheet, « Décroissance de l'accessibilité avec la distance » (rows 16-19):
/// « Moins de 10 minutes » 1, « Entre 10 et 15 minutes » 2/3, « Entre 15 et 20 minutes » 1/3,
/// « Plus de 20 minutes » 0, as (upper bound, weight). Bounds shared by two rows go to the
/// later row, except 20, which « plus de 20 » excludes: `t < 10` → 1, `10 ≤ t < 15` → 2/3,
/// `15 ≤ t ≤ 20` → 1/3, `t > 20` → 0.
pub const DECAY: [(f64, f64); 3] = [(10.0, 1.0), (15.0, 2.0 / 3.0), (20.0, 1.0 / 3.0)];

/// Beyond this many minutes a commune is out of reach.
pub const CUTOFF_MINUTES: f64 = 20.0;

/// The weight of a commune `minutes` away.
pub fn decay(minutes: f64) -> f64 {
    if !(0.0..=CUTOFF_MINUTES).contains(&minutes) {
        return 0.0;
    }
    DECAY.iter().find(|(bound, _)| minutes < *bound).map_or(DECAY[2].1, |(_, w)| *w)
}

/// The `Paramètres` sheet, « Pondération de la population selon l'âge », column « Poids de la
/// tranche d'âge en 2022 » (rows 23-41: under 5 … 90 and over; DCIR 2020, Cnam; populations
/// municipales 2020, Insee). The 2023 column is [`crate::project::demand::APL_2023_WEIGHTS`].
pub const WEIGHTS_2022: [f64; 19] =
    [0.93, 0.59, 0.55, 0.59, 0.73, 0.78, 0.84, 0.88, 0.90, 0.97, 1.06, 1.14, 1.16, 1.19, 1.52, 1.53, 1.72, 1.99, 2.39];

/// The age weights of an APL year: 2022's for 2022 and before, 2023's after (the workbook gives
/// these two).
pub fn weights(year: i32) -> &'static [f64; 19] {
    if year <= 2022 {
        &WEIGHTS_2022
    } else {
        &crate::project::demand::APL_2023_WEIGHTS
    }
}

/// The weight of the age band `[start, end]` (`end` None: open): the mean of its years' 5-year
/// weights; an open band takes its first year's.
pub fn band_weight(start: u32, end: Option<u32>, w: &[f64; 19]) -> f64 {
    let at = |age: u32| w[((age / 5) as usize).min(w.len() - 1)];
    match end {
        Some(end) if end >= start => (start..=end).map(at).sum::<f64>() / f64::from(end - start + 1),
        _ => at(start),
    }
}

/// Origin → destination weights (CSR, origin-major): for each commune, the communes it
/// reaches within [`CUTOFF_MINUTES`] (itself included) and the decay weight of each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Network {
    offsets: Vec<usize>,
    to: Vec<u32>,
    weight: Vec<f64>,
}

impl Network {
    /// From each origin's (destination, minutes) list; pairs beyond the cut-off are dropped.
    pub fn from_lists(lists: Vec<Vec<(u32, f64)>>) -> Network {
        let mut n = Network { offsets: Vec::with_capacity(lists.len() + 1), ..Network::default() };
        n.offsets.push(0);
        for list in lists {
            for (j, minutes) in list {
                let w = decay(minutes);
                if w > 0.0 {
                    n.to.push(j);
                    n.weight.push(w);
                }
            }
            n.offsets.push(n.to.len());
        }
        n
    }

    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of origin → destination pairs kept.
    pub fn pairs(&self) -> usize {
        self.to.len()
    }

    /// Whether each commune's demand reaches GPs that one of `origins` reaches: the demand a
    /// 2SFCA needs to give the APL of `origins`, all other demand counting for nothing there.
    pub fn demand_behind(&self, origins: impl IntoIterator<Item = usize>) -> Vec<bool> {
        let mut reached = vec![false; self.len()];
        for i in origins {
            for (j, _) in self.reach(i) {
                reached[j] = true;
            }
        }
        (0..self.len()).map(|k| self.reach(k).any(|(j, _)| reached[j])).collect()
    }

    /// The (destination, weight) pairs of origin `i`.
    pub fn reach(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let r = self.offsets[i]..self.offsets[i + 1];
        self.to[r.clone()].iter().map(|&j| j as usize).zip(self.weight[r].iter().copied())
    }
}

/// The 2SFCA: each commune's APL from the standardised population `demand` and the counted
/// consultations `supply` of every commune (same indices as `network`). A commune whose GPs no
/// one reaches (no demand within the cut-off) adds nothing.
pub fn two_step(network: &Network, demand: &[f64], supply: &[f64]) -> Vec<f64> {
    let n = network.len();
    assert!(demand.len() == n && supply.len() == n, "one demand and one supply per commune");
    // Step 1: the standardised population reaching each commune's GPs.
    let mut reaching = vec![0.0; n];
    for (k, p) in demand.iter().enumerate() {
        if *p > 0.0 {
            for (j, w) in network.reach(k) {
                reaching[j] += w * p;
            }
        }
    }
    let ratio: Vec<f64> = supply.iter().zip(&reaching).map(|(s, d)| if *d > 0.0 { s / d } else { 0.0 }).collect();
    // Step 2: what each commune reaches.
    (0..n).into_par_iter().map(|i| network.reach(i).map(|(j, w)| w * ratio[j]).sum()).collect()
}

/// DREES's classes of the APL to GPs: under 2.5 (strictly), 2.5 to 4, 4 and over (the
/// thresholds of [`crate::ingest::apl::GP_THRESHOLDS`]).
pub fn class(apl: f64) -> &'static str {
    let [(low, _), (high, _)] = crate::ingest::apl::GP_THRESHOLDS;
    if apl < low {
        "< 2,5"
    } else if apl < high {
        "2,5 – 4"
    } else {
        "≥ 4"
    }
}

/// A territory's APL as DREES aggregates it (the workbook's note above its header, and the
/// `apl_mg` indicator: Σ APL × standardised population / Σ standardised population) over
/// (APL, standardised population) pairs. None without population.
pub fn aggregate(communes: impl IntoIterator<Item = (f64, f64)>) -> Option<f64> {
    let (num, den) = communes.into_iter().fold((0.0, 0.0), |(n, d), (a, p)| (n + a * p, d + p));
    (den > 0.0).then(|| num / den)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_is_counted_as_the_parametres_sheet_says() {
        let a = ACTIVITY;
        // « Moins de 250 » → 0 (250 itself: in no row, counted 0).
        assert_eq!(a.counted(0.0, false), 0.0);
        assert_eq!(a.counted(249.0, false), 0.0);
        assert_eq!(a.counted(250.0, false), 0.0);
        // « Entre 251 et 3 600 » → 3 600.
        assert_eq!(a.counted(251.0, false), 3600.0);
        assert_eq!(a.counted(3600.0, false), 3600.0);
        // « Entre 3 601 et 6 000 » → the actual number.
        assert_eq!(a.counted(3601.0, false), 3601.0);
        assert_eq!(a.counted(6000.0, false), 6000.0);
        // « Plus de 6 000 » → 6 000.
        assert_eq!(a.counted(6001.0, false), 6000.0);
        assert_eq!(a.counted(12000.0, false), 6000.0);
        // New to liberal practice: 5 400 whatever the year's count.
        assert_eq!(a.counted(100.0, true), 5400.0);
        assert_eq!(a.counted(9000.0, true), 5400.0);
    }

    #[test]
    fn distance_decays_by_steps() {
        assert_eq!(decay(0.0), 1.0);
        assert_eq!(decay(9.99), 1.0);
        assert_eq!(decay(10.0), 2.0 / 3.0);
        assert_eq!(decay(14.9), 2.0 / 3.0);
        assert_eq!(decay(15.0), 1.0 / 3.0);
        assert_eq!(decay(20.0), 1.0 / 3.0);
        assert_eq!(decay(20.01), 0.0);
        assert_eq!(decay(f64::NAN), 0.0);
        assert_eq!(decay(-1.0), 0.0);
    }

    #[test]
    fn age_weights_are_the_sheets() {
        // Row 23 « Moins de 5 ans » 0.93 / 1.12; row 41 « Plus de 90 ans » 2.39 / 2.26.
        assert_eq!((weights(2022)[0], weights(2022)[18]), (0.93, 2.39));
        assert_eq!((weights(2023)[0], weights(2023)[18]), (1.12, 2.26));
        assert!((band_weight(60, Some(74), &WEIGHTS_2022) - (1.16 + 1.19 + 1.52) / 3.0).abs() < 1e-12);
        assert_eq!(band_weight(95, None, &WEIGHTS_2022), 2.39);
    }

    /// Four communes on a line, computed by hand:
    ///
    /// ```text
    ///   A ──8 min── B ──4 min── C ──(A–C 12, B–D 18, C–D 14, A–D 26) D
    /// ```
    /// Times (symmetric): A–B 8, A–C 12, A–D 26, B–C 4, B–D 18, C–D 14; each commune 0 from
    /// itself. Standardised populations: A 1 000, B 500, C 2 000, D 300. GPs: in A one GP of
    /// 4 000 consultations (counted 4 000) and one of 200 (counted 0); in C one of 7 000
    /// (counted 6 000) and one of 3 000 (counted 3 600); in D one new to practice (5 400).
    ///
    /// Weights w: A→{A 1, B 1, C 2/3}, B→{A 1, B 1, C 1, D 1/3}, C→{A 2/3, B 1, C 1, D 2/3},
    /// D→{B 1/3, C 2/3, D 1}.
    /// Step 1, population reaching: A: 1000 + 500 + 2/3·2000 = 2 833.33; C: 2/3·1000 + 500 +
    /// 2000 + 2/3·300 = 3 366.67; D: 1/3·500 + 2/3·2000 + 300 = 1 800.
    /// Ratios: A 4000/2833.33 = 1.411765; C 9600/3366.67 = 2.851485; D 5400/1800 = 3.
    /// Step 2: APL A = 1.411765 + 2/3·2.851485 = 3.312755; B = 1.411765 + 2.851485 + 1/3·3 =
    /// 5.263250; C = 2/3·1.411765 + 2.851485 + 2/3·3 = 5.792661; D = 2/3·2.851485 + 3 =
    /// 4.900990.
    #[test]
    fn a_hand_computed_two_step_floating_catchment() {
        let t = [[0.0, 8.0, 12.0, 26.0], [8.0, 0.0, 4.0, 18.0], [12.0, 4.0, 0.0, 14.0], [26.0, 18.0, 14.0, 0.0]];
        let lists = t.iter().map(|row| row.iter().enumerate().map(|(j, m)| (j as u32, *m)).collect()).collect();
        let net = Network::from_lists(lists);
        assert_eq!(net.pairs(), 14, "A–D (26 min) is dropped both ways");
        let a = ACTIVITY;
        let supply =
            [a.counted(4000.0, false) + a.counted(200.0, false), 0.0, a.counted(7000.0, false) + a.counted(3000.0, false), a.counted(0.0, true)];
        assert_eq!(supply, [4000.0, 0.0, 9600.0, 5400.0]);
        let apl = two_step(&net, &[1000.0, 500.0, 2000.0, 300.0], &supply);
        for (got, want) in apl.iter().zip([3.312755, 5.263250, 5.792661, 4.900990]) {
            assert!((got - want).abs() < 1e-6, "{apl:?}");
        }
        // DREES's aggregate of A and B: (3.312755·1000 + 5.263250·500) / 1500.
        assert!((aggregate([(apl[0], 1000.0), (apl[1], 500.0)]).unwrap() - 3.962920).abs() < 1e-6);
        assert_eq!(aggregate([]), None);
        assert_eq!((class(2.49), class(2.5), class(3.99), class(4.0)), ("< 2,5", "2,5 – 4", "2,5 – 4", "≥ 4"));
    }

    #[test]
    fn the_2023_weights_rebuild_dreess_standardised_population_from_pop1b() {
        // INSEE RP 2021 POP1B (single years of age) of the 25 largest communes of Occitanie,
        // against DREES's « Population standardisée 2021 » of its APL 2023 sheet (long CSV).
        // By hand: Toulouse (31555), Σ people × 2023 weight of their 5-year band = 468,752.7
        // for DREES's 468,897.279 (its total population 504,078 for POP1B's 503,980: the
        // derived POP1B file holds about 100 people fewer per commune).
        use crate::ingest::{Encoding, TextTable};
        let (Some(pop), Some(apl)) = (
            crate::ingest::realdata("population/insee_rp2021_pop1b_25_communes_occitanie.csv"),
            crate::ingest::realdata("medical/drees_apl_mg_commune_2022_2023_long.csv"),
        ) else {
            return;
        };
        let pop = TextTable::read(&pop, Encoding::Auto).unwrap();
        let (codes, ages, men, women) =
            (pop.texts("CODGEO").unwrap(), pop.numbers("Age").unwrap(), pop.numbers("Nb_H").unwrap(), pop.numbers("Nb_F").unwrap());
        let mut ours: std::collections::BTreeMap<String, (f64, f64)> = Default::default();
        for i in 0..pop.height() {
            let age = ages[i].value().unwrap() as u32;
            let people = men[i].value().unwrap() + women[i].value().unwrap();
            let e = ours.entry(codes[i].clone()).or_default();
            e.0 += people * band_weight(age, Some(age), weights(2023));
            e.1 += people;
        }
        let apl = TextTable::read(&apl, Encoding::Auto).unwrap();
        let (years, codes) = (apl.texts("year").unwrap(), apl.texts("code_commune").unwrap());
        let (standardised, total) = (apl.numbers("pop_standardisee").unwrap(), apl.numbers("pop_totale").unwrap());
        let drees: std::collections::BTreeMap<&str, (f64, f64)> = (0..apl.height())
            .filter(|&i| years[i] == "2023")
            .map(|i| (codes[i].as_str(), (standardised[i].value().unwrap(), total[i].value().unwrap())))
            .collect();
        assert_eq!(ours.len(), 25);
        assert!((ours["31555"].0 - 468_752.7).abs() < 0.1, "{:?}", ours["31555"]);
        for (code, (value, people)) in &ours {
            let (d, d_people) = drees[code.as_str()];
            // Within 0.6 %, and the gap is what the missing people can weigh (each at most
            // the heaviest weight, 2.26): the weights and their bands are DREES's.
            let missing = d_people - people;
            assert!((value / d - 1.0).abs() < 0.006, "{code}: {value} for DREES's {d}");
            assert!(missing > 0.0 && d - value > 0.0 && d - value < 2.26 * missing, "{code}: {value} for {d}, {missing} people fewer");
        }
    }

    #[test]
    fn no_one_reaching_a_gp_leaves_the_gp_out() {
        // Two communes 30 minutes apart; B has GPs and nobody (B is empty), A has no GP.
        let net = Network::from_lists(vec![vec![(0, 0.0), (1, 30.0)], vec![(1, 0.0), (0, 30.0)]]);
        assert_eq!(two_step(&net, &[100.0, 0.0], &[0.0, 5000.0]), vec![0.0, 0.0]);
    }

    /// A chain of six communes, each 8 minutes from the next (one way only from 2 to 3: an
    /// asymmetric matrix): the APL of commune 0 needs the demand of communes 0-2 only (its GPs
    /// are in 0 and 1, reached from 0, 1 and 2), and comes out the same to the last bit with
    /// all other demand left out.
    #[test]
    fn the_apl_of_a_few_communes_needs_only_the_demand_reaching_their_gps() {
        let mut lists: Vec<Vec<(u32, f64)>> = (0..6).map(|i| vec![(i, 0.0)]).collect();
        for i in 0..5u32 {
            lists[i as usize].push((i + 1, 8.0));
            if i != 2 {
                lists[i as usize + 1].push((i, 8.0));
            }
        }
        let network = Network::from_lists(lists);
        assert_eq!(network.demand_behind([0]), vec![true, true, true, false, false, false]);
        // From 3, GPs in 3 and 4 (3 does not reach 2): demand from 2 (→3), 3, 4 and 5.
        assert_eq!(network.demand_behind([3]), vec![false, false, true, true, true, true]);
        let demand = [1234.5, 876.25, 3001.0, 99.5, 4567.0, 10.0];
        let supply = [4000.0, 3600.0, 6000.0, 0.0, 5400.0, 3601.0];
        let full = two_step(&network, &demand, &supply);
        for origins in [vec![0], vec![3], vec![1, 4], vec![5]] {
            let needed = network.demand_behind(origins.iter().copied());
            let partial: Vec<f64> = demand.iter().zip(&needed).map(|(d, &n)| if n { *d } else { 0.0 }).collect();
            let apl = two_step(&network, &partial, &supply);
            for &i in &origins {
                assert_eq!(apl[i].to_bits(), full[i].to_bits(), "commune {i} from {origins:?}");
            }
        }
    }
}
