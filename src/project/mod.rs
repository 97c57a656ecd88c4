//! Projection (issue #6): GP retirements under scenarios against demand from an ageing
//! population. Not built yet: this module is the map's place for it.
