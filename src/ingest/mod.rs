//! Ingestion: real-world tables read into one long, commune-level table of counts (see
//! [`facts`]), one module per source. Every reader goes through [`table::TextTable`], which
//! copes with encodings, separators, title lines, decimal commas and secret markers.

pub mod communes_file;
pub mod cpam;
pub mod deaths;
pub mod facts;
pub mod insee;
pub mod layout;
pub mod load;
pub mod rezone;
pub mod table;

pub use facts::{FactSink, Level, Origin, Sex, Summary};
pub use table::{Cell, Encoding, TextTable};

/// A real published file of `../shared/realdata/` (beside the clone), for the readers' tests;
/// `None`, with a message naming the file, when it is absent (the tests then skip).
#[cfg(test)]
pub(crate) fn realdata(path: &str) -> Option<std::path::PathBuf> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realdata").join(path);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipped: {} is absent", p.display());
        None
    }
}

/// No reader may panic, whatever the bytes: the committed corpus in `tests/data/fuzz/` and
/// random inputs go through the table parser and every reader.
#[cfg(test)]
mod fuzz {
    use std::sync::OnceLock;

    use proptest::prelude::*;

    use super::*;
    use crate::geo::Referential;

    fn referential() -> &'static Referential {
        static R: OnceLock<Referential> = OnceLock::new();
        R.get_or_init(|| Referential::embedded().expect("embedded referential"))
    }

    /// Every reader on `bytes`; only panics matter, errors are expected.
    fn all_readers(bytes: &[u8]) {
        let Ok(t) = TextTable::parse(bytes, Encoding::Auto, "fuzz.csv") else { return };
        for name in t.column_names() {
            let _ = t.numbers(&name);
            let _ = t.texts(&name);
        }
        let r = referential();
        let mut sink = FactSink::new(r, "fuzz", false);
        let _ = insee::read_wide(&t, &mut sink);
        let _ = communes_file::read(&t, &mut sink);
        let _ = insee::read_long(&t, Some(2021), &mut sink);
        let _ = deaths::read(&t, Some(2021), &mut sink);
        let _ = cpam::read_patientele(&t, Some(2021), &mut sink);
        let _ = sink.finish();
        let _ = rezone::read(&t, "fuzz");
        let _ = cpam::read_roster(&t, Some(2024), r, false, &mut Summary::default());
    }

    #[test]
    fn the_corpus_never_panics() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz");
        let mut n = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "md") {
                continue;
            }
            all_readers(&std::fs::read(&path).unwrap());
            n += 1;
        }
        assert!(n >= 7, "the corpus is there ({n} files)");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            all_readers(&bytes);
        }

        #[test]
        fn random_tables_never_panic(
            header in prop::sample::select(vec![
                "CODGEO;P21_POP;P21_POP0014;P21_H75P", "CODGEO;SEXE;AGED100;NB", "CODGEO;annee;sexe;age;cause;deces",
                "commune;age;patients;sans_medecin_traitant;ald", "identifiant;commune;age;sexe;activite",
                "Indicateur;Valeur territoire;Effectif;France",
                "insee_com,commune_type,superficie_km2,population_2021,pop_15_64_chomage_2021,pop_15_64_active_2021",
            ]),
            body in "([0-9a-zA-Z ,.+%\"-]{0,8}[;\n]){0,40}",
        ) {
            all_readers(format!("{header}\n{body}").as_bytes());
        }
    }
}
