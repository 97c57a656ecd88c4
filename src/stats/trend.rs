//! The recent trend of a time series, tested as Fingertips does (Public Health England, now
//! OHID, *Fingertips: recent trends, technical guidance*, 2018): the five most recent points;
//!
//! * for values with 95 % confidence limits (rates, ratios…), a weighted least-squares
//!   regression of the value on the year, each point weighted by 1/SEᵢ² with
//!   SEᵢ = (upper₉₅ᵢ − lower₉₅ᵢ) / 3.92; the statistic is (slope / SE(slope))², with
//!   SE(slope)² = 1 / Σ wᵢ (tᵢ − t̄_w)² (the variances are known);
//! * for proportions xᵢ/nᵢ, the chi-square test for trend (Armitage 1955; Cochran 1954):
//!   X² = [Σ tᵢ (xᵢ − nᵢ p̄)]² / (p̄ (1 − p̄) Σ nᵢ (tᵢ − t̄)²), t̄ weighted by nᵢ; its slope
//!   Σ (xᵢ − nᵢ p̄)(tᵢ − t̄) / Σ nᵢ (tᵢ − t̄)² is the change of the proportion per year;
//!
//! significant above **9.5495**, the 99.8 % point of the χ² distribution with one degree of
//! freedom (Fingertips' threshold); and only when the slope keeps its sign with each point
//! left out in turn (else « no significant change »: one point makes the trend). Fewer than
//! five points: not computable.

/// How many of the most recent points the test reads.
pub const POINTS: usize = 5;

/// The 99.8 % point of χ²₁: the statistic must exceed it.
pub const THRESHOLD: f64 = 9.5495;

/// A point with its 95 % limits (a rate, a ratio, a mean…).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValuePoint {
    pub year: f64,
    pub value: f64,
    pub lower: f64,
    pub upper: f64,
}

/// A proportion's counts in one year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CountPoint {
    pub year: f64,
    pub numerator: f64,
    pub denominator: f64,
}

/// The direction of a trend, before the indicator's polarity gives it a meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Increasing,
    Decreasing,
    NoSignificantChange,
    NotComputable,
}

impl Direction {
    /// The code written in tables.
    pub fn code(self) -> &'static str {
        match self {
            Direction::Increasing => "increasing",
            Direction::Decreasing => "decreasing",
            Direction::NoSignificantChange => "no significant change",
            Direction::NotComputable => "cannot be calculated",
        }
    }

    /// The French label, given whether a higher value is better (`Some(true)`), worse
    /// (`Some(false)`) or neither (`None`).
    pub fn french(self, higher_is_better: Option<bool>) -> &'static str {
        match (self, higher_is_better) {
            (Direction::Increasing, Some(true)) | (Direction::Decreasing, Some(false)) => "en amélioration",
            (Direction::Increasing, Some(false)) | (Direction::Decreasing, Some(true)) => "en dégradation",
            (Direction::Increasing, None) => "en hausse",
            (Direction::Decreasing, None) => "en baisse",
            (Direction::NoSignificantChange, _) => "pas d'évolution significative",
            (Direction::NotComputable, _) => "non calculable",
        }
    }
}

/// The result of the test.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    /// Points read (at most [`POINTS`]).
    pub points: usize,
    /// Change per year (of the value; of the proportion, not in percent).
    pub slope: Option<f64>,
    /// The χ²₁ statistic.
    pub statistic: Option<f64>,
    pub direction: Direction,
    pub note: Option<String>,
}

/// A slope and its statistic from some points, `None` when the points cannot give one
/// (fewer than two years, no spread of years, a zero or non-finite weight).
type Fit = Option<(f64, f64)>;

/// Weighted least squares of value on year, weights 1/SE²: (slope, (slope/SE)²).
fn weighted_fit(points: &[ValuePoint]) -> Fit {
    let mut w = Vec::with_capacity(points.len());
    for p in points {
        let se = (p.upper - p.lower) / 3.92;
        if !(se.is_finite() && se > 0.0 && p.value.is_finite()) {
            return None;
        }
        w.push(1.0 / (se * se));
    }
    let sw: f64 = w.iter().sum();
    let tm = points.iter().zip(&w).map(|(p, w)| w * p.year).sum::<f64>() / sw;
    let ym = points.iter().zip(&w).map(|(p, w)| w * p.value).sum::<f64>() / sw;
    let sxx: f64 = points.iter().zip(&w).map(|(p, w)| w * (p.year - tm).powi(2)).sum();
    let sxy: f64 = points.iter().zip(&w).map(|(p, w)| w * (p.year - tm) * (p.value - ym)).sum();
    (sxx > 0.0).then(|| {
        let slope = sxy / sxx;
        (slope, slope * slope * sxx)
    })
}

