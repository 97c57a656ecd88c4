//! Which reader a file needs, told from its columns: `diagsante ingest PATH...` reads files as
//! their publishers publish them, without the user naming the layout.
//!
//! Each [`Layout`] is a name, the publisher's dataset it reads, an example header, a
//! detector (which of its required columns the table has) and a reader. [`LAYOUTS`] lists
//! them from the most specific to the most general: the first whose detector accepts a table
//! reads it. A table no layout accepts gets an error naming the closest layout and the columns
//! it lacks. A workbook is read sheet by sheet; its sheets without a table of a known layout
//! (notes, parameters) are listed as skipped.

use std::path::{Path, PathBuf};

use polars::prelude::DataFrame;

use crate::error::{Error, Location, Result};
use crate::geo::Referential;
use crate::ingest::{
    ameli, apl, atih, bpe, caf, census, communes_file, cpam, deaths, deprivation, filosofi, finess, insee, observatoire, population, rezone, statloc,
    stats_deces, stream, Encoding, FactSink, Summary, TextTable,
};

/// What readers may need besides the table.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// The year of the data, for files that do not say it.
    pub year: Option<i32>,
    /// Unknown codes are an error rather than left out.
    pub strict: bool,
    pub encoding: Encoding,
}

/// How a layout's rows become data.
#[derive(Clone, Copy)]
pub enum Reader {
    /// Cells pushed into the fact table (counts, published values).
    Facts(fn(&TextTable, &Options, &mut FactSink) -> Result<()>),
    /// Cells pushed into the fact table from the file read record by record, in bounded
    /// memory (files of millions of rows, or without a header): the detector sees the
    /// beginning of the file only.
    Stream(fn(&Path, &Options, &mut FactSink) -> Result<()>),
    /// One row per professional: the roster.
    Roster,
    /// Indicators published already computed for one territory (Rezone).
    Rezone,
}

/// A publisher's file layout that diagsante reads.
#[derive(Clone, Copy)]
pub struct Layout {
    /// The name to force it with (`--layout insee-base`), also in output file names.
    pub name: &'static str,
    /// The publisher and dataset, as the summary and the README say them.
    pub label: &'static str,
    /// The beginning of a header of this layout.
    pub example: &'static str,
    pub detect: fn(&TextTable) -> Detection,
    pub reader: Reader,
}

impl std::fmt::Debug for Layout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Whether a table has a layout's columns; if not, what it lacks (to name the closest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detection {
    Yes,
    /// The checks that failed, and how many there were.
    Missing {
        missing: Vec<String>,
        of: usize,
    },
}

impl Detection {
    /// Yes when every check holds; else the labels of those that fail.
    pub fn from_checks(checks: &[(&str, bool)]) -> Detection {
        let missing: Vec<String> = checks.iter().filter(|(_, ok)| !ok).map(|(label, _)| (*label).to_owned()).collect();
        if missing.is_empty() {
            Detection::Yes
        } else {
            Detection::Missing { missing, of: checks.len() }
        }
    }

    /// Yes when the table has a column of each group of aliases (case-insensitive); the first
    /// alias of each group names it when missing.
    pub fn columns(table: &TextTable, groups: &[&[&str]]) -> Detection {
        let checks: Vec<(&str, bool)> = groups.iter().map(|g| (g[0], table.find_column(g).is_some())).collect();
        Detection::from_checks(&checks)
    }
}

