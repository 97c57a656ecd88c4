//! Funnel plots: significance of each unit against the overall target, and the
//! control limits to draw, for proportions, ratios (SMR/ICM) and rates.

use std::fmt;

use super::poisson::{count_control_limits, exact_limits, poisson_limits};
use super::{validate_multiplier, z_for_level, StatsError};

/// Number of points of the limits table.
pub const LIMITS_POINTS: usize = 100;

/// The 95 % control limits ("2 standard deviations", two-sided 0.025 in each tail).
const LEVEL_95: f64 = 0.95;
/// The 99.8 % control limits ("3 standard deviations", 0.001 in each tail).
const LEVEL_99_8: f64 = 0.998;

/// Where a unit falls on a funnel plot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Significance {
    /// Above the 99.8 % upper limit.
    High0001,
    /// Above the 95 % upper limit (but not the 99.8 % one).
    High0025,
    /// Below the 99.8 % lower limit.
    Low0001,
    /// Below the 95 % lower limit (but not the 99.8 % one).
    Low0025,
    /// Within the 95 % limits.
    NotSignificant,
    /// Not assessed (zero denominator, too few events…; see the note).
    NotAssessed,
}

impl fmt::Display for Significance {
    /// Labels of PHEindicatormethods `phe_funnel_significance` ("High (0.001)"…);
    /// an unassessed point is blank.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Significance::High0001 => "High (0.001)",
            Significance::High0025 => "High (0.025)",
            Significance::Low0001 => "Low (0.001)",
            Significance::Low0025 => "Low (0.025)",
            Significance::NotSignificant => "Not significant",
            Significance::NotAssessed => "",
        })
    }
}

/// The control limits at one denominator (in the unit of the plotted statistic:
/// a proportion, a ratio, or a rate × multiplier).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FunnelLimit {
    pub denominator: f64,
    pub lower_95: f64,
    pub upper_95: f64,
    pub lower_99_8: f64,
    pub upper_99_8: f64,
}

/// A funnel plot: the target, each input point's significance and note, and a
/// table of [`LIMITS_POINTS`] control limits for drawing.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelResult {
    pub target: f64,
    /// Each point's denominator on the funnel's axis (n, E, or a rate's population or
    /// implied denominator); 0 where it has none.
    pub denominators: Vec<f64>,
    pub significance: Vec<Significance>,
    pub notes: Vec<Option<String>>,
    pub limits_table: Vec<FunnelLimit>,
}

/// `LIMITS_POINTS` denominators log-spaced from `min` to `1.1 × max` (the 10 %
/// margin lets the funnel extend past the largest unit).
///
/// Source: PHEindicatormethods `phe_funnels` also draws 100 geometrically spaced
/// points; the range here is the one stated above.
fn denominator_grid(min: f64, max: f64) -> Vec<f64> {
    let top = max * 1.1;
    let ratio = top / min;
    (0..LIMITS_POINTS).map(|j| if j + 1 == LIMITS_POINTS { top } else { min * ratio.powf(j as f64 / (LIMITS_POINTS - 1) as f64) }).collect()
}

/// The significance of a statistic against limits at 95 % and 99.8 %.
///
/// Source: the significance bands of Spiegelhalter 2005 and PHEindicatormethods
/// `phe_funnel_significance` (strictly outside a limit is significant).
fn classify(value: f64, l95: (f64, f64), l998: (f64, f64)) -> Significance {
    if value > l998.1 {
        Significance::High0001
    } else if value > l95.1 {
        Significance::High0025
    } else if value < l998.0 {
        Significance::Low0001
    } else if value < l95.0 {
        Significance::Low0025
    } else {
        Significance::NotSignificant
    }
}

/// Validate paired inputs: same length, finite, non-negative.
///
/// Source: input checking only (no statistical content).
fn check_pairs(a: &[f64], a_name: &str, b: &[f64], b_name: &str) -> Result<(), StatsError> {
    if a.len() != b.len() {
        return Err(StatsError::LengthMismatch { what: format!("{b_name} (one per {a_name})"), expected: a.len(), found: b.len() });
    }
    for (i, (&x, &y)) in a.iter().zip(b).enumerate() {
        for (name, v) in [(a_name, x), (b_name, y)] {
            if !v.is_finite() {
                return Err(StatsError::NotFinite { what: format!("{name} of point {}", i + 1), value: v });
            }
            if v < 0.0 {
                return Err(StatsError::Negative { what: format!("{name} of point {}:", i + 1), value: v });
            }
        }
    }
    Ok(())
}

/// The normal-approximation control limits of a proportion around target `p` at
/// denominator `n`: `p ± z √(p(1 − p)/n)`, clamped to [0, 1].
///
/// Source: Spiegelhalter 2005, Stat Med 24:1185 (normal approximation).
fn proportion_limits(p: f64, n: f64, z: f64) -> (f64, f64) {
    let half = z * (p * (1.0 - p) / n).sqrt();
    ((p - half).max(0.0), (p + half).min(1.0))
}