/// The chi-square test for trend of proportions: (slope of the proportion, X²).
fn armitage_fit(points: &[CountPoint]) -> Fit {
    if points.iter().any(|p| !(p.denominator > 0.0 && p.numerator >= 0.0 && p.numerator <= p.denominator)) {
        return None;
    }
    let n: f64 = points.iter().map(|p| p.denominator).sum();
    let x: f64 = points.iter().map(|p| p.numerator).sum();
    let p_bar = x / n;
    let tm = points.iter().map(|p| p.denominator * p.year).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| p.denominator * (p.year - tm).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.numerator - p.denominator * p_bar) * (p.year - tm)).sum();
    let variance = p_bar * (1.0 - p_bar);
    (sxx > 0.0).then(|| {
        let slope = sxy / sxx;
        // All or none of the people counted: no variation, no evidence of a trend.
        let statistic = if variance > 0.0 { sxy * sxy / (variance * sxx) } else { 0.0 };
        (slope, statistic)
    })
}

/// The five most recent points (by year), in order of year.
fn recent<T: Copy>(points: &[T], year: impl Fn(&T) -> f64) -> Vec<T> {
    let mut sorted = points.to_vec();
    sorted.sort_by(|a, b| year(a).total_cmp(&year(b)));
    sorted.split_off(sorted.len().saturating_sub(POINTS))
}

fn test<T: Copy>(points: &[T], year: impl Fn(&T) -> f64, fit: impl Fn(&[T]) -> Fit) -> Trend {
    let recent = recent(points, &year);
    let n = recent.len();
    if n < POINTS {
        return Trend {
            points: n,
            slope: None,
            statistic: None,
            direction: Direction::NotComputable,
            note: Some(format!("{n} points : il en faut au moins {POINTS}")),
        };
    }
    let Some((slope, statistic)) = fit(&recent) else {
        return Trend {
            points: n,
            slope: None,
            statistic: None,
            direction: Direction::NotComputable,
            note: Some("valeurs ou intervalles inutilisables (intervalle nul, dénominateur nul)".to_owned()),
        };
    };
    if statistic <= THRESHOLD || slope == 0.0 {
        return Trend { points: n, slope: Some(slope), statistic: Some(statistic), direction: Direction::NoSignificantChange, note: None };
    }
    // The slope must keep its sign with each point left out in turn.
    for i in 0..n {
        let rest: Vec<T> = recent.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, p)| *p).collect();
        let kept = fit(&rest).is_some_and(|(s, _)| s.signum() == slope.signum() && s != 0.0);
        if !kept {
            return Trend {
                points: n,
                slope: Some(slope),
                statistic: Some(statistic),
                direction: Direction::NoSignificantChange,
                note: Some(format!("la pente change de signe sans le point de {}", year(&recent[i]))),
            };
        }
    }
    let direction = if slope > 0.0 { Direction::Increasing } else { Direction::Decreasing };
    Trend { points: n, slope: Some(slope), statistic: Some(statistic), direction, note: None }
}

/// The recent trend of values with 95 % limits (weighted regression).
pub fn of_values(points: &[ValuePoint]) -> Trend {
    test(points, |p| p.year, weighted_fit)
}