/// The layouts known, most specific first.
pub const LAYOUTS: &[Layout] = &[
    Layout {
        name: "drees-apl",
        label: "DREES, accessibilité potentielle localisée (APL), classeur par commune",
        example: "Code commune INSEE;Commune;APL aux médecins généralistes;APL aux médecins généralistes de moins de 65 ans;\
                  Population standardisée 2020 pour la médecine générale;Population totale 2020",
        detect: apl::detect_workbook,
        reader: Reader::Facts(|t, o, sink| apl::read_workbook(t, o.year, sink)),
    },
    Layout {
        name: "drees-apl-long",
        label: "DREES, APL aux médecins généralistes (table longue dérivée du classeur)",
        example: "year,code_commune,commune,apl_mg,apl_mg_moins_65ans,pop_standardisee,pop_totale",
        detect: apl::detect_long,
        reader: Reader::Facts(|t, _, sink| apl::read_long(t, sink)),
    },
    Layout {
        name: "ameli-demographie",
        label: "Assurance Maladie (data.ameli.fr), démographie des professionnels de santé libéraux",
        example:
            "annee,profession_sante,region,libelle_region,departement,libelle_departement,classe_age,libelle_classe_age,libelle_sexe,effectif,densite",
        detect: ameli::detect,
        reader: Reader::Facts(|t, o, sink| ameli::read(t, o.year, sink)),
    },
    Layout {
        name: "atih-patients",
        label: "ATIH (ScanSanté), taux standardisé de patients hospitalisés par département",
        example: "\"dep\";\"annee\";\"tauxPatients\"",
        detect: atih::detect,
        reader: Reader::Facts(|t, _, sink| atih::read(t, sink)),
    },
    Layout {
        name: "observatoire",
        label: "Observatoire des territoires (ANCT), indicateur par territoire et période",
        example: "codgeo;libgeo;an;tx_morta",
        detect: observatoire::detect,
        reader: Reader::Facts(|t, _, sink| observatoire::read(t, sink)),
    },
    Layout {
        name: "spf-fdep",
        label: "Santé publique France (Odissé), indice de défavorisation sociale FDep par commune",
        example: "Code commune,Nombre d’habitants de la commune,Indice de défavorisation en quintiles,\
                  Quintile sans pondération sur le nombre d’habitants de la commune",
        detect: deprivation::detect_fdep,
        reader: Reader::Facts(|t, o, sink| deprivation::read_fdep(t, o.year, sink)),
    },
    Layout {
        name: "spf-edi",
        label: "Santé publique France (Odissé), French European Deprivation Index (F-EDI) par commune",
        example: "Commune Code,Commune,EDI,Quintile natonal,Millésime EDI",
        detect: deprivation::detect_edi,
        reader: Reader::Facts(|t, o, sink| deprivation::read_edi(t, o.year, sink)),
    },
    Layout {
        name: "stats-deces-annual",
        label: "INSEE via stats-deces, décès, population et taux de mortalité de la France par année",
        example: "Annee;population;deces;taux;taux normalise 2021",
        detect: stats_deces::detect_yearly,
        reader: Reader::Facts(|t, _, sink| stats_deces::read_yearly(t, sink)),
    },
    Layout {
        name: "stats-deces-by-age",
        label: "INSEE via stats-deces, taux de décès de la France par âge et année (pour 1 000 000)",
        example: "Age;1991;1992;1993",
        detect: stats_deces::detect_by_age,
        reader: Reader::Facts(|t, _, sink| stats_deces::read_by_age(t, sink)),
    },
    Layout {
        name: "statloc",
        label: "INSEE statistiques locales / CartoSanté, indicateurs par territoire",
        example: "Code;Libellé;Médecin généraliste (en nombre) 2024;Taux de pauvreté 2021;Espérance de vie des femmes à la naissance 2024",
        detect: statloc::detect,
        reader: Reader::Facts(|t, o, sink| statloc::read(t, o.year, sink)),
    },
    Layout {
        name: "communes-file",
        label: "INSEE, comparateur de territoires 2024 (RP 2021 et 2015, état civil 2022), copie datas.fun (une ligne par commune et code postal)",
        example: "insee_com,insee_reg,insee_dep,commune,code_postal,commune_type,superficie_km2,population_2021,population_2015,deces_2022",
        detect: |t| Detection::columns(t, &[communes_file::CODE, communes_file::TYPE, communes_file::AREA, communes_file::POPULATION]),
        reader: Reader::Facts(|t, _, sink| communes_file::read(t, sink)),
    },
    Layout {
        name: "rezone",
        label: "Assurance Maladie, Rezone (indicateurs d'une CPTS)",
        example: "Indicateur;Valeur territoire;Effectif;Département;Région;France",
        detect: |t| Detection::columns(t, &[rezone::INDICATOR, rezone::VALUE]),
        reader: Reader::Rezone,
    },
    Layout {
        name: "bpe",
        label: "INSEE, base permanente des équipements (nombre d'équipements par commune ou IRIS et type)",
        example: "REG;DEP;DEPCOM;DCIRIS;AN;TYPEQU;NB_EQUIP",
        detect: bpe::detect_counts,
        reader: Reader::Stream(bpe::read),
    },
    Layout {
        name: "bpe-equipements",
        label: "INSEE, base permanente des équipements (une ligne par équipement)",
        example: "AN;NOMRS;CNOMRS;NUMVOIE;DEPCOM;DCIRIS;DOM;SDOM;TYPEQU;SIRET;LAMBERT_X;LAMBERT_Y;QUALITE_XY",
        detect: bpe::detect_equipments,
        reader: Reader::Stream(bpe::read),
    },
    Layout {
        name: "finess-etablissements",
        label: "FINESS, extraction du fichier des établissements (etalab-cs1100507)",
        example: "structureet;nofinesset;nofinessej;rs;rslongue;complrs;compldistrib;numvoie;typvoie;voie;compvoie;lieuditbp;commune;\
                  departement;libdepartement;ligneacheminement;telephone;telecopie;categetab;libcategetab",
        detect: finess::detect_establishments,
        reader: Reader::Stream(finess::read_establishments),
    },
    Layout {
        name: "finess-activites",
        label: "FINESS, autorisations d'activités de soins (réexposition)",
        example: "nofinessej;rsej;activite;libactivite;modalite;libmodalite;forme;libforme;noautor;dateautor;nofinesset;rset",
        detect: finess::detect_activities,
        reader: Reader::Facts(finess::read_activities),
    },
    Layout {
        name: "finess-materiels-lourds",
        label: "FINESS, équipements matériels lourds (réexposition)",
        example: "nofinessej;rsej;eml;libeml;noautor;noautorarhgos;noimplarhgos;dateautor;nofinesset;datemeo",
        detect: finess::detect_heavy_equipment,
        reader: Reader::Facts(finess::read_heavy_equipment),
    },
    Layout {
        name: "finess-enseignement",
        label: "FINESS, disciplines d'enseignement autorisées (réexposition)",
        example: "nofinessej;rsej;nofinesset;rset;noautor;de;libde;ta;libta;capaut;dateautor",
        detect: finess::detect_training,
        reader: Reader::Facts(finess::read_training),
    },
    Layout {
        name: "filosofi",
        label: "INSEE, Filosofi (revenus, niveau de vie et pauvreté des ménages)",
        example: "CODGEO;LIBGEO;NBMEN19;NBPERS19;NBUC19;Q119;Q219;Q319;Q3_Q1;D119;D919;RD;S80S2019;GI19;PACT19",
        detect: filosofi::detect,
        reader: Reader::Facts(filosofi::read),
    },
    Layout {
        name: "caf",
        label: "Caf (Cnaf), foyers allocataires par commune (AAH, RSA, AEEH…)",
        example: "Communes;Codes_Insee;NB_Allocataires;ALL_AAH",
        detect: caf::detect,
        reader: Reader::Facts(|t, o, sink| caf::read(t, o.year, sink)),
    },
    Layout {
        name: "roster",
        label: "CPAM, liste des professionnels (un par ligne)",
        example: "identifiant;commune;profession;annee_naissance;sexe;activite",
        detect: |t| Detection::columns(t, &[cpam::IDENTIFIER, cpam::COMMUNE]),
        reader: Reader::Roster,
    },
    Layout {
        name: "patientele",
        label: "CPAM, patientèle par commune et âge",
        example: "commune;age;patients;sans_medecin_traitant;ald;c2s",
        detect: |t| Detection::columns(t, &[cpam::COMMUNE, cpam::PATIENTS]),
        reader: Reader::Facts(|t, o, sink| cpam::read_patientele(t, o.year, sink)),
    },
    Layout {
        name: "deaths",
        label: "INSEE / CépiDc, décès par lieu, année, sexe, âge et cause",
        example: "CODGEO;annee;sexe;age;cause;deces",
        detect: |t| Detection::columns(t, &[insee::PLACE, deaths::DEATHS]),
        reader: Reader::Facts(|t, o, sink| deaths::read(t, o.year, sink)),
    },
    Layout {
        name: "insee-populations-legales",
        label: "INSEE, populations légales (commune, département ou région)",
        example: "REG;Région;DEP;CODARR;CODCAN;CODCOM;COM;Commune;PMUN;PCAP;PTOT",
        detect: population::detect_populations_legales,
        reader: Reader::Facts(|t, o, sink| population::read_populations_legales(t, o.year, sink)),
    },
    Layout {
        name: "insee-estimates",
        label: "INSEE, estimations de population par département, sexe et âge quinquennal (une feuille par année)",
        example: "Départements;;Ensemble;;Hommes;;Femmes",
        detect: population::detect_estimates,
        reader: Reader::Facts(|t, o, sink| population::read_estimates(t, o.year, sink)),
    },
    Layout {
        name: "insee-pyramid-dep",
        label: "INSEE, pyramide des âges d'un département (estimations puis projections Omphale)",
        example: "\"ANNEE\";\"AGE\";\"SEXE\";\"POP\"",
        detect: population::detect_pyramid_dep,
        reader: Reader::Facts(|t, _, sink| population::read_pyramid_dep(t, sink)),
    },
    Layout {
        name: "insee-pyramid-years",
        label: "INSEE, populations par âge au 1er janvier (une colonne par année)",
        example: "Age \\ Année;1991;1992;1993",
        detect: population::detect_pyramid_years,
        reader: Reader::Facts(|t, _, sink| population::read_pyramid_years(t, sink)),
    },
    Layout {
        name: "insee-pyramid",
        label: "INSEE, pyramide des âges d'une année (âge révolu, femmes, hommes)",
        example: "Année de naissance;Âge révolu;Nombre de femmes;Nombre d'hommes;Ensemble",
        detect: population::detect_pyramid,
        reader: Reader::Facts(|t, o, sink| population::read_pyramid(t, o.year, sink)),
    },
    Layout {
        name: "insee-pop1b-wide",
        label: "INSEE, population par commune, sexe et âge (POP1B, hommes et femmes en colonnes)",
        example: "CODGEO,LIBGEO,code_dept,nom_departement,code_reg,nom_region,Age,Nb_H,Nb_F",
        detect: population::detect_pop1b_wide,
        reader: Reader::Facts(|t, o, sink| population::read_pop1b_wide(t, o.year, sink)),
    },
    Layout {
        name: "insee-long",
        label: "INSEE, population par sexe et âge (une ligne par lieu, sexe, âge)",
        example: "CODGEO;SEXE;AGED100;NB",
        detect: |t| Detection::columns(t, &[insee::PLACE, insee::SEX, insee::COUNT]),
        reader: Reader::Facts(|t, o, sink| insee::read_long(t, o.year, sink)),
    },
    Layout {
        name: "insee-comparateur",
        label: "INSEE, comparateur de territoires (recensement, état civil, Filosofi, Sirene)",
        example: "CODGEO;P22_POP;P16_POP;SUPERF;NAIS1621;DECE1621;P22_MEN;NAISD24;DECESD24;MED21;TP6021;ETTOT24",
        detect: census::detect_comparateur,
        reader: Reader::Facts(|t, _, sink| census::read_comparateur(t, sink)),
    },
    Layout {
        name: "insee-base",
        label: "INSEE, base communale du recensement (base-cc-…)",
        example: "CODGEO;P21_POP;P21_POP0014;P21_POP75P;P21_ACT1564;P21_CHOM1564",
        detect: census::detect_base,
        reader: Reader::Facts(|t, _, sink| census::read_base(t, sink)),
    },
];

