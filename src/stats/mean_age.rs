//! The mean age of a population given by age bands.

use super::{finite, StatsError};

/// One age band of a population: ages in completed years `start` to `end` (`None`: and
/// over), and the people in it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AgeCount {
    pub start: u32,
    pub end: Option<u32>,
    pub count: f64,
}

/// The open band must start at this age or later: the midpoint of a wide open band (75 and
/// over, INSEE's communal bases) would bias the mean by years.
pub const MIN_OPEN_START: u32 = 85;

/// The width given to the open last band (95 and over: its midpoint 97.5), the width of the
/// five-year bands before it.
pub const OPEN_BAND_WIDTH: f64 = 5.0;

/// The mean age of the people of `bands`, each counted at the midpoint of its band: ages
/// are in completed years, so a band `start..=end` holds people aged `start` to `end + 1`
/// exactly, and its midpoint is `(start + end + 1) / 2` (0-4: 2.5; a single year `x`: `x +
/// 0.5`); the open last band `start` and over is given `open_width` years (95 and over with
/// 5: 97.5). The bands must follow each other from age 0 with no gap nor overlap, only the
/// last may be open, and it must start at [`MIN_OPEN_START`] or later.
///
/// Source: INSEE, définition « âge moyen » (the mean of the ages weighted by the numbers of
/// people of each age, ages at the last birthday plus half a year: the exact mean age of
/// people evenly spread over their year of age); grouped data counted at their class
/// midpoints (Armitage, Berry & Matthews, *Statistical Methods in Medical Research*, 4th ed.,
/// 2002, §2.4, the mean of a frequency distribution).
pub fn mean_age(bands: &[AgeCount], open_width: f64) -> Result<f64, StatsError> {
    let open_width = finite("open band width", open_width)?;
    if open_width <= 0.0 {
        return Err(StatsError::Invalid(format!("the open band's width must be > 0 (got {open_width})")));
    }
    let mut sorted: Vec<AgeCount> = bands.to_vec();
    sorted.sort_by_key(|b| b.start);
    let mut next = 0u32;
    let (mut people, mut years) = (0.0, 0.0);
    for (i, b) in sorted.iter().enumerate() {
        let count = finite("count", b.count)?;
        if count < 0.0 {
            return Err(StatsError::NegativeCount(count));
        }
        if b.start != next {
            return Err(StatsError::InvalidBands(format!(
                "the age bands do not follow each other: a band starts at {} after ages up to {next}",
                b.start
            )));
        }
        let midpoint = match b.end {
            Some(end) if end >= b.start => {
                next = end + 1;
                (f64::from(b.start) + f64::from(end) + 1.0) / 2.0
            }
            Some(end) => return Err(StatsError::InvalidBands(format!("the age band {}-{end} ends before it starts", b.start))),
            None if i + 1 < sorted.len() => return Err(StatsError::InvalidBands(format!("the open band {}+ is not the last", b.start))),
            None if b.start < MIN_OPEN_START => {
                return Err(StatsError::InvalidBands(format!(
                    "the open band {}+ is too wide for a mean age (it must start at {MIN_OPEN_START} or later)",
                    b.start
                )))
            }
            None => f64::from(b.start) + open_width / 2.0,
        };
        people += count;
        years += count * midpoint;
    }
    if sorted.is_empty() {
        return Err(StatsError::NoData("no age band".into()));
    }
    if people <= 0.0 {
        return Err(StatsError::NonPositiveDenominator(people));
    }
    Ok(years / people)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band(start: u32, end: Option<u32>, count: f64) -> AgeCount {
        AgeCount { start, end, count }
    }

    #[test]
    fn each_band_counts_at_its_midpoint() {
        // One person of each completed age 0 … 99: each at x + 0.5, the mean 50 exactly.
        let single: Vec<AgeCount> = (0..100).map(|a| band(a, Some(a), 1.0)).collect();
        assert_eq!(mean_age(&single, OPEN_BAND_WIDTH), Ok(50.0));
        // 100 aged 0-4 (2.5), 100 aged 5-84 (45), 200 aged 85+ (87.5 with a width of 5):
        // (250 + 4,500 + 17,500) / 400 = 55.625.
        let grouped = [band(0, Some(4), 100.0), band(5, Some(84), 100.0), band(85, None, 200.0)];
        assert_eq!(mean_age(&grouped, 5.0), Ok(55.625));
        // In any order.
        let shuffled = [grouped[2], grouped[0], grouped[1]];
        assert_eq!(mean_age(&shuffled, 5.0), Ok(55.625));
        // The open band's width moves its midpoint: 10 years, 90 → (250 + 4,500 + 18,000) / 400.
        assert_eq!(mean_age(&grouped, 10.0), Ok(56.875));
    }

    #[test]
    fn gaps_overlaps_wide_open_bands_and_empty_populations_are_refused() {
        let gap = [band(0, Some(4), 1.0), band(10, None, 1.0)];
        assert!(matches!(mean_age(&gap, 5.0), Err(StatsError::InvalidBands(_))));
        let overlap = [band(0, Some(14), 1.0), band(10, Some(89), 1.0), band(90, None, 1.0)];
        assert!(matches!(mean_age(&overlap, 5.0), Err(StatsError::InvalidBands(_))));
        let not_from_zero = [band(5, Some(89), 1.0), band(90, None, 1.0)];
        assert!(matches!(mean_age(&not_from_zero, 5.0), Err(StatsError::InvalidBands(_))));
        // INSEE's communal bases stop at 75 and over: too wide an open band.
        let wide = [band(0, Some(74), 10.0), band(75, None, 1.0)];
        assert!(matches!(mean_age(&wide, 5.0), Err(StatsError::InvalidBands(m)) if m.contains("75+")));
        let open_first = [band(0, None, 1.0), band(90, None, 1.0)];
        assert!(matches!(mean_age(&open_first, 5.0), Err(StatsError::InvalidBands(_))));
        // Nobody, no band, a negative or missing count, a bad width.
        assert_eq!(mean_age(&[band(0, Some(89), 0.0), band(90, None, 0.0)], 5.0), Err(StatsError::NonPositiveDenominator(0.0)));
        assert!(matches!(mean_age(&[], 5.0), Err(StatsError::NoData(_))));
        assert!(matches!(mean_age(&[band(0, Some(89), -1.0), band(90, None, 3.0)], 5.0), Err(StatsError::NegativeCount(_))));
        assert!(matches!(mean_age(&[band(0, Some(89), f64::NAN), band(90, None, 3.0)], 5.0), Err(StatsError::NotFinite { .. })));
        assert!(mean_age(&[band(0, Some(89), 1.0), band(90, None, 3.0)], 0.0).is_err());
    }
}
