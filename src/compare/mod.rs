//! Comparison (issue #5): a territory against its département, région and France, its
//! peers and funnel plots. Not built yet: this module is the map's place for it.