/// The layout named `name`.
pub fn by_name(name: &str) -> Option<&'static Layout> {
    LAYOUTS.iter().find(|l| l.name == name)
}

/// The first layout that accepts `table`, or the error naming the closest.
pub fn detect(table: &TextTable) -> Result<&'static Layout> {
    // The closest: the most checks passed, then the fewest failed.
    let mut closest: Option<(&Layout, Vec<String>, usize)> = None;
    for layout in LAYOUTS {
        match (layout.detect)(table) {
            Detection::Yes => return Ok(layout),
            Detection::Missing { missing, of } => {
                let passed = of - missing.len();
                if closest.as_ref().is_none_or(|(_, m, p)| (passed, std::cmp::Reverse(missing.len())) > (*p, std::cmp::Reverse(m.len()))) {
                    closest = Some((layout, missing, passed));
                }
            }
        }
    }
    let columns = table.column_names();
    let shown: Vec<&str> = columns.iter().take(12).map(String::as_str).collect();
    let Some((layout, missing, _)) = closest else { return Err(Error::Internal("no layout is known".into())) };
    Err(Error::input(
        Location { file: table.file.clone(), line: Some(table.header_line), column: None },
        format!(
            "no known layout has the columns {}{}; the closest is {} ({}), which needs {}",
            shown.join(";"),
            if columns.len() > shown.len() { ";…" } else { "" },
            layout.name,
            layout.label,
            missing.join(", ")
        ),
        format!(
            "give the file as its publisher published it, or force a layout by its name; the layouts known are: {}",
            LAYOUTS.iter().map(|l| l.name).collect::<Vec<_>>().join(", ")
        ),
    ))
}

