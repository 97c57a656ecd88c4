//! Which France a territory is compared with, and which France is the reference of the
//! comparative mortality index (ICM).
//!
//! INSEE's « France » (and Rezone's, and diagsante's by default) is France entière:
//! metropolitan France and the DROM (zones `metro` and `drom` of the referential). The ORS
//! tables compare with France hexagonale: metropolitan France, Corsica included, without the
//! DROM (zone `metro`), published by INSEE as « France métropolitaine » (code `FM`).

use serde::Serialize;

use super::referential::{Referential, Unit};

/// A France to compare with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum France {
    /// Metropolitan France and the DROM (INSEE's « France »): diagsante's default.
    #[default]
    Entiere,
    /// Metropolitan France, Corsica included, without the DROM (the ORS tables).
    Hexagonale,
}

impl France {
    /// Both, France entière first.
    pub const ALL: [France; 2] = [France::Entiere, France::Hexagonale];

    /// The code in tables: `FR` (as always), `FM` (INSEE's code of France métropolitaine,
    /// also read from published files, see `compare::published`).
    pub fn code(self) -> &'static str {
        match self {
            France::Entiere => "FR",
            France::Hexagonale => "FM",
        }
    }

    /// The name in tables: « France » for France entière (the name the tables have always
    /// given it), « France hexagonale ».
    pub fn name(self) -> &'static str {
        match self {
            France::Entiere => "France",
            France::Hexagonale => "France hexagonale",
        }
    }

    /// The name in sentences: « France entière », « France hexagonale ».
    pub fn label(self) -> &'static str {
        match self {
            France::Entiere => "France entière",
            France::Hexagonale => "France hexagonale",
        }
    }

    /// What it holds, in French.
    pub fn scope(self) -> &'static str {
        match self {
            France::Entiere => "France métropolitaine et départements et régions d'outre-mer",
            France::Hexagonale => "France métropolitaine, Corse comprise, sans l'outre-mer",
        }
    }

    /// The prefix of its columns in tables: `france` (`france_value`, as always),
    /// `france_hexagonale` (`france_hexagonale_value`).
    pub fn column(self) -> &'static str {
        match self {
            France::Entiere => "france",
            France::Hexagonale => "france_hexagonale",
        }
    }

    /// Whether a unit, département or région of referential zone `zone` (`metro`, `drom`,
    /// `com`) lies in this France.
    pub fn holds_zone(self, zone: &str) -> bool {
        match self {
            France::Entiere => zone == "metro" || zone == "drom",
            France::Hexagonale => zone == "metro",
        }
    }

    pub fn holds(self, u: &Unit) -> bool {
        self.holds_zone(&u.zone)
    }

    /// The base units (communes; arrondissements of Paris, Lyon, Marseille) of this France.
    pub fn units(self, r: &Referential) -> Vec<String> {
        r.communes().filter(|c| self.holds(c)).flat_map(|c| r.base_units(&c.code)).map(|u| u.code.clone()).collect()
    }

    /// The codes of its départements.
    pub fn departements(self, r: &Referential) -> Vec<String> {
        r.departements.values().filter(|d| self.holds_zone(&d.zone)).map(|d| d.code.clone()).collect()
    }
}

/// The comparators asked for: which France, which France is the ICM's reference, and whether
/// a territory straddling several départements is compared with each of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ComparatorOptions {
    /// The France of the comparisons (the `france` comparator of a diagnostic, the territories
    /// of France a benchmark ranks among).
    pub france: France,
    /// The reference population of the ICM (expected deaths from its rates by age): France
    /// entière unless asked, whichever France is compared with.
    pub icm_reference: France,
    /// Compare with every département the territory touches, not only the one holding most
    /// of its population.
    pub all_departements: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hexagonale_is_france_entiere_without_the_drom() {
        let r = Referential::embedded().unwrap();
        let (entiere, hexagonale) = (France::Entiere.units(&r), France::Hexagonale.units(&r));
        let drom: Vec<&Unit> = r.communes().filter(|c| c.zone == "drom").flat_map(|c| r.base_units(&c.code)).collect();
        assert!(!drom.is_empty());
        assert_eq!(entiere.len(), hexagonale.len() + drom.len());
        assert!(hexagonale.iter().all(|u| r.unit(u).is_some_and(|u| u.zone == "metro")));
        // Population: France hexagonale's is the sum of the 96 metropolitan départements'
        // (Corsica's 2A and 2B included), and France entière's adds the 5 DROM's.
        let pop = |units: &[String]| units.iter().filter_map(|u| r.unit(u)).filter_map(|u| u.population).sum::<u64>();
        let codes = |v: Vec<&Unit>| v.into_iter().map(|u| u.code.clone()).collect::<Vec<_>>();
        let of_deps = |f: France| f.departements(&r).iter().map(|d| pop(&codes(r.base_units_of_departement(d)))).sum::<u64>();
        assert_eq!(France::Hexagonale.departements(&r).len(), 96);
        assert!(France::Hexagonale.departements(&r).iter().any(|d| d == "2A") && France::Hexagonale.departements(&r).iter().any(|d| d == "2B"));
        assert_eq!(France::Entiere.departements(&r).len(), 101);
        assert_eq!(pop(&hexagonale), of_deps(France::Hexagonale));
        assert_eq!(pop(&entiere), of_deps(France::Entiere));
        assert_eq!(pop(&entiere) - pop(&hexagonale), pop(&codes(drom)));
        // Martinique's Fort-de-France (97209) is in France entière only; Ajaccio in both.
        assert!(entiere.iter().any(|u| u == "97209") && !hexagonale.iter().any(|u| u == "97209"));
        assert!(hexagonale.iter().any(|u| u == "2A004"));
    }
}