/// The recent trend of a proportion (chi-square test for trend).
pub fn of_proportions(points: &[CountPoint]) -> Trend {
    test(points, |p| p.year, armitage_fit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(v: &[f64], half_width: f64) -> Vec<ValuePoint> {
        v.iter().enumerate().map(|(i, &v)| ValuePoint { year: 2015.0 + i as f64, value: v, lower: v - half_width, upper: v + half_width }).collect()
    }

    fn counts(x: &[f64], n: f64) -> Vec<CountPoint> {
        x.iter().enumerate().map(|(i, &x)| CountPoint { year: 2015.0 + i as f64, numerator: x, denominator: n }).collect()
    }

    /// By hand: values 10…14 a year apart, SE = 1 (limits ± 1.96): t̄ = 2017, Σ w (t − t̄)² = 10,
    /// Σ w (t − t̄)(y − ȳ) = 4 + 1 + 0 + 1 + 4 = 10, slope 1, statistic 1² × 10 = 10 > 9.5495.
    /// With SE = 1.1 the weights are 1/1.21: statistic 10/1.21 = 8.264, not significant.
    #[test]
    fn weighted_regression_matches_the_hand_computation() {
        let t = of_values(&values(&[10.0, 11.0, 12.0, 13.0, 14.0], 1.96));
        assert_eq!(t.direction, Direction::Increasing);
        assert!((t.slope.unwrap() - 1.0).abs() < 1e-12 && (t.statistic.unwrap() - 10.0).abs() < 1e-9, "{t:?}");
        let t = of_values(&values(&[10.0, 11.0, 12.0, 13.0, 14.0], 1.96 * 1.1));
        assert_eq!(t.direction, Direction::NoSignificantChange);
        assert!((t.statistic.unwrap() - 10.0 / 1.21).abs() < 1e-9, "{t:?}");
        let t = of_values(&values(&[14.0, 13.0, 12.0, 11.0, 10.0], 1.96));
        assert_eq!((t.direction, t.slope), (Direction::Decreasing, Some(-1.0)));
    }

    /// By hand: 100, 110 … 140 out of 1,000 a year: p̄ = 0.12, Σ n (t − t̄)² = 10,000,
    /// Σ (x − n p̄)(t − t̄) = 40 + 10 + 0 + 10 + 40 = 100, slope 0.01 a year,
    /// X² = 100² / (0.12 × 0.88 × 10,000) = 9.4697: just under 9.5495. Out of 2,000 with the
    /// counts doubled: X² = 18.939, significant.
    #[test]
    fn chi_square_for_trend_matches_the_hand_computation() {
        let t = of_proportions(&counts(&[100.0, 110.0, 120.0, 130.0, 140.0], 1000.0));
        assert!((t.slope.unwrap() - 0.01).abs() < 1e-12, "{t:?}");
        assert!((t.statistic.unwrap() - 10_000.0 / 1056.0).abs() < 1e-9, "{t:?}");
        assert_eq!(t.direction, Direction::NoSignificantChange);
        let t = of_proportions(&counts(&[200.0, 220.0, 240.0, 260.0, 280.0], 2000.0));
        assert!((t.statistic.unwrap() - 20_000.0 / 1056.0).abs() < 1e-9, "{t:?}");
        assert_eq!(t.direction, Direction::Increasing);
    }

    /// 5, 4.9, 4.8, 4.7 then 9 (limits ± 0.196: SE 0.1, weight 100): the five points give a
    /// steep significant rise (slope 7.8/10 = 0.78, statistic 0.78² × 1,000 = 608.4), but without the last point
    /// the slope is negative: one point makes the trend, so no significant change.
    #[test]
    fn a_trend_made_by_one_point_is_no_trend() {
        let t = of_values(&values(&[5.0, 4.9, 4.8, 4.7, 9.0], 0.196));
        assert!((t.slope.unwrap() - 0.78).abs() < 1e-12, "{t:?}");
        assert!(t.statistic.unwrap() > THRESHOLD);
        assert_eq!(t.direction, Direction::NoSignificantChange);
        assert!(t.note.as_deref().unwrap().contains("2019"), "{t:?}");
    }

    #[test]
    fn fewer_than_five_points_and_unusable_points_cannot_be_calculated() {
        let t = of_values(&values(&[10.0, 11.0, 12.0, 13.0], 1.96));
        assert_eq!((t.points, t.direction, t.statistic), (4, Direction::NotComputable, None));
        assert!(t.note.unwrap().contains("4 points"));
        // A zero-width interval has no weight.
        let t = of_values(&values(&[10.0, 11.0, 12.0, 13.0, 14.0], 0.0));
        assert_eq!(t.direction, Direction::NotComputable);
        let t = of_proportions(&counts(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.0));
        assert_eq!(t.direction, Direction::NotComputable);
        // A constant proportion of 0: no variation, no trend.
        let t = of_proportions(&counts(&[0.0; 5], 100.0));
        assert_eq!((t.direction, t.statistic), (Direction::NoSignificantChange, Some(0.0)));
    }

    #[test]
    fn only_the_five_most_recent_points_count_whatever_their_order() {
        // An old outlier (2010) is left out; the points come unsorted.
        let mut p = values(&[10.0, 11.0, 12.0, 13.0, 14.0], 1.96);
        p.reverse();
        p.push(ValuePoint { year: 2010.0, value: 100.0, lower: 99.0, upper: 101.0 });
        let t = of_values(&p);
        assert_eq!((t.points, t.slope), (5, Some(1.0)));
    }

    #[test]
    fn polarity_gives_the_words() {
        assert_eq!(Direction::Increasing.french(Some(false)), "en dégradation");
        assert_eq!(Direction::Decreasing.french(Some(false)), "en amélioration");
        assert_eq!(Direction::Increasing.french(Some(true)), "en amélioration");
        assert_eq!(Direction::Decreasing.french(None), "en baisse");
        assert_eq!(Direction::NotComputable.french(Some(true)), "non calculable");
    }
}
