//! Life expectancy from an abridged life table (Chiang's method II), with the
//! variance of the last, open band by Silcocks, Jenner & Reza.

use super::{validate_levels, z_for_level, Estimate, Limits, Method, StatsError};

/// The 20 start ages of the abridged life table: 0, 1–4, 5–9, …, 85–89, 90+.
pub const LE_BAND_STARTS: [f64; 20] =
    [0.0, 1.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0, 55.0, 60.0, 65.0, 70.0, 75.0, 80.0, 85.0, 90.0];

/// Life expectancy is not calculated when the total population is at most this
/// (Toson & Baker 2003; PHE life expectancy calculator).
pub const MIN_TOTAL_POPULATION: f64 = 5000.0;

/// A life expectancy is withheld when its 95 % confidence interval is wider than
/// this many years (PHE life expectancy calculator; PHEindicatormethods).
pub const MAX_CI_WIDTH_95: f64 = 20.0;

/// Number of bands of the life table.
const BANDS: usize = 20;

/// One age band of a life table: its start age, deaths and population (person-years).
#[derive(Debug, Clone, Copy)]
pub struct LifeBand {
    pub start_age: f64,
    pub deaths: f64,
    pub population: f64,
}

/// Why a whole life table is not computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Refusal {
    WrongBandCount { found: usize },
    NotFinite { band: usize },
    NonPositivePopulation { band: usize, population: f64 },
    NegativeDeaths { band: usize, deaths: f64 },
    DeathsAbovePopulation { band: usize, deaths: f64, population: f64 },
    SmallPopulation { total: f64 },
    NoDeathsInLastBand,
}

impl Refusal {
    /// The note given on every band of a refused life table.
    ///
    /// Source: the refusal rules of PHEindicatormethods `phe_life_expectancy`.
    fn note(&self) -> String {
        let why = match *self {
            Refusal::WrongBandCount { found } => format!("{found} age bands given, 20 expected"),
            Refusal::NotFinite { band } => {
                format!("deaths or population of age band {} is not a finite number", label(band))
            }
            Refusal::NonPositivePopulation { band, population } => {
                format!("population of age band {} is {population} (must be > 0)", label(band))
            }
            Refusal::NegativeDeaths { band, deaths } => {
                format!("negative deaths ({deaths}) in age band {}", label(band))
            }
            Refusal::DeathsAbovePopulation { band, deaths, population } => {
                format!("deaths ({deaths}) above population ({population}) in age band {}", label(band))
            }
            Refusal::SmallPopulation { total } => {
                format!("total population {total} is not above 5000, too small for a robust life expectancy")
            }
            Refusal::NoDeathsInLastBand => "no deaths in the 90+ age band (at least one is needed)".to_owned(),
        };
        format!("life expectancy not calculated: {why}")
    }
}

/// The label of band `i` of the life table: "0", "1-4", "5-9", …, "90+".
///
/// Source: conventional abridged life-table band labels (no statistical content).
fn label(i: usize) -> String {
    match i {
        0 => "0".to_owned(),
        19 => "90+".to_owned(),
        _ => format!("{}-{}", LE_BAND_STARTS[i], LE_BAND_STARTS[i + 1] - 1.0),
    }
}

/// A computed life table: life expectancy, its standard error and survivors `lᵢ`
/// at the start of each band, and the first band (if any) whose probability of
/// dying had to be capped at 1.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LifeTable {
    pub(crate) e: [f64; BANDS],
    pub(crate) se: [f64; BANDS],
    pub(crate) survivors: [f64; BANDS],
    pub(crate) capped: Option<usize>,
}