/// What one file (or one group of sheets of a workbook) gave.
#[derive(Debug)]
pub struct FileRead {
    pub path: PathBuf,
    pub layout: &'static Layout,
    pub data: Output,
    pub summary: Summary,
}

/// The data a layout produces.
#[derive(Debug)]
pub enum Output {
    Facts(DataFrame),
    Roster(DataFrame),
    Rezone(DataFrame),
}

impl Output {
    pub fn frame(&self) -> &DataFrame {
        match self {
            Output::Facts(df) | Output::Roster(df) | Output::Rezone(df) => df,
        }
    }
}

/// Read one file: each of its tables (a delimited file's one, each sheet of a workbook) by
/// the layout detected, or `forced`. The sheets of one layout go into one result; a sheet no
/// layout accepts is skipped when another sheet is read (and said in the summary), an error
/// otherwise.
pub fn read_file(path: &Path, options: &Options, forced: Option<&'static Layout>, r: &Referential) -> Result<Vec<FileRead>> {
    if let Some(read) = read_streamed(path, options, forced, r)? {
        return Ok(vec![read]);
    }
    let tables = TextTable::read_all(path, options.encoding)?;
    let workbook = TextTable::is_spreadsheet(path);
    let mut groups: Vec<(&'static Layout, Vec<TextTable>)> = Vec::new();
    let mut skipped: Vec<(String, Error)> = Vec::new();
    for table in tables {
        let detected = table.and_then(|t| match forced {
            Some(layout) => Ok((layout, t)),
            None => detect(&t).map(|l| (l, t)),
        });
        match detected {
            Ok((layout, t)) => match groups.iter_mut().find(|(l, _)| l.name == layout.name) {
                Some((_, ts)) => ts.push(t),
                None => groups.push((layout, vec![t])),
            },
            Err(e) if workbook => skipped.push((sheet_name(&e), e)),
            Err(e) => return Err(e),
        }
    }
    if groups.is_empty() {
        return Err(match skipped.into_iter().next() {
            Some((_, e)) => e,
            None => {
                Error::input(Location::file(path.display().to_string()), "the workbook has no sheet holding a table", "give the sheet with the data")
            }
        });
    }
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let mut reads = Vec::new();
    for (layout, tables) in groups {
        let mut read = read_tables(layout, &tables, &name, options, r)?;
        read.summary.notes.extend(skipped.iter().map(|(sheet, _)| format!("sheet {sheet} skipped: no table of a known layout")));
        reads.push(FileRead { path: path.to_owned(), layout, data: read.data, summary: read.summary });
    }
    Ok(reads)
}

/// The beginning of a delimited file as a table, for detection: its documented header for
/// a file without one (FINESS extracts), else its own; `None` when it does not parse.
fn head_table(path: &Path, encoding: Encoding) -> Result<Option<TextTable>> {
    let bytes = stream::head(path)?;
    let name = path.display().to_string();
    Ok(finess::headerless_head(&bytes, encoding, &name).or_else(|| TextTable::parse(&bytes, encoding, &name).ok()))
}

/// A delimited file whose layout (detected on its beginning, or forced) is read record by
/// record; `None` for the others.
fn read_streamed(path: &Path, options: &Options, forced: Option<&'static Layout>, r: &Referential) -> Result<Option<FileRead>> {
    if TextTable::is_spreadsheet(path) || forced.is_some_and(|l| !matches!(l.reader, Reader::Stream(_))) {
        return Ok(None);
    }
    let layout = match forced {
        Some(layout) => layout,
        None => match head_table(path, options.encoding)?.and_then(|t| detect(&t).ok()) {
            Some(layout) => layout,
            None => return Ok(None),
        },
    };
    let Reader::Stream(read) = layout.reader else { return Ok(None) };
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let mut sink = FactSink::new(r, name.as_str(), options.strict);
    read(path, options, &mut sink)?;
    let (df, mut summary) = sink.finish()?;
    summary.files = vec![name];
    summary.layout = format!("{} — {}", layout.name, layout.label);
    Ok(Some(FileRead { path: path.to_owned(), layout, data: Output::Facts(df), summary }))
}

struct Read {
    data: Output,
    summary: Summary,
}

fn read_tables(layout: &'static Layout, tables: &[TextTable], name: &str, options: &Options, r: &Referential) -> Result<Read> {
    let mut summary = Summary { files: vec![name.to_owned()], layout: format!("{} — {}", layout.name, layout.label), ..Summary::default() };
    let data = match layout.reader {
        Reader::Facts(read) => {
            let mut sink = FactSink::new(r, name, options.strict);
            for t in tables {
                read(t, options, &mut sink)?;
            }
            let (df, mut s) = sink.finish()?;
            s.files = summary.files;
            s.layout = summary.layout;
            summary = s;
            Output::Facts(df)
        }
        Reader::Stream(_) => {
            let file = tables.first().map_or_else(|| name.to_owned(), |t| t.file.clone());
            return Err(Error::input(
                Location::file(file),
                format!("the layout {} reads delimited text files (CSV, TXT), not workbooks", layout.name),
                "export the sheet as CSV (separator ;) and give that file",
            ));
        }
        Reader::Roster => {
            let mut frames = Vec::new();
            for t in tables {
                frames.push(cpam::read_roster(t, options.year, r, options.strict, &mut summary)?);
            }
            Output::Roster(concat(frames)?)
        }
        Reader::Rezone => {
            let mut frames = Vec::new();
            for t in tables {
                frames.push(rezone::read(t, name)?);
            }
            let df = concat(frames)?;
            summary.rows = df.height();
            summary.cells = df.height();
            Output::Rezone(df)
        }
    };
    Ok(Read { data, summary })
}

/// The sheet an error is about, from its location (« file (sheet APL 2022) »).
fn sheet_name(e: &Error) -> String {
    let text = e.to_string();
    text.split_once("(sheet ").and_then(|(_, rest)| rest.split_once(')')).map_or_else(|| "?".to_owned(), |(s, _)| s.to_owned())
}

fn concat(frames: Vec<DataFrame>) -> Result<DataFrame> {
    let mut it = frames.into_iter();
    let mut df = it.next().unwrap_or_default();
    for f in it {
        df.vstack_mut(&f)?;
    }
    Ok(df)
}

/// The data files under `paths`: files as given, folders walked (sorted, hidden files and
/// documentation left out).
pub fn data_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).map_err(|e| Error::read(dir, e))?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            walk(&p, out)?;
        } else if is_data_file(&p) {
            out.push(p);
        }
    }
    Ok(())
}

