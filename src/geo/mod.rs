//! Geography: the real commune referential, code normalisation and territory perimeters.

pub mod code;
pub mod perimeter;
pub mod referential;

pub use code::{canonical_code, CodeError, Remap, Resolved};
pub use perimeter::{Comparators, Share, Territory, TerritoryKind, SHIPPED};
pub use referential::{Referential, Unit, UnitKind};