/// Chiang's abridged life table for 20 bands in the order of [`LE_BAND_STARTS`]
/// (`deaths` and `populations` of length 20). No allocation.
///
/// With `aᵢ = 0.1` for age 0 and 0.5 otherwise, `nᵢ` the band width, `Mᵢ = Dᵢ/Pᵢ`:
/// `qᵢ = nᵢMᵢ / (1 + nᵢMᵢ(1 − aᵢ))` (capped at 1 when `nᵢMᵢaᵢ > 1`, as in
/// PHEindicatormethods), `q_last = 1`; `l₀ = 100 000`, `lᵢ₊₁ = lᵢ(1 − qᵢ)`,
/// `dᵢ = lᵢqᵢ`; `Lᵢ = nᵢ(lᵢ₊₁ + aᵢdᵢ)`, `L_last = l_last / M_last`;
/// `eᵢ = Σ_{j≥i} Lⱼ / lᵢ` (0 when `lᵢ = 0`); `s²ᵢ = qᵢ²(1 − qᵢ)/Dᵢ` (0 when
/// `Dᵢ = 0`), `s²_last = 4 / (D_last M_last²)`; `Wᵢ = s²ᵢ lᵢ² ((1 − aᵢ)nᵢ + eᵢ₊₁)²`,
/// `W_last = (l_last/2)² s²_last`; `SE(eᵢ) = √(Σ_{j≥i} Wⱼ) / lᵢ`.
///
/// Source: Chiang CL. *The Life Table and its Applications*. Malabar (FL): Krieger,
/// 1984 (method II; also Chiang 1968, *Introduction to Stochastic Processes in
/// Biostatistics*); Silcocks PBS, Jenner DA, Reza R. Life expectancy as a
/// summary of mortality in a population: statistical considerations and
/// suitability for use by health authorities. J Epidemiol Community Health
/// 2001;55:38-43 (variance of the open band); PHE life expectancy calculator and
/// PHEindicatormethods `phe_life_expectancy` (refusal rules).
pub(crate) fn life_table(deaths: &[f64], populations: &[f64]) -> Result<LifeTable, Refusal> {
    if deaths.len() != BANDS || populations.len() != BANDS {
        return Err(Refusal::WrongBandCount { found: deaths.len().min(populations.len()) });
    }
    let mut total = 0.0;
    for i in 0..BANDS {
        let (d, p) = (deaths[i], populations[i]);
        if !d.is_finite() || !p.is_finite() {
            return Err(Refusal::NotFinite { band: i });
        }
        if p <= 0.0 {
            return Err(Refusal::NonPositivePopulation { band: i, population: p });
        }
        if d < 0.0 {
            return Err(Refusal::NegativeDeaths { band: i, deaths: d });
        }
        if d > p {
            return Err(Refusal::DeathsAbovePopulation { band: i, deaths: d, population: p });
        }
        total += p;
    }
    if total <= MIN_TOTAL_POPULATION {
        return Err(Refusal::SmallPopulation { total });
    }
    if deaths[BANDS - 1] == 0.0 {
        return Err(Refusal::NoDeathsInLastBand);
    }

    let last = BANDS - 1;
    let mut rate = [0.0; BANDS];
    let mut q = [0.0; BANDS];
    let mut width = [0.0; BANDS];
    let mut a = [0.5; BANDS];
    a[0] = 0.1;
    let mut capped = None;
    for i in 0..BANDS {
        rate[i] = deaths[i] / populations[i];
        if i < last {
            width[i] = LE_BAND_STARTS[i + 1] - LE_BAND_STARTS[i];
            let nm = width[i] * rate[i];
            q[i] = if nm * a[i] > 1.0 {
                capped.get_or_insert(i);
                1.0
            } else {
                nm / (1.0 + nm * (1.0 - a[i]))
            };
        } else {
            q[i] = 1.0;
        }
    }
    // Survivors l and person-years L.
    let mut survivors = [0.0; BANDS];
    survivors[0] = 100_000.0;
    for i in 1..BANDS {
        survivors[i] = survivors[i - 1] * (1.0 - q[i - 1]);
    }
    let mut years = [0.0; BANDS];
    for i in 0..last {
        let dying = survivors[i] * q[i];
        years[i] = width[i] * (survivors[i + 1] + a[i] * dying);
    }
    years[last] = survivors[last] / rate[last];
    // Life expectancy, from the oldest band down.
    let mut e = [0.0; BANDS];
    let mut remaining = 0.0;
    for i in (0..BANDS).rev() {
        remaining += years[i];
        e[i] = if survivors[i] == 0.0 { 0.0 } else { remaining / survivors[i] };
    }
    // Variance, from the oldest band down.
    let mut se = [0.0; BANDS];
    let s2_last = 4.0 / (deaths[last] * rate[last] * rate[last]);
    let mut weighted = (survivors[last] / 2.0).powi(2) * s2_last;
    se[last] = weighted.sqrt() / survivors[last];
    for i in (0..last).rev() {
        let s2 = if deaths[i] == 0.0 { 0.0 } else { q[i] * q[i] * (1.0 - q[i]) / deaths[i] };
        weighted += s2 * survivors[i] * survivors[i] * ((1.0 - a[i]) * width[i] + e[i + 1]).powi(2);
        se[i] = if survivors[i] == 0.0 { f64::NAN } else { weighted.sqrt() / survivors[i] };
    }
    Ok(LifeTable { e, se, survivors, capped })
}