/// Files a folder walk reads: delimited text and spreadsheets.
pub fn is_data_file(p: &Path) -> bool {
    let extension = p.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    matches!(extension.as_str(), "csv" | "txt" | "tsv" | "xlsx" | "xlsm" | "xls" | "xlsb" | "ods")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> TextTable {
        TextTable::parse(text.as_bytes(), Encoding::Auto, "t.csv").unwrap()
    }

    #[test]
    fn each_known_header_finds_its_layout() {
        for layout in LAYOUTS {
            let header = layout.example;
            let t = table(&format!("{header}\n"));
            assert_eq!(detect(&t).map(|l| l.name).ok(), Some(layout.name), "{header}");
        }
    }

    #[test]
    fn an_unknown_header_names_the_closest_layout_and_what_it_lacks() {
        let e = detect(&table("CODGEO;SEXE;effectif_x\n01001;1;3\n")).unwrap_err().to_string();
        assert!(e.contains("t.csv") && e.contains("closest is insee-long") && e.contains("NB"), "{e}");
        assert!(e.contains("insee-base") && e.contains("rezone"), "the hint lists the layouts: {e}");
    }

    /// Every real file is either read or refused with an error (never a panic); the files of
    /// a layout are tested with their reader.
    #[test]
    fn every_real_file_is_read_or_refused_cleanly() {
        let Some(root) = crate::ingest::realdata("") else { return };
        let r = Referential::embedded().unwrap();
        let files = data_files(&[root]).unwrap();
        assert!(files.len() >= 20, "{files:?}");
        for f in files {
            match read_file(&f, &Options::default(), None, &r) {
                Ok(reads) => assert!(!reads.is_empty()),
                Err(e) => assert!(e.to_string().contains(&*f.file_name().unwrap().to_string_lossy()), "{e}"),
            }
        }
    }

    #[test]
    fn names_are_unique_and_usable_in_file_names() {
        let mut names: Vec<&str> = LAYOUTS.iter().map(|l| l.name).collect();
        assert!(names.iter().all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')));
        names.sort();
        names.dedup();
        assert_eq!(names.len(), LAYOUTS.len());
        assert!(by_name("zz").is_none());
    }
}