/// Funnel plot of proportions `xᵢ/nᵢ`. The target is `p = Σx / Σn`; the control
/// limits at denominator `n` are `p ± z √(p(1 − p)/n)`, clamped to [0, 1], with
/// `z = Φ⁻¹(0.975)` (95 %) and `z = Φ⁻¹(0.999)` (99.8 %). A point above the 99.8 %
/// upper limit is "High (0.001)", else above the 95 % upper limit "High (0.025)";
/// likewise "Low"; on a limit is not significant. A point with `n = 0` is not
/// assessed (note). The limits table has 100 denominators log-spaced from the
/// smallest positive denominator to 1.1 × the largest.
///
/// Errors: inputs of different lengths, negative or non-finite values, `x > n`,
/// or no point with `n > 0`.
///
/// Source: Spiegelhalter DJ. Funnel plots for comparing institutional
/// performance. Stat Med 2005;24:1185-1202 (normal approximation to the
/// binomial). (PHE's "Technical guide: funnel plots" and PHEindicatormethods
/// use limits obtained by inverting the Wilson interval instead; they differ
/// slightly for small denominators or extreme proportions.)
pub fn proportion_funnel(numerators: &[f64], denominators: &[f64]) -> Result<FunnelResult, StatsError> {
    check_pairs(numerators, "numerator", denominators, "denominator")?;
    for (&x, &n) in numerators.iter().zip(denominators) {
        if x > n {
            return Err(StatsError::NumeratorAboveDenominator { numerator: x, denominator: n });
        }
    }
    let total_n: f64 = denominators.iter().sum();
    if total_n <= 0.0 {
        return Err(StatsError::NoData("no point has a denominator > 0: the funnel's target cannot be computed".into()));
    }
    let target = numerators.iter().sum::<f64>() / total_n;
    let (z95, z998) = (z_for_level(LEVEL_95), z_for_level(LEVEL_99_8));
    let mut significance = Vec::with_capacity(numerators.len());
    let mut notes = Vec::with_capacity(numerators.len());
    for (&x, &n) in numerators.iter().zip(denominators) {
        if n == 0.0 {
            significance.push(Significance::NotAssessed);
            notes.push(Some("denominator is 0: not assessed".to_owned()));
        } else {
            significance.push(classify(x / n, proportion_limits(target, n, z95), proportion_limits(target, n, z998)));
            notes.push(None);
        }
    }
    let (min, max) = positive_range(denominators);
    let limits_table = denominator_grid(min, max)
        .into_iter()
        .map(|n| {
            let (lower_95, upper_95) = proportion_limits(target, n, z95);
            let (lower_99_8, upper_99_8) = proportion_limits(target, n, z998);
            FunnelLimit { denominator: n, lower_95, upper_95, lower_99_8, upper_99_8 }
        })
        .collect();
    Ok(FunnelResult { target, denominators: denominators.to_vec(), significance, notes, limits_table })
}

/// The smallest and largest positive values (some value must be positive).
///
/// Source: no statistical content.
fn positive_range(values: &[f64]) -> (f64, f64) {
    values.iter().filter(|v| **v > 0.0).fold((f64::INFINITY, 0.0_f64), |(lo, hi), &v| (lo.min(v), hi.max(v)))
}

/// Funnel plot of indirectly standardised ratios `Oᵢ/Eᵢ` around the target 1.
///
/// Significance: a point is "High (0.001)" when the exact (Garwood) 99.8 % lower
/// limit of its observed count is above its expected count (`χ²(0.001; 2O)/2 > E`),
/// else "High (0.025)" with the 95 % lower limit; "Low" likewise when the exact
/// upper limit (`χ²(1 − α/2; 2O + 2)/2`) is below E. This is the exact test used
/// at every O, whatever the size of O. A point with `E = 0` is not assessed.
///
/// Limits table (ratio units), at 100 expected counts log-spaced from the
/// smallest positive E to 1.1 × the largest: the control limits for O given E
/// divided by E, where the upper control count is the `c` whose exact lower
/// limit equals E, and the lower control count the `c` whose exact upper limit
/// equals E (0 if none) — see `poisson::count_control_limits`. A point lies
/// outside these limits exactly when the test above calls it significant.
///
/// Errors: inputs of different lengths, negative or non-finite values, or no
/// point with `E > 0`.
///
/// Source: Spiegelhalter 2005, Stat Med 24:1185 (Poisson outcomes, exact
/// limits); PHE "Technical guide: funnel plots" and PHEindicatormethods
/// `phe_funnels` / `phe_funnel_significance` (statistic = "ratio": exact Poisson
/// interval of the observed count compared with the expected count); Garwood 1936.
pub fn ratio_funnel(observed: &[f64], expected: &[f64]) -> Result<FunnelResult, StatsError> {
    check_pairs(observed, "observed count", expected, "expected count")?;
    if !expected.iter().any(|&e| e > 0.0) {
        return Err(StatsError::NoData("no point has an expected count > 0: nothing to assess".into()));
    }
    let mut significance = Vec::with_capacity(observed.len());
    let mut notes = Vec::with_capacity(observed.len());
    for (&o, &e) in observed.iter().zip(expected) {
        if e == 0.0 {
            significance.push(Significance::NotAssessed);
            notes.push(Some("expected count is 0: not assessed".to_owned()));
            continue;
        }
        let (l95, l998) = (exact_limits(o, LEVEL_95), exact_limits(o, LEVEL_99_8));
        // Compare the target E with the count's interval: a point is high when the
        // whole interval is above E.
        let s = if l998.lower > e {
            Significance::High0001
        } else if l95.lower > e {
            Significance::High0025
        } else if l998.upper < e {
            Significance::Low0001
        } else if l95.upper < e {
            Significance::Low0025
        } else {
            Significance::NotSignificant
        };
        significance.push(s);
        notes.push(None);
    }
    let (min, max) = positive_range(expected);
    let limits_table = denominator_grid(min, max).into_iter().map(|e| count_limits_row(e, e, 1.0 / e)).collect();
    Ok(FunnelResult { target: 1.0, denominators: expected.to_vec(), significance, notes, limits_table })
}

/// One row of a Poisson limits table: control counts for mean `mu`, times `scale`.
///
/// Source: see `poisson::count_control_limits`.
fn count_limits_row(denominator: f64, mu: f64, scale: f64) -> FunnelLimit {
    let l95 = count_control_limits(mu, (1.0 - LEVEL_95) / 2.0);
    let l998 = count_control_limits(mu, (1.0 - LEVEL_99_8) / 2.0);
    FunnelLimit {
        denominator,
        lower_95: l95.lower * scale,
        upper_95: l95.upper * scale,
        lower_99_8: l998.lower * scale,
        upper_99_8: l998.upper * scale,
    }
}

/// Funnel plot of rates given as events `Oᵢ` and rates `rᵢ` (per `multiplier`),
/// crude or directly standardised, each placed at its implied denominator
/// `dᵢ = multiplier × Oᵢ / rᵢ`: [`rate_funnel_with_populations`] without
/// populations. A point with no events has no implied denominator and is not
/// assessed: give the populations of crude rates to assess it.
///
/// Source: as [`rate_funnel_with_populations`].
pub fn rate_funnel(observed: &[f64], rates: &[f64], multiplier: f64, is_dsr: bool) -> Result<FunnelResult, StatsError> {
    rate_funnel_with_populations(observed, rates, None, multiplier, is_dsr)
}

