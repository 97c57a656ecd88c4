//! Geography: the real commune referential, code normalisation, territory perimeters and the
//! Frances a territory is compared with.

pub mod code;
pub mod coordinates;
pub mod france;
pub mod perimeter;
pub mod referential;

pub use code::{canonical_code, CodeError, Remap, Resolved};
pub use coordinates::{centroids, coordinates};
pub use france::{ComparatorOptions, France};
pub use perimeter::{Comparators, Share, Territory, TerritoryKind, SHIPPED};
pub use referential::{Referential, Unit, UnitKind};