/// Life expectancy at the start of each band, with confidence limits `e ± z·SE` at
/// each level, by Chiang's method II with Silcocks' variance for the 90+ band (see
/// [`life_table`] for the formulas). Returns one `(start_age, estimate)` per band,
/// sorted by start age (the input may be in any order).
///
/// The bands must be exactly the 20 starting at 0, 1, 5, 10, …, 85, 90, else
/// `Err(StatsError::InvalidBands)`. The table is not computed — `Ok` with every
/// estimate missing and a note giving the reason, so that a national run survives —
/// when a population is ≤ 0, deaths are negative or above the population, deaths
/// or population are not finite, there is no death in the 90+ band, or the total
/// population is ≤ 5000. A single age's value is withheld (limits kept, note
/// given) when its 95 % interval is wider than 20 years (whatever the requested
/// levels), and both value and limits are missing for ages that no one reaches in
/// the table (a probability of dying capped at 1 in an earlier band).
///
/// Source: Chiang 1984 (method II); Silcocks, Jenner & Reza 2001 (J Epidemiol
/// Community Health 55:38-43); Toson B, Baker A, *Life expectancy at birth:
/// methodological options for small populations*, ONS Methodology Series 33, 2003
/// (5000 minimum); PHE life expectancy calculator and PHEindicatormethods
/// `phe_life_expectancy` (20-year width rule, cap of q at 1).
pub fn life_expectancy(bands: &[LifeBand], levels: &[f64]) -> Result<Vec<(f64, Estimate)>, StatsError> {
    validate_levels(levels)?;
    let mut sorted: Vec<LifeBand> = bands.to_vec();
    sorted.sort_by(|a, b| a.start_age.total_cmp(&b.start_age));
    let starts: Vec<f64> = sorted.iter().map(|b| b.start_age).collect();
    if starts != LE_BAND_STARTS {
        let got: Vec<String> = starts.iter().map(|s| s.to_string()).collect();
        return Err(StatsError::InvalidBands(format!(
            "life expectancy needs exactly the 20 age bands starting at 0, 1, 5, 10, 15, …, 85, 90 \
             (0, 1-4, 5-9, …, 85-89, 90+), one row each; got {} band(s) starting at {}",
            starts.len(),
            if got.is_empty() { "nothing".to_owned() } else { got.join(", ") }
        )));
    }
    let deaths: Vec<f64> = sorted.iter().map(|b| b.deaths).collect();
    let populations: Vec<f64> = sorted.iter().map(|b| b.population).collect();
    let table = match life_table(&deaths, &populations) {
        Ok(t) => t,
        Err(refusal) => {
            let note = refusal.note();
            return Ok(starts.iter().map(|&s| (s, Estimate::missing(Method::Chiang, levels.len(), note.clone()))).collect());
        }
    };
    let z95 = z_for_level(0.95);
    let zs: Vec<f64> = levels.iter().map(|&l| z_for_level(l)).collect();
    let cap_note = table
        .capped
        .map(|b| format!("probability of dying capped at 1 in age band {} (deaths too high for its population in Chiang's formula)", label(b)));
    let mut out = Vec::with_capacity(BANDS);
    for (i, &start) in starts.iter().enumerate() {
        let (e, se) = (table.e[i], table.se[i]);
        if table.survivors[i] == 0.0 || !se.is_finite() {
            let note = match &cap_note {
                Some(c) => format!("no survivors to this age in the life table: {c}"),
                None => "no survivors to this age in the life table".to_owned(),
            };
            out.push((start, Estimate::missing(Method::Chiang, levels.len(), note)));
            continue;
        }
        let limits = zs.iter().map(|&z| Some(Limits { lower: e - z * se, upper: e + z * se })).collect();
        let width95 = 2.0 * z95 * se;
        let mut notes: Vec<String> = Vec::new();
        let value = if width95 > MAX_CI_WIDTH_95 {
            notes.push(format!("95% confidence interval wider than 20 years ({width95:.1} years): life expectancy not reported"));
            None
        } else {
            Some(e)
        };
        notes.extend(cap_note.clone());
        let note = (!notes.is_empty()).then(|| notes.join("; "));
        out.push((start, Estimate { value, limits, method: Method::Chiang, note }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bands(deaths: &[f64], pops: &[f64]) -> Vec<LifeBand> {
        (0..20).map(|i| LifeBand { start_age: LE_BAND_STARTS[i], deaths: deaths[i], population: pops[i] }).collect()
    }

    // Worked example of the PHE life expectancy calculator, as published with
    // PHEindicatormethods (tests/testthat/testLifeExpectancy.R, data `df1` and
    // expected `answer1`, 95 % limits).
    const PHE_POPS: [f64; 20] = [
        7060.0, 35059.0, 46974.0, 48489.0, 43219.0, 38561.0, 46009.0, 57208.0, 61435.0, 55601.0, 50209.0, 56416.0, 46411.0, 39820.0, 37978.0,
        37039.0, 33288.0, 23306.0, 11936.0, 11936.0,
    ];
    const PHE_DEATHS: [f64; 20] =
        [17.0, 9.0, 4.0, 8.0, 20.0, 15.0, 24.0, 33.0, 50.0, 71.0, 100.0, 163.0, 263.0, 304.0, 536.0, 872.0, 1390.0, 1605.0, 1936.0, 1937.0];
    const PHE_VALUE: [f64; 20] = [
        80.16960813,
        79.36245674,
        75.44193645,
        70.47299936,
        65.52909542,
        60.67510088,
        55.78835987,
        50.92752727,
        46.06740425,
        41.24505636,
        36.49322717,
        31.83343842,
        27.26027992,
        22.9719144,
        18.76856852,
        14.95858336,
        11.51684445,
        8.618849241,
        6.163942934,
        6.16210635,
    ];
    const PHE_LOWER: [f64; 20] = [
        79.88268548,
        79.0898816,
        75.17407307,
        70.20675732,
        65.26548673,
        60.41876577,
        55.53801579,
        50.68279939,
        45.82666794,
        41.00842831,
        36.26223216,
        31.60996318,
        27.04337271,
        22.76653134,
        18.57570352,
        14.77985004,
        11.34831778,
        8.451134045,
        5.978358351,
        5.887683386,
    ];
    const PHE_UPPER: [f64; 20] = [
        80.45653078,
        79.63503188,
        75.70979983,
        70.7392414,
        65.79270412,
        60.931436,
        56.03870395,
        51.17225516,
        46.30814055,
        41.48168441,
        36.72422219,
        32.05691365,
        27.47718713,
        23.17729746,
        18.96143352,
        15.13731667,
        11.68537112,
        8.786564437,
        6.349527517,
        6.436529314,
    ];

    #[test]
    fn matches_the_phe_worked_example() {
        // PHEindicatormethods checks these to 4 decimals. The published limits were
        // produced by the PHE Excel calculator with z = 1.96 rather than
        // Φ⁻¹(0.975) = 1.959964 (their half-widths are 1.96/1.959964 = 1.0000184 times
        // ours), so the limits are also checked to 1e-6 after recomputing them with
        // z = 1.96 from our standard error.
        let out = life_expectancy(&bands(&PHE_DEATHS, &PHE_POPS), &[0.95]).unwrap();
        assert_eq!(out.len(), 20);
        for (i, (start, e)) in out.iter().enumerate() {
            assert_eq!(*start, LE_BAND_STARTS[i]);
            assert_eq!(e.method, Method::Chiang);
            assert_eq!(e.note, None);
            let v = e.value.unwrap();
            let l = e.limits[0].unwrap();
            assert!((v - PHE_VALUE[i]).abs() < 1e-6, "age {start}: {v} vs {}", PHE_VALUE[i]);
            assert!((l.lower - PHE_LOWER[i]).abs() < 5e-5, "age {start}: {} vs {}", l.lower, PHE_LOWER[i]);
            assert!((l.upper - PHE_UPPER[i]).abs() < 5e-5, "age {start}: {} vs {}", l.upper, PHE_UPPER[i]);
            let se = (l.upper - l.lower) / (2.0 * z_for_level(0.95));
            assert!((v - 1.96 * se - PHE_LOWER[i]).abs() < 1e-6, "age {start}: z = 1.96 lower");
            assert!((v + 1.96 * se - PHE_UPPER[i]).abs() < 1e-6, "age {start}: z = 1.96 upper");
        }
    }

    /// An independent, deliberately naive implementation of the same formulas:
    /// survivors as explicit products, person-years remaining and variance sums
    /// recomputed for each age by an inner loop (no running sums).
    fn naive(deaths: &[f64], pops: &[f64], z: f64) -> Vec<(f64, f64, f64)> {
        let k = 20;
        let n: Vec<f64> = (0..k).map(|i| if i + 1 < k { LE_BAND_STARTS[i + 1] - LE_BAND_STARTS[i] } else { 0.0 }).collect();
        let a: Vec<f64> = (0..k).map(|i| if i == 0 { 0.1 } else { 0.5 }).collect();
        let m: Vec<f64> = (0..k).map(|i| deaths[i] / pops[i]).collect();
        let q: Vec<f64> = (0..k).map(|i| if i == k - 1 { 1.0 } else { n[i] * m[i] / (1.0 + n[i] * m[i] * (1.0 - a[i])) }).collect();
        let l: Vec<f64> = (0..k).map(|i| 100_000.0 * (0..i).map(|j| 1.0 - q[j]).product::<f64>()).collect();
        let big_l: Vec<f64> = (0..k).map(|i| if i == k - 1 { l[i] / m[i] } else { n[i] * (l[i + 1] + a[i] * l[i] * q[i]) }).collect();
        let e: Vec<f64> = (0..k).map(|i| (i..k).map(|j| big_l[j]).sum::<f64>() / l[i]).collect();
        let w: Vec<f64> = (0..k)
            .map(|i| {
                if i == k - 1 {
                    let s2 = 4.0 / (deaths[i] * m[i] * m[i]);
                    (l[i] / 2.0).powi(2) * s2
                } else {
                    let s2 = if deaths[i] == 0.0 { 0.0 } else { q[i].powi(2) * (1.0 - q[i]) / deaths[i] };
                    s2 * l[i].powi(2) * ((1.0 - a[i]) * n[i] + e[i + 1]).powi(2)
                }
            })
            .collect();
        (0..k)
            .map(|i| {
                let se = (i..k).map(|j| w[j]).sum::<f64>().sqrt() / l[i];
                (e[i], e[i] - z * se, e[i] + z * se)
            })
            .collect()
    }

    #[test]
    fn agrees_with_a_naive_reimplementation() {
        // Three synthetic populations, including a zero-death band (ages 5-9 and 10-14).
        let mut cases = vec![(PHE_DEATHS.to_vec(), PHE_POPS.to_vec())];
        let mut d2 = PHE_DEATHS.to_vec();
        d2[2] = 0.0;
        d2[3] = 0.0;
        cases.push((d2, PHE_POPS.to_vec()));
        let p3: Vec<f64> = PHE_POPS.iter().map(|p| p * 3.7).collect();
        let d3: Vec<f64> = PHE_DEATHS.iter().enumerate().map(|(i, d)| (d * 2.9 + i as f64).round()).collect();
        cases.push((d3, p3));
        for (d, p) in cases {
            let ours = life_expectancy(&bands(&d, &p), &[0.998]).unwrap();
            let theirs = naive(&d, &p, z_for_level(0.998));
            for i in 0..20 {
                let e = &ours[i].1;
                let l = e.limits[0].unwrap();
                assert!((e.value.unwrap() - theirs[i].0).abs() < 1e-9, "band {i}");
                assert!((l.lower - theirs[i].1).abs() < 1e-9 && (l.upper - theirs[i].2).abs() < 1e-9, "band {i}");
            }
        }
    }

    #[test]
    fn zero_death_band_is_fine() {
        let mut d = PHE_DEATHS;
        d[3] = 0.0;
        let out = life_expectancy(&bands(&d, &PHE_POPS), &[0.95]).unwrap();
        assert!(out.iter().all(|(_, e)| e.value.is_some() && e.note.is_none()));
        // Fewer deaths → higher life expectancy at birth than the PHE example.
        assert!(out[0].1.value.unwrap() > PHE_VALUE[0]);
    }

    #[test]
    fn input_order_does_not_matter() {
        let mut shuffled = bands(&PHE_DEATHS, &PHE_POPS);
        shuffled.reverse();
        shuffled.swap(3, 11);
        let a = life_expectancy(&shuffled, &[0.95, 0.998]).unwrap();
        let b = life_expectancy(&bands(&PHE_DEATHS, &PHE_POPS), &[0.95, 0.998]).unwrap();
        assert_eq!(a, b);
        let a = &b[0].1;
        let (l95, l998) = (a.limits[0].unwrap(), a.limits[1].unwrap());
        assert!(l998.lower < l95.lower && l95.upper < l998.upper);
    }

    #[test]
    fn malformed_band_sets_are_errors() {
        let good = bands(&PHE_DEATHS, &PHE_POPS);
        let mut missing = good.clone();
        missing.pop();
        let mut duplicated = good.clone();
        duplicated[19].start_age = 85.0;
        let mut wrong = good.clone();
        wrong[1].start_age = 2.0;
        let mut nan = good.clone();
        nan[4].start_age = f64::NAN;
        let mut extra = good.clone();
        extra.push(LifeBand { start_age: 95.0, deaths: 1.0, population: 10.0 });
        for (case, b) in [("missing", missing), ("duplicated", duplicated), ("wrong", wrong), ("nan", nan), ("extra", extra)] {
            let err = life_expectancy(&b, &[0.95]).unwrap_err();
            assert!(matches!(err, StatsError::InvalidBands(_)), "{case}");
            assert!(err.to_string().contains("exactly the 20 age bands"), "{case}");
        }
        assert!(life_expectancy(&[], &[0.95]).is_err());
        assert!(matches!(life_expectancy(&good, &[1.0]), Err(StatsError::InvalidLevel(_))));
    }

    fn refused_note(d: &[f64], p: &[f64]) -> String {
        let out = life_expectancy(&bands(d, p), &[0.95, 0.998]).unwrap();
        assert_eq!(out.len(), 20);
        let note = out[0].1.note.clone().unwrap();
        for (_, e) in &out {
            assert_eq!(e.value, None);
            assert_eq!(e.limits, vec![None, None]);
            assert_eq!(e.note.as_ref(), Some(&note));
        }
        note
    }

    #[test]
    fn refusals_give_missing_estimates_with_a_note() {
        let mut p = PHE_POPS;
        p[5] = 0.0;
        assert!(refused_note(&PHE_DEATHS, &p).contains("population of age band 20-24 is 0"));
        let mut d = PHE_DEATHS;
        d[3] = -5.0;
        assert!(refused_note(&d, &PHE_POPS).contains("negative deaths"));
        let mut p = PHE_POPS;
        p[18] = 119.0;
        assert!(refused_note(&PHE_DEATHS, &p).contains("deaths (1936) above population (119) in age band 85-89"));
        let mut d = PHE_DEATHS;
        d[19] = 0.0;
        assert!(refused_note(&d, &PHE_POPS).contains("no deaths in the 90+ age band"));
        let mut d = PHE_DEATHS;
        d[0] = f64::NAN;
        assert!(refused_note(&d, &PHE_POPS).contains("not a finite number"));
    }

    #[test]
    fn small_totals_are_refused() {
        // Total exactly 5000 (20 bands of 250) is refused; 5020 is computed.
        let d = [1.0; 20];
        assert!(refused_note(&d, &[250.0; 20]).contains("total population 5000 is not above 5000"));
        let mut p = [250.0; 20];
        p[10] = 270.0;
        let out = life_expectancy(&bands(&d, &p), &[0.95]).unwrap();
        assert!(out[0].1.limits[0].is_some());
    }

    #[test]
    fn wide_intervals_withhold_the_value_but_keep_limits() {
        // A population of 5 100 with few deaths: the 95 % interval is wider than 20 years.
        let p = [255.0; 20];
        let mut d = [0.0; 20];
        d[19] = 1.0;
        d[17] = 1.0;
        let out = life_expectancy(&bands(&d, &p), &[0.9]).unwrap();
        let e = &out[0].1;
        assert_eq!(e.value, None);
        assert!(e.limits[0].is_some());
        assert!(e.note.as_ref().unwrap().starts_with("95% confidence interval wider than 20 years"), "{:?}", e.note);
        // The rule uses the 95 % width even though only 90 % was requested:
        // check it directly with the 95 % limits.
        let e95 = &life_expectancy(&bands(&d, &p), &[0.95]).unwrap()[0].1;
        let l = e95.limits[0].unwrap();
        assert!(l.upper - l.lower > 20.0);
        let l90 = e.limits[0].unwrap();
        assert!(l90.upper - l90.lower < l.upper - l.lower);
    }

    #[test]
    fn capped_probability_of_dying() {
        // Deaths at 45 % of the population in the 60-64 band: n M a = 5 × 0.45 × 0.5 > 1,
        // so q is capped at 1 and nobody reaches 65 in the table.
        let mut d = PHE_DEATHS;
        d[13] = (PHE_POPS[13] * 0.45).round();
        let out = life_expectancy(&bands(&d, &PHE_POPS), &[0.95]).unwrap();
        assert!(out[0].1.value.is_some());
        assert!(out[0].1.note.as_ref().unwrap().contains("capped at 1 in age band 60-64"));
        for (start, e) in &out[14..] {
            assert_eq!(e.value, None, "{start}");
            assert!(e.note.as_ref().unwrap().starts_with("no survivors"));
        }
        // e at 60 = n a = 2.5 years exactly (everybody dies mid-band).
        assert!((out[13].1.value.unwrap() - 2.5).abs() < 1e-12);
    }
}
