//! Comparison of a territory's estimate with a comparator (region, France…), as
//! in the "compared with benchmark" colouring of public health profiles.

use std::fmt;

use super::Estimate;

/// Whether a high value of the indicator is good, bad, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polarity {
    HighIsGood,
    LowIsGood,
    Neutral,
}

/// The result of comparing an estimate with a comparator value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// Significantly higher (indicator without polarity).
    Higher,
    /// Significantly lower (indicator without polarity).
    Lower,
    /// The comparator lies within the confidence interval.
    Similar,
    /// Significantly better (given the polarity).
    Better,
    /// Significantly worse (given the polarity).
    Worse,
    /// No limits to compare with, or no comparator value.
    NotCompared,
}

impl fmt::Display for Comparison {
    /// Labels of the Fingertips benchmark legend ("Higher", "Similar", "Worse"…).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Comparison::Higher => "Higher",
            Comparison::Lower => "Lower",
            Comparison::Similar => "Similar",
            Comparison::Better => "Better",
            Comparison::Worse => "Worse",
            Comparison::NotCompared => "Not compared",
        })
    }
}

/// Compare a territory's estimate with a comparator value using the confidence
/// interval at `territory.limits[level_index]`: "Similar" when the comparator lies
/// within [lower, upper] (bounds included); otherwise "Higher" when the lower limit
/// is above the comparator and "Lower" when the upper limit is below it, turned
/// into "Better"/"Worse" by the polarity. "Not compared" when that level's limits
/// are missing or not finite, `level_index` is out of range, or the comparator is
/// not finite.
///
/// Source: PHE / OHID Fingertips technical guidance, "Comparing indicator values
/// with a benchmark" (the benchmark is compared with the area's confidence
/// interval; the interval overlapping the benchmark value means "similar"), as used
/// by the public health profiles' RAG colouring.
pub fn compare(territory: &Estimate, level_index: usize, comparator_value: f64, polarity: Polarity) -> Comparison {
    // A withheld value (e.g. a life expectancy with too wide an interval) is not compared,
    // even where its limits are kept.
    if !comparator_value.is_finite() || territory.value.is_none() {
        return Comparison::NotCompared;
    }
    let Some(Some(limits)) = territory.limits.get(level_index) else {
        return Comparison::NotCompared;
    };
    if !limits.lower.is_finite() || !limits.upper.is_finite() || limits.lower > limits.upper {
        return Comparison::NotCompared;
    }
    let higher = if limits.lower > comparator_value {
        true
    } else if limits.upper < comparator_value {
        false
    } else {
        return Comparison::Similar;
    };
    match (polarity, higher) {
        (Polarity::Neutral, true) => Comparison::Higher,
        (Polarity::Neutral, false) => Comparison::Lower,
        (Polarity::HighIsGood, true) | (Polarity::LowIsGood, false) => Comparison::Better,
        (Polarity::HighIsGood, false) | (Polarity::LowIsGood, true) => Comparison::Worse,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{Limits, Method};

    fn estimate(lower: f64, upper: f64) -> Estimate {
        Estimate { value: Some((lower + upper) / 2.0), limits: vec![Some(Limits { lower, upper }), None], method: Method::Byar, note: None }
    }

    #[test]
    fn neutral_comparisons() {
        let e = estimate(10.0, 20.0);
        assert_eq!(compare(&e, 0, 9.99, Polarity::Neutral), Comparison::Higher);
        assert_eq!(compare(&e, 0, 20.01, Polarity::Neutral), Comparison::Lower);
        assert_eq!(compare(&e, 0, 15.0, Polarity::Neutral), Comparison::Similar);
        // Bounds are inclusive.
        assert_eq!(compare(&e, 0, 10.0, Polarity::Neutral), Comparison::Similar);
        assert_eq!(compare(&e, 0, 20.0, Polarity::Neutral), Comparison::Similar);
    }

    #[test]
    fn polarity_maps_to_better_or_worse() {
        let e = estimate(10.0, 20.0);
        assert_eq!(compare(&e, 0, 5.0, Polarity::HighIsGood), Comparison::Better);
        assert_eq!(compare(&e, 0, 25.0, Polarity::HighIsGood), Comparison::Worse);
        assert_eq!(compare(&e, 0, 5.0, Polarity::LowIsGood), Comparison::Worse);
        assert_eq!(compare(&e, 0, 25.0, Polarity::LowIsGood), Comparison::Better);
        assert_eq!(compare(&e, 0, 15.0, Polarity::LowIsGood), Comparison::Similar);
    }

    #[test]
    fn not_compared() {
        let e = estimate(10.0, 20.0);
        assert_eq!(compare(&e, 1, 5.0, Polarity::Neutral), Comparison::NotCompared);
        assert_eq!(compare(&e, 2, 5.0, Polarity::Neutral), Comparison::NotCompared);
        assert_eq!(compare(&e, 0, f64::NAN, Polarity::Neutral), Comparison::NotCompared);
        assert_eq!(compare(&e, 0, f64::INFINITY, Polarity::HighIsGood), Comparison::NotCompared);
        assert_eq!(compare(&estimate(f64::NAN, 3.0), 0, 1.0, Polarity::Neutral), Comparison::NotCompared);
        let missing = Estimate::missing(Method::Dobson, 2, "fewer than 10 events");
        assert_eq!(compare(&missing, 0, 1.0, Polarity::LowIsGood), Comparison::NotCompared);
    }

    #[test]
    fn labels() {
        let all = [Comparison::Higher, Comparison::Lower, Comparison::Similar, Comparison::Better, Comparison::Worse, Comparison::NotCompared];
        let labels: Vec<String> = all.iter().map(|c| c.to_string()).collect();
        assert_eq!(labels, ["Higher", "Lower", "Similar", "Better", "Worse", "Not compared"]);
    }
}
