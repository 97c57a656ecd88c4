//! Indicators (issue #5): the catalogue (`data/indicators.toml`) and its evaluation:
//! commune counts aggregated once to every perimeter, then turned into rates by `stats`.
//! Not built yet: this module is the map's place for it.