/// Funnel plot of rates given as events `Oᵢ` and rates `rᵢ` (per `multiplier`),
/// crude or directly standardised (`is_dsr`), with, for crude rates, the population
/// (or person-years) `nᵢ` each rate was computed on.
///
/// Each point's denominator `dᵢ` is:
/// - for a crude rate with a population `nᵢ > 0`: `nᵢ` itself. A point with no
///   events is then a valid observation: it is assessed at its population and
///   counts in the target (an EPCI without any GP is the clearest "Low" of a GP
///   density);
/// - otherwise (a DSR, or a crude rate given without its population) the implied
///   denominator `multiplier × Oᵢ / rᵢ` (for a DSR, the population that would give
///   the same rate and precision). It is undefined when `O = 0` or `r = 0`, and
///   such points are not assessed and left out of the target.
///
/// The target is the average rate `Σ O / Σ d × multiplier` over the points with a
/// denominator (including DSR points with fewer than 10 events, as
/// PHEindicatormethods does). A point is "High (0.001)" when the target is below
/// the lower 99.8 % limit of its rate, `poisson_limits(O) / d × multiplier` (exact
/// for O < 10, Byar otherwise; for O = 0 the limits are 0 and
/// `−ln(α/2) / d × multiplier`), "High (0.025)" when below the 95 % one, and "Low"
/// likewise above the upper limits. DSR points with fewer than 10 events are not
/// assessed.
///
/// Limits table (rate units): 100 denominators log-spaced from the smallest to 1.1 ×
/// the largest of the points' denominators; at denominator `d` the expected count
/// is `mu = target × d / multiplier` and the limits are the exact Poisson control
/// counts of `mu` (`poisson::count_control_limits`) / `d` × multiplier. (The table
/// uses the exact limits at every count; for O ≥ 10 the classification uses Byar's
/// approximation to the same limits, the two agreeing to within a small fraction
/// of a count.)
///
/// Errors: inputs of different lengths, negative or non-finite values, invalid
/// multiplier, no point with a denominator, or no events at all (a target of 0
/// has no control limits).
///
/// Source: Spiegelhalter DJ. Funnel plots for comparing institutional performance.
/// Stat Med 2005;24:1185-1202 (Poisson outcomes: the denominator of a crude rate
/// is its population); PHE "Technical guide: funnel plots" (rates and DSRs:
/// implied denominators, no assessment of DSRs below 10 events);
/// PHEindicatormethods `calculate_funnel_limits` / `assign_funnel_significance`
/// (statistic = "rate": with `rate_type = "crude"` a record with 0 events takes the
/// given denominator, with `rate_type = "dsr"` it has none).
pub fn rate_funnel_with_populations(
    observed: &[f64],
    rates: &[f64],
    populations: Option<&[f64]>,
    multiplier: f64,
    is_dsr: bool,
) -> Result<FunnelResult, StatsError> {
    validate_multiplier(multiplier)?;
    check_pairs(observed, "observed count", rates, "rate")?;
    if let Some(p) = populations {
        check_pairs(observed, "observed count", p, "population")?;
    }
    let population = |i: usize| populations.map(|p| p[i]).filter(|&n| !is_dsr && n > 0.0);
    let denominators: Vec<Option<f64>> = observed
        .iter()
        .zip(rates)
        .enumerate()
        .map(|(i, (&o, &r))| {
            population(i).or_else(|| {
                let d = multiplier * o / r;
                (o > 0.0 && r > 0.0 && d.is_finite() && d > 0.0).then_some(d)
            })
        })
        .collect();
    let (mut sum_o, mut sum_d) = (0.0, 0.0);
    for (&o, d) in observed.iter().zip(&denominators) {
        if let Some(d) = d {
            sum_o += o;
            sum_d += d;
        }
    }
    if sum_d <= 0.0 {
        return Err(StatsError::NoData(
            "no point has both events and a rate > 0, nor a population: the funnel's average rate cannot be computed".into(),
        ));
    }
    if sum_o <= 0.0 {
        return Err(StatsError::NoData("no point has events: the funnel's average rate is 0 and has no control limits".into()));
    }
    let target = sum_o / sum_d * multiplier;
    let mut significance = Vec::with_capacity(observed.len());
    let mut notes = Vec::with_capacity(observed.len());
    for ((&o, &r), d) in observed.iter().zip(rates).zip(&denominators) {
        let Some(d) = *d else {
            significance.push(Significance::NotAssessed);
            notes.push(Some(if o == 0.0 {
                if is_dsr {
                    "no events: DSR not assessed".to_owned()
                } else {
                    "no events and no population: implied denominator undefined, not assessed".to_owned()
                }
            } else {
                format!("rate {r} with {o} events: implied denominator undefined, not assessed")
            }));
            continue;
        };
        if is_dsr && o < 10.0 {
            significance.push(Significance::NotAssessed);
            notes.push(Some(format!("fewer than 10 events (O = {o}): DSR not assessed")));
            continue;
        }
        let scale = multiplier / d;
        let l95 = poisson_limits(o, LEVEL_95).0.scaled(scale);
        let l998 = poisson_limits(o, LEVEL_99_8).0.scaled(scale);
        let s = if target < l998.lower {
            Significance::High0001
        } else if target < l95.lower {
            Significance::High0025
        } else if target > l998.upper {
            Significance::Low0001
        } else if target > l95.upper {
            Significance::Low0025
        } else {
            Significance::NotSignificant
        };
        significance.push(s);
        notes.push(None);
    }
    let defined: Vec<f64> = denominators.iter().flatten().copied().collect();
    let (min, max) = positive_range(&defined);
    let limits_table = denominator_grid(min, max).into_iter().map(|d| count_limits_row(d, target * d / multiplier, multiplier / d)).collect();
    let denominators = denominators.iter().map(|d| d.unwrap_or(0.0)).collect();
    Ok(FunnelResult { target, denominators, significance, notes, limits_table })
}

