//! Ingestion: real-world tables read into one long, commune-level table of counts (see
//! [`facts`]), one module per source. Every reader goes through [`table::TextTable`], which
//! copes with encodings, separators, title lines, decimal commas and secret markers.

pub mod ameli;
pub mod apl;
pub mod atih;
pub mod bpe;
pub mod caf;
pub mod census;
pub mod communes_file;
pub mod cpam;
pub mod deaths;
pub mod deprivation;
pub mod facts;
pub mod filosofi;
pub mod finess;
pub mod insee;
pub mod layout;
pub mod load;
pub mod observatoire;
pub mod population;
pub mod rezone;
pub mod statloc;
pub mod stats_deces;
pub mod stream;
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
        let options = layout::Options { year: Some(2021), ..layout::Options::default() };
        // The readers of whole files, record by record, whatever the bytes.
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("fuzz.csv");
        std::fs::write(&path, bytes).expect("temporary file");
        let mut sink = FactSink::new(referential(), "fuzz", false);
        let _ = bpe::read(&path, &options, &mut sink);
        let _ = finess::read_establishments(&path, &options, &mut sink);
        let _ = sink.finish();
        let _ = finess::headerless_head(bytes, Encoding::Auto, "fuzz.csv");
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
        let _ = census::read_comparateur(&t, &mut sink);
        let _ = population::read_pop1b_wide(&t, Some(2021), &mut sink);
        let _ = population::read_estimates(&t, Some(2021), &mut sink);
        let _ = population::read_pyramid_dep(&t, &mut sink);
        let _ = population::read_pyramid_years(&t, &mut sink);
        let _ = population::read_pyramid(&t, Some(2022), &mut sink);
        let _ = population::read_populations_legales(&t, None, &mut sink);
        let _ = deaths::read(&t, Some(2021), &mut sink);
        let _ = cpam::read_patientele(&t, Some(2021), &mut sink);
        let _ = caf::read(&t, None, &mut sink);
        let _ = filosofi::read(&t, &options, &mut sink);
        let _ = finess::read_activities(&t, &options, &mut sink);
        let _ = finess::read_heavy_equipment(&t, &options, &mut sink);
        let _ = finess::read_training(&t, &options, &mut sink);
        let _ = sink.finish();
        // Each health reader on a sink of its own (a reader's error leaves its sink half full).
        let readers: [fn(&TextTable, &mut FactSink) -> crate::error::Result<()>; 12] = [
            |t, s| statloc::read(t, Some(2024), s),
            |t, s| statloc::read(t, None, s),
            |t, s| apl::read_workbook(t, None, s),
            |t, s| apl::read_long(t, s),
            |t, s| ameli::read(t, None, s),
            |t, s| atih::read(t, s),
            |t, s| observatoire::read(t, s),
            |t, s| deprivation::read_fdep(t, None, s),
            |t, s| deprivation::read_edi(t, Some(2021), s),
            |t, s| stats_deces::read_yearly(t, s),
            |t, s| stats_deces::read_by_age(t, s),
            |t, s| apl::read_workbook(t, Some(2023), s),
        ];
        for read in readers {
            let mut sink = FactSink::new(r, "fuzz", false);
            let _ = read(&t, &mut sink);
            let _ = sink.finish();
        }
        let _ = t.split_units_line();
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
                "CODGEO;P22_POP;SUPERF;NAIS1621;NAISD24;MED21;PIMP21;NBMENFISC21;P22_CHOM1564;P22_ACT1564",
                "CODGEO;Age;Nb_H;Nb_F", "Départements;;Ensemble;;Hommes;;Femmes", "ANNEE;AGE;SEXE;POP", "Age \\ Année;1991;1992;1993",
                ";Année;1991;1992", "Année de naissance;Âge révolu;Nombre de femmes;Nombre d'hommes;Ensemble",
                "REG;DEP;CODCOM;COM;PMUN;PCAP;PTOT", "DEP;PMUN;PTOT",
                "DEPCOM;DCIRIS;AN;TYPEQU;NB_EQUIP", "CODGEO;NBMEN19;NBPERS19;Q219;TP6019;RD",
                "nofinessej;rsej;eml;libeml;noautor;dateautor;nofinesset", "nofinesset;de;libde;ta;capaut;dateautor",
                "nofinesset;activite;libactivite;noautor;datefin", "finess;etalab;1;2024-01-01\nstructureet;nofinesset;commune;departement;categetab",
                "Code;Libellé;Médecin généraliste (en nombre) 2024;Taux de pauvreté 2021",
                "Code commune INSEE;Commune;APL aux médecins généralistes;Population standardisée 2020;Population totale 2020",
                "annee;profession_sante;region;departement;classe_age;libelle_sexe;effectif;densite",
                "codgeo;libgeo;an;tx_morta", "dep;annee;tauxPatients", "Age;1991;1992",
                "insee_com,commune_type,superficie_km2,population_2021,pop_15_64_chomage_2021,pop_15_64_active_2021",
            ]),
            body in "([0-9a-zA-Z ,.+%\"-]{0,8}[;\n]){0,40}",
        ) {
            all_readers(format!("{header}\n{body}").as_bytes());
        }
    }
}
