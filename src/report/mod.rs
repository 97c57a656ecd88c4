//! Reports (issue #7): charts and the self-contained French HTML report. Not built yet:
//! this module is the map's place for it.