/// How the extreme z-scores are tamed before the dispersion is estimated: Spiegelhalter
/// (2005) winsorises them (the 10 % at each end set to the 10th and 90th percentiles); the
/// NHS Digital SHMI truncates them (left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trim {
    Winsorise,
    Truncate,
}

/// The dispersion of a funnel's points beyond their sampling error: φ (the mean squared
/// z-score after trimming; 1 when the points vary as chance alone would) and the additive
/// between-unit variance τ² that widens the limits when φ is above (I − 1)/I.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overdispersion {
    pub phi: f64,
    pub tau2: f64,
    /// Points the estimate used (after truncation).
    pub units: usize,
}

/// The 10 % trimmed at each end.
const TRIM: f64 = 0.1;

/// A quantile by linear interpolation between order statistics (R's default, type 7), of
/// sorted values.
fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// φ and τ² of points `yᵢ` with standard errors `sᵢ` around `target`, all on the scale where
/// they are about normal (see [`od_scale`]): zᵢ = (yᵢ − target)/sᵢ, trimmed at 10 % each end,
/// φ = Σ z² / I, and, when I φ > I − 1, τ² = (I φ − (I − 1)) / (Σ wᵢ − Σ wᵢ² / Σ wᵢ) with
/// wᵢ = 1/sᵢ² (DerSimonian & Laird's moment estimator), else 0. `None` with fewer than two
/// points.
///
/// Source: Spiegelhalter DJ. Handling over-dispersion of performance indicators. Qual Saf
/// Health Care 2005;14:347-351; Spiegelhalter DJ. Funnel plots for comparing institutional
/// performance. Stat Med 2005;24:1185-1202 (§ 5, additive random effects); as FunnelPlotR
/// (Mainey) computes them, whose published test value (φ = 2.948033 for six standardised
/// ratios on the log scale, SHMI truncation) is reproduced in the tests.
pub fn dispersion(y: &[f64], s: &[f64], target: f64, trim: Trim) -> Option<Overdispersion> {
    let points: Vec<(f64, f64)> = y.iter().zip(s).filter(|(y, s)| y.is_finite() && s.is_finite() && **s > 0.0).map(|(y, s)| (*y, *s)).collect();
    if points.len() < 2 {
        return None;
    }
    let z: Vec<f64> = points.iter().map(|(y, s)| (y - target) / s).collect();
    let (z, weights): (Vec<f64>, Vec<f64>) = match trim {
        Trim::Winsorise => {
            let mut sorted = z.clone();
            sorted.sort_by(f64::total_cmp);
            let (lo, hi) = (quantile_sorted(&sorted, TRIM), quantile_sorted(&sorted, 1.0 - TRIM));
            (z.iter().map(|v| v.clamp(lo, hi)).collect(), points.iter().map(|(_, s)| 1.0 / (s * s)).collect())
        }
        Trim::Truncate => {
            // Ranks (ties averaged) cut into 1/TRIM groups; the first and last are left out.
            let k = (1.0 / TRIM).round();
            let rank = |v: f64| {
                let below = z.iter().filter(|w| **w < v).count() as f64;
                let equal = z.iter().filter(|w| **w == v).count() as f64;
                below + (equal + 1.0) / 2.0
            };
            let n = z.len() as f64;
            let kept: Vec<usize> = (0..z.len())
                .filter(|&i| {
                    let group = (rank(z[i]) * k / (n + 1.0)).floor();
                    group > 0.0 && group < k - 1.0
                })
                .collect();
            (kept.iter().map(|&i| z[i]).collect(), kept.iter().map(|&i| 1.0 / (points[i].1 * points[i].1)).collect())
        }
    };
    let units = z.len();
    if units < 2 {
        return None;
    }
    let i = units as f64;
    let phi = z.iter().map(|v| v * v).sum::<f64>() / i;
    let (sw, sw2) = (weights.iter().sum::<f64>(), weights.iter().map(|w| w * w).sum::<f64>());
    let tau2 = if i * phi > i - 1.0 && sw > 0.0 { ((i * phi - (i - 1.0)) / (sw - sw2 / sw)).max(0.0) } else { 0.0 };
    Some(Overdispersion { phi, tau2, units })
}

/// The scale on which a funnel's points are near normal, as Spiegelhalter (2005) recommends:
/// the angular (arcsine square-root) transform for proportions, yᵢ = asin √(xᵢ/nᵢ) with
/// sᵢ = 1/(2 √nᵢ); the square root for counts against expectations (ratios, and rates as
/// observed over expected events at the average rate), yᵢ = √(Oᵢ/Eᵢ) with sᵢ = 1/(2 √Eᵢ),
/// around 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OdScale {
    Angular,
    SquareRoot,
}

impl OdScale {
    /// A point's (y, s) from its numerator and denominator (for counts, observed and expected).
    pub fn point(self, numerator: f64, denominator: f64) -> (f64, f64) {
        match self {
            OdScale::Angular => ((numerator / denominator).clamp(0.0, 1.0).sqrt().asin(), 1.0 / (2.0 * denominator.sqrt())),
            OdScale::SquareRoot => ((numerator / denominator).sqrt(), 1.0 / (2.0 * denominator.sqrt())),
        }
    }

    /// The target on this scale, from the target proportion (angular) or ratio (1).
    pub fn target(self, target: f64) -> f64 {
        match self {
            OdScale::Angular => target.clamp(0.0, 1.0).sqrt().asin(),
            OdScale::SquareRoot => target.sqrt(),
        }
    }

    /// Back from this scale (a limit beyond the scale's range is its bound).
    pub fn back(self, y: f64) -> f64 {
        match self {
            OdScale::Angular => y.clamp(0.0, std::f64::consts::FRAC_PI_2).sin().powi(2),
            OdScale::SquareRoot => y.max(0.0).powi(2),
        }
    }
}

/// What a funnel plots, for its overdispersion: a proportion x/n; a ratio O/E; a rate per
/// `multiplier`, read as observed against expected events at the funnel's average rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OdStatistic {
    Proportion,
    Ratio,
    Rate { multiplier: f64 },
}

/// A funnel widened for overdispersion (Spiegelhalter's additive random effects): φ and τ²
/// from the assessed points on the near-normal scale of [`OdScale`] (angular for
/// proportions, square root for ratios and rates), then limits back(T ± z √(s(d)² + τ²)) at
/// each denominator of the limits table, and a point significant when |yᵢ − T| / √(sᵢ² + τ²)
/// exceeds z (1.96, 3.09). When τ² is 0 (no overdispersion) the funnel is returned as it was,
/// with its exact limits, and φ. `observed`: each point's numerator (x, or O).
///
/// Source: Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat
/// Med 2005;24:1185-1202 (§ 5: overdispersion, additive random effects on the transformed
/// scale); Spiegelhalter DJ. Handling over-dispersion of performance indicators. Qual Saf
/// Health Care 2005;14:347-351.
pub fn overdispersed(funnel: FunnelResult, observed: &[f64], statistic: OdStatistic) -> (FunnelResult, Option<Overdispersion>) {
    // On the scale: the point's numerator and denominator, the target, what multiplies the
    // back-transformed value, and a limits-table denominator's denominator on the scale.
    let (scale, target, out): (OdScale, f64, f64) = match statistic {
        OdStatistic::Proportion => (OdScale::Angular, funnel.target, 1.0),
        OdStatistic::Ratio => (OdScale::SquareRoot, 1.0, 1.0),
        OdStatistic::Rate { .. } => (OdScale::SquareRoot, 1.0, funnel.target),
    };
    let on_scale = |d: f64| match statistic {
        OdStatistic::Rate { multiplier } => funnel.target * d / multiplier,
        _ => d,
    };
    let assessed: Vec<Option<(f64, f64)>> = (0..observed.len())
        .map(|i| {
            let d = on_scale(funnel.denominators.get(i).copied().unwrap_or(0.0));
            (funnel.significance[i] != Significance::NotAssessed && d > 0.0).then(|| scale.point(observed[i], d))
        })
        .collect();
    let (y, s): (Vec<f64>, Vec<f64>) = assessed.iter().flatten().copied().unzip();
    let t = scale.target(target);
    let Some(od) = dispersion(&y, &s, t, Trim::Winsorise) else { return (funnel, None) };
    if od.tau2 == 0.0 {
        return (funnel, Some(od));
    }
    let (z95, z998) = (z_for_level(LEVEL_95), z_for_level(LEVEL_99_8));
    let limits = |d: f64, z: f64| {
        let (_, sd) = scale.point(0.0, d);
        let half = z * (sd * sd + od.tau2).sqrt();
        (scale.back(t - half) * out, scale.back(t + half) * out)
    };
    let mut significance = funnel.significance.clone();
    for (i, point) in assessed.iter().enumerate() {
        if let Some((yi, si)) = point {
            let z = (yi - t) / (si * si + od.tau2).sqrt();
            significance[i] = classify(z, (-z95, z95), (-z998, z998));
        }
    }
    let limits_table = funnel
        .limits_table
        .iter()
        .map(|l| {
            let d = on_scale(l.denominator);
            let ((lower_95, upper_95), (lower_99_8, upper_99_8)) = (limits(d, z95), limits(d, z998));
            FunnelLimit { denominator: l.denominator, lower_95, upper_95, lower_99_8, upper_99_8 }
        })
        .collect();
    (FunnelResult { significance, limits_table, ..funnel }, Some(od))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Significance::*;

    /// FunnelPlotR's published test value: six standardised ratios (O = 100, 150, 180, 80,
    /// 120, 225; E = 108, 112, 165, 95, 100, 220) on the log scale (zᵢ = √Eᵢ ln(Oᵢ/Eᵢ)) with
    /// the SHMI truncation (none of six is truncated) give φ = 2.948033
    /// (nhs-r-community/FunnelPlotR, tests/testthat/test-classes_methods.R). τ² by hand:
    /// I φ − (I − 1) = 12.688199, Σ w = Σ E = 800, Σ w² = Σ E² = 118,858 → τ² = 12.688199 /
    /// (800 − 148.5725) = 0.019478.
    #[test]
    fn dispersion_reproduces_funnelplotr() {
        let (o, e): ([f64; 6], [f64; 6]) = ([100.0, 150.0, 180.0, 80.0, 120.0, 225.0], [108.0, 112.0, 165.0, 95.0, 100.0, 220.0]);
        let y: Vec<f64> = o.iter().zip(&e).map(|(o, e)| (o / e).ln()).collect();
        let s: Vec<f64> = e.iter().map(|e| 1.0 / e.sqrt()).collect();
        let od = dispersion(&y, &s, 0.0, Trim::Truncate).unwrap();
        assert_eq!(od.units, 6);
        assert!((od.phi - 2.948033).abs() < 5e-7, "{od:?}");
        assert!((od.tau2 - 0.019478).abs() < 5e-7, "{od:?}");
        // Winsorised (Spiegelhalter): the lowest z (−1.675) is raised to the 10th percentile
        // (type 7: between −1.675 and −0.800 at 0.5: −1.237) and the highest (3.092) lowered to
        // the 90th (2.457): φ = 2.149053 by hand.
        let od = dispersion(&y, &s, 0.0, Trim::Winsorise).unwrap();
        assert!((od.phi - 2.149053).abs() < 5e-7, "{od:?}");
        // No overdispersion: points exactly at the target.
        let od = dispersion(&[0.0, 0.0, 0.0], &[1.0, 1.0, 1.0], 0.0, Trim::Winsorise).unwrap();
        assert_eq!((od.phi, od.tau2), (0.0, 0.0));
        assert!(dispersion(&[1.0], &[1.0], 0.0, Trim::Winsorise).is_none());
    }

    /// Proportions spread far beyond chance: the widened funnel keeps fewer points outside,
    /// its limits are wider at every denominator, and points within chance stay so.
    #[test]
    fn overdispersed_proportions_widen_the_limits() {
        let n = [1000.0; 10];
        let x = [50.0, 80.0, 100.0, 120.0, 150.0, 90.0, 110.0, 60.0, 140.0, 100.0];
        let plain = proportion_funnel(&x, &n).unwrap();
        let (wide, od) = overdispersed(plain.clone(), &x, OdStatistic::Proportion);
        let od = od.unwrap();
        assert!(od.phi > 5.0 && od.tau2 > 0.0, "{od:?}");
        let outside =
            |f: &FunnelResult| f.significance.iter().filter(|s| !matches!(s, Significance::NotSignificant | Significance::NotAssessed)).count();
        assert!(outside(&wide) < outside(&plain), "{} vs {}", outside(&wide), outside(&plain));
        for (a, b) in plain.limits_table.iter().zip(&wide.limits_table) {
            assert!(b.upper_99_8 > a.upper_99_8 && b.lower_99_8 < a.lower_99_8);
        }
        // By hand for the point at 0.05: y = asin √0.05 = 0.225513, T = asin √0.1 = 0.321751,
        // s² = 1/4000; its adjusted z = (y − T)/√(s² + τ²).
        let z = (0.05f64.sqrt().asin() - 0.1f64.sqrt().asin()) / (1.0 / 4000.0 + od.tau2).sqrt();
        let expected = if z < -3.090232 {
            Significance::Low0001
        } else if z < -1.959964 {
            Significance::Low0025
        } else {
            Significance::NotSignificant
        };
        assert_eq!(wide.significance[0], expected);
        // Points varying as chance alone would: no τ², the exact funnel is kept.
        let x = [100.0, 101.0, 99.0, 100.0, 102.0, 98.0, 100.0, 100.0, 101.0, 99.0];
        let plain = proportion_funnel(&x, &n).unwrap();
        let (same, od) = overdispersed(plain.clone(), &x, OdStatistic::Proportion);
        assert_eq!(od.unwrap().tau2, 0.0);
        assert_eq!(same, plain);
    }

    /// Rates are read as observed against expected events at the average rate, on the
    /// square-root scale: the widened limits stay in rate units around the average, wider
    /// than the exact ones; ratios likewise around 1.
    #[test]
    fn overdispersed_rates_and_ratios_stay_in_their_units() {
        let o = [30.0, 80.0, 55.0, 120.0, 20.0, 60.0, 95.0, 40.0];
        let pop = [50_000.0; 8];
        let rates: Vec<f64> = o.iter().zip(&pop).map(|(o, n)| o / n * 1e5).collect();
        let plain = rate_funnel_with_populations(&o, &rates, Some(&pop), 1e5, false).unwrap();
        let (wide, od) = overdispersed(plain.clone(), &o, OdStatistic::Rate { multiplier: 1e5 });
        assert!(od.unwrap().tau2 > 0.0);
        for (a, b) in plain.limits_table.iter().zip(&wide.limits_table) {
            assert!(
                b.lower_99_8 < a.lower_99_8 && b.upper_99_8 > a.upper_99_8 && b.lower_99_8 < plain.target && b.upper_99_8 > plain.target,
                "{a:?} {b:?}"
            );
        }
        let e = [50.0; 8];
        let plain = ratio_funnel(&o, &e).unwrap();
        let (wide, od) = overdispersed(plain.clone(), &o, OdStatistic::Ratio);
        assert!(od.unwrap().tau2 > 0.0);
        assert!(wide.limits_table.iter().all(|l| l.lower_99_8 < 1.0 && l.upper_99_8 > 1.0));
    }

    #[test]
    fn labels() {
        let labels: Vec<String> = [High0001, High0025, Low0001, Low0025, NotSignificant, NotAssessed].iter().map(|s| s.to_string()).collect();
        assert_eq!(labels, ["High (0.001)", "High (0.025)", "Low (0.001)", "Low (0.025)", "Not significant", ""]);
    }

    #[test]
    fn proportion_funnel_hand_values() {
        // Σx = 20+34+30+6+10+200+0 = 300, Σn = 5×100 + 1000 + 0 = 1500 → target 0.2.
        // At n = 100: sd = √(0.2·0.8/100) = 0.04;
        //   95 %: 0.2 ± 1.959964·0.04 = [0.121601, 0.278399];
        //   99.8 %: 0.2 ± 3.090232·0.04 = [0.076391, 0.323609].
        // 0.20 → NS; 0.34 > 0.3236 → High (0.001); 0.30 ∈ (0.2784, 0.3236] → High (0.025);
        // 0.06 < 0.0764 → Low (0.001); 0.10 ∈ [0.0764, 0.1216) → Low (0.025);
        // 200/1000 = 0.2 → NS; 0/0 → not assessed.
        let x = [20.0, 34.0, 30.0, 6.0, 10.0, 200.0, 0.0];
        let n = [100.0, 100.0, 100.0, 100.0, 100.0, 1000.0, 0.0];
        let r = proportion_funnel(&x, &n).unwrap();
        assert!((r.target - 0.2).abs() < 1e-15);
        assert_eq!(r.significance, vec![NotSignificant, High0001, High0025, Low0001, Low0025, NotSignificant, NotAssessed]);
        assert_eq!(r.notes[6].as_deref(), Some("denominator is 0: not assessed"));
        assert!(r.notes[..6].iter().all(|n| n.is_none()));
        assert_eq!(r.limits_table.len(), 100);
        let first = r.limits_table[0];
        assert_eq!(first.denominator, 100.0);
        assert!((first.lower_95 - 0.121_601_44).abs() < 1e-7 && (first.upper_95 - 0.278_398_56).abs() < 1e-7);
        assert!((first.lower_99_8 - 0.076_390_71).abs() < 1e-7 && (first.upper_99_8 - 0.323_609_29).abs() < 1e-7);
        let last = r.limits_table[99];
        assert!((last.denominator - 1100.0).abs() < 1e-9);
        // Log spacing: constant ratio between successive denominators.
        let q = r.limits_table[1].denominator / r.limits_table[0].denominator;
        assert!((q - 11f64.powf(1.0 / 99.0)).abs() < 1e-12);
        // Limits narrow as the denominator grows.
        assert!(r.limits_table.windows(2).all(|w| w[1].upper_95 <= w[0].upper_95 && w[1].lower_95 >= w[0].lower_95));
    }

    #[test]
    fn proportion_limits_are_clamped() {
        // Target 2/1010 ≈ 0.00198; at n = 10 the normal limits go below 0: clamped.
        let r = proportion_funnel(&[0.0, 2.0], &[10.0, 1000.0]).unwrap();
        assert_eq!(r.limits_table[0].lower_95, 0.0);
        assert_eq!(r.limits_table[0].lower_99_8, 0.0);
        let r = proportion_funnel(&[10.0, 999.0], &[10.0, 1000.0]).unwrap();
        assert_eq!(r.limits_table[0].upper_99_8, 1.0);
    }

    #[test]
    fn proportion_funnel_errors() {
        assert!(matches!(proportion_funnel(&[1.0], &[1.0, 2.0]), Err(StatsError::LengthMismatch { .. })));
        assert!(matches!(proportion_funnel(&[3.0], &[2.0]), Err(StatsError::NumeratorAboveDenominator { .. })));
        assert!(matches!(proportion_funnel(&[-1.0], &[2.0]), Err(StatsError::Negative { .. })));
        assert!(matches!(proportion_funnel(&[f64::NAN], &[2.0]), Err(StatsError::NotFinite { .. })));
        assert!(matches!(proportion_funnel(&[0.0], &[0.0]), Err(StatsError::NoData(_))));
        assert!(matches!(proportion_funnel(&[], &[]), Err(StatsError::NoData(_))));
    }

    #[test]
    fn ratio_funnel_classification() {
        // E = 100 throughout; exact (Garwood) limits of O (≈ Byar's, mpmath):
        //   O = 140: 99.8 % lower ≈ 106.2 > 100 → High (0.001);
        //   O = 125: 95 % lower ≈ 104.0 > 100, 99.8 % lower ≈ 93.3 → High (0.025);
        //   O = 100 → not significant;
        //   O = 80: 95 % upper ≈ 99.6 < 100, 99.8 % upper ≈ 111.7 → Low (0.025);
        //   O = 60: 99.8 % upper ≈ 88.0 < 100 → Low (0.001).
        //   E = 0 → not assessed.
        let o = [140.0, 125.0, 100.0, 80.0, 60.0, 3.0];
        let e = [100.0, 100.0, 100.0, 100.0, 100.0, 0.0];
        let r = ratio_funnel(&o, &e).unwrap();
        assert_eq!(r.target, 1.0);
        assert_eq!(r.significance, vec![High0001, High0025, NotSignificant, Low0025, Low0001, NotAssessed]);
        assert!(r.notes[5].is_some());
        // Limits table spans E from 100 to 110.
        assert_eq!(r.limits_table.len(), 100);
        assert!((r.limits_table[99].denominator - 110.0).abs() < 1e-9);
        // Each point is outside the drawn limits at its E exactly when it is significant.
        let row = r.limits_table[0];
        assert_eq!(row.denominator, 100.0);
        for (i, s) in r.significance[..5].iter().enumerate() {
            let ratio = o[i] / 100.0;
            let outside_95 = ratio > row.upper_95 || ratio < row.lower_95;
            let outside_998 = ratio > row.upper_99_8 || ratio < row.lower_99_8;
            assert_eq!(outside_95, *s != NotSignificant, "point {i}");
            assert_eq!(outside_998, matches!(s, High0001 | Low0001), "point {i}");
        }
    }

    #[test]
    fn ratio_funnel_small_expected() {
        // E = 2: O = 0 is not significantly low at 95 % (upper limit of 0 is 3.69 > 2);
        // E = 5: O = 0 is low at 95 % (3.69 < 5) but not at 99.8 % (6.91 > 5).
        // E = 0.5, O = 5: exact 99.8 % lower of 5 = 0.739 > 0.5 → High (0.001).
        let r = ratio_funnel(&[0.0, 0.0, 5.0], &[2.0, 5.0, 0.5]).unwrap();
        assert_eq!(r.significance, vec![NotSignificant, Low0025, High0001]);
        // Lower ratio limit is 0 while e^(−E) ≥ 0.025, i.e. E ≤ 3.689.
        assert_eq!(r.limits_table[0].lower_95, 0.0);
        assert!(r.limits_table[99].lower_95 > 0.0);
        assert!(matches!(ratio_funnel(&[1.0], &[0.0]), Err(StatsError::NoData(_))));
    }

    #[test]
    fn rate_funnel_classification() {
        // multiplier 100 000; implied denominators d = 1e5·O/r:
        //   (100, 100) → 1e5; (200, 100) → 2e5; (150, 150) → 1e5; (50, 50) → 1e5.
        // Target = ΣO/Σd × 1e5 = 500/5e5 × 1e5 = 100.
        //   O = 150, d = 1e5: Byar 99.8 % lower = 114.967 > 100 → High (0.001).
        //   O = 50, d = 1e5: Byar 99.8 % upper = 75.969 < 100 → Low (0.001).
        //   O = 100, 200: rate 100 → not significant.
        // Extra points not assessed and outside the target: O = 0; rate = 0.
        let o = [100.0, 200.0, 150.0, 50.0, 0.0, 7.0];
        let r = [100.0, 100.0, 150.0, 50.0, 0.0, 0.0];
        let f = rate_funnel(&o, &r, 100_000.0, false).unwrap();
        assert!((f.target - 100.0).abs() < 1e-12);
        assert_eq!(f.significance, vec![NotSignificant, NotSignificant, High0001, Low0001, NotAssessed, NotAssessed]);
        assert!(f.notes[4].as_ref().unwrap().contains("no events"));
        assert!(f.notes[5].as_ref().unwrap().contains("rate 0 with 7 events"));
        // Limits table from d = 1e5 to 2.2e5, around the target 100.
        assert_eq!(f.limits_table[0].denominator, 100_000.0);
        assert!((f.limits_table[99].denominator - 220_000.0).abs() < 1e-6);
        let row = f.limits_table[0];
        // mu = 100 at d = 1e5: 95 % control counts ≈ 100 ± 1.96·10 → ≈ 80.6 and 120.
        assert!(row.lower_95 < 100.0 && row.upper_95 > 100.0);
        assert!((row.upper_95 - 120.0).abs() < 1.5 && (row.lower_95 - 80.0).abs() < 1.5, "{row:?}");
    }

    #[test]
    fn rate_funnel_high_0025_and_low_0025() {
        // Target: (100 + 125 + 80 + 695) / (1e5 + 1e5 + 1e5 + 7e5) × 1e5 = 1000/1e6 × 1e5 = 100.
        //   O = 125 at d = 1e5: Byar 95 % lower = 104.047 > 100, 99.8 % lower = 93.261 → High (0.025).
        //   O = 80 at d = 1e5: Byar 95 % upper = 99.568 < 100, 99.8 % upper = 111.703 → Low (0.025).
        let o = [100.0, 125.0, 80.0, 695.0];
        let r = [100.0, 125.0, 80.0, 695.0 / 7.0];
        let f = rate_funnel(&o, &r, 100_000.0, false).unwrap();
        assert!((f.target - 100.0).abs() < 1e-9);
        assert_eq!(f.significance[..3], [NotSignificant, High0025, Low0025]);
    }

    #[test]
    fn a_crude_rate_without_events_is_assessed_at_its_population() {
        // Issue 12. Per 10,000: (O, population) = (160, 200 000), (80, 100 000), (0, 20 000),
        // (40, 50 000), (0, 6 000), (0, 3 000). Target = 280 / 379 000 × 1e4 = 7.387863,
        // the areas without events included. Exact upper limits of O = 0: −ln(0.025) =
        // 3.688879 and −ln(0.001) = 6.907755 events, i.e. per 10,000:
        //   n = 20 000: 1.844, 3.454 < 7.388 → Low (0.001);
        //   n =  6 000: 6.148 < 7.388 < 11.513 → Low (0.025);
        //   n =  3 000: 12.296 > 7.388 → not significant.
        // The others (rate 8, Byar 95 % limits 6.8–9.3, 6.3–10.0, 5.7–10.9) are not significant.
        let o = [160.0, 80.0, 0.0, 40.0, 0.0, 0.0];
        let n = [200_000.0, 100_000.0, 20_000.0, 50_000.0, 6_000.0, 3_000.0];
        let r: Vec<f64> = o.iter().zip(&n).map(|(o, n)| o / n * 1e4).collect();
        let f = rate_funnel_with_populations(&o, &r, Some(&n), 1e4, false).unwrap();
        assert!((f.target - 280.0 / 379_000.0 * 1e4).abs() < 1e-12, "{}", f.target);
        assert_eq!(f.significance, vec![NotSignificant, NotSignificant, Low0001, NotSignificant, Low0025, NotSignificant]);
        assert!(f.notes.iter().all(|n| n.is_none()));
        // The limits start at the smallest population; there the point 0 is inside them.
        assert_eq!(f.limits_table[0].denominator, 3_000.0);
        assert_eq!(f.limits_table[0].lower_95, 0.0);
        // Without the populations the areas without events have no implied denominator:
        // not assessed, and left out of the target (280 / 350 000 × 1e4 = 8).
        let f = rate_funnel(&o, &r, 1e4, false).unwrap();
        assert!((f.target - 8.0).abs() < 1e-12);
        assert_eq!(f.significance[2], NotAssessed);
        assert!(f.notes[2].as_ref().unwrap().contains("no population"));
        // A DSR keeps its implied denominator whatever the population: no events, not assessed.
        let f = rate_funnel_with_populations(&o, &r, Some(&n), 1e4, true).unwrap();
        assert_eq!(f.significance[2], NotAssessed);
        assert!((f.target - 8.0).abs() < 1e-12);
        // Errors: populations of another length, negative; no events at all.
        assert!(matches!(rate_funnel_with_populations(&o, &r, Some(&n[..2]), 1e4, false), Err(StatsError::LengthMismatch { .. })));
        let mut bad = n;
        bad[1] = -1.0;
        assert!(matches!(rate_funnel_with_populations(&o, &r, Some(&bad), 1e4, false), Err(StatsError::Negative { .. })));
        assert!(matches!(rate_funnel_with_populations(&[0.0, 0.0], &[0.0, 0.0], Some(&[10.0, 20.0]), 1e4, false), Err(StatsError::NoData(_))));
    }

    #[test]
    fn dsr_points_below_ten_events_are_not_assessed() {
        let o = [100.0, 9.0, 100.0];
        let r = [100.0, 300.0, 120.0];
        let f = rate_funnel(&o, &r, 100_000.0, true).unwrap();
        assert_eq!(f.significance[1], NotAssessed);
        assert!(f.notes[1].as_ref().unwrap().contains("fewer than 10 events"));
        // The point still counts in the average: (100 + 9 + 100) / (1e5 + 3e3 + 83 333.3) × 1e5.
        let expected = 209.0 / (100_000.0 + 3_000.0 + 100_000.0 * 100.0 / 120.0) * 100_000.0;
        assert!((f.target - expected).abs() < 1e-9);
        // Without is_dsr it is assessed.
        let f = rate_funnel(&o, &r, 100_000.0, false).unwrap();
        assert_ne!(f.significance[1], NotAssessed);
    }

    #[test]
    fn rate_funnel_errors() {
        assert!(rate_funnel(&[1.0], &[1.0], 0.0, false).is_err());
        assert!(rate_funnel(&[1.0, 2.0], &[1.0], 1.0, false).is_err());
        assert!(rate_funnel(&[0.0, 0.0], &[1.0, 0.0], 1.0, false).is_err());
        assert!(rate_funnel(&[1.0], &[-1.0], 1.0, false).is_err());
        assert!(rate_funnel(&[f64::INFINITY], &[1.0], 1.0, false).is_err());
    }
}
