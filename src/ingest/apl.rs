//! DREES « Indicateur d'accessibilité potentielle localisée (APL) » workbooks, one sheet per
//! year (`APL 2022`, `APL 2023`) beside a `Paramètres` sheet of notes:
//!
//! ```text
//! Indicateur d'accessibilité potentielle localisée (APL) 2022 aux médecins généralistes
//! Millésime : 2022
//! … (sources, champ, lecture, note)
//! Code commune INSEE;Commune;APL aux médecins généralistes;APL aux médecins généralistes de moins de 65 ans;Population standardisée 2020 pour la médecine générale;Population totale 2020
//! ;;En nombre de consultations/visites accessibles par habitant standardisé;…;En nombre d'habitants standardisés;En nombre d'habitants
//! 01001;L'Abergement-Clémenciat;1.89;1.828;810.855;806
//! ```
//! and the long CSV derived from it (`year,code_commune,commune,apl_mg,apl_mg_moins_65ans,
//! pop_standardisee,pop_totale`). DREES's note above the header: a territory's APL is the
//! mean of its communes' APL weighted by their standardised population. So each commune
//! keeps, as counts, `apl_<p>_x_popstd` (APL × standardised population) and the standardised
//! and total populations, from which any territory's APL is a ratio of sums; and its APL as
//! published (`apl_<p>`) for the per-commune table. `<p>` is the profession of the header
//! (`mg` for general practitioners, else the profession's slug: `apl_infirmiers`), followed by
//! the age limit of a variant column (« de moins de 65 ans » → `apl_mg65`; 62 and 60 in other
//! years). The populations (of year N-2, as the header says) are kept under the APL's year:
//! they are that APL's weights, said in a note. For GPs, each APL column also gives the total
//! population of the commune when its APL is under 2.5 and under 4 (else 0), from which a
//! territory's share of population in under-served communes is a ratio of sums too (see
//! [`GP_THRESHOLDS`]).

use crate::error::{Error, Location, Result};
use crate::ingest::facts::{CellKey, FactSink, Level, Origin};
use crate::ingest::layout::Detection;
use crate::ingest::statloc::{plain, slug, APL_UNIT};
use crate::ingest::{Cell, TextTable};

pub const COMMUNE: &[&str] = &["Code commune INSEE", "Code commune", "code_commune", "CODGEO"];

/// What an APL column measures: the profession's slug (`mg`) and the age limit of the GPs
/// counted, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AplColumn {
    pub profession: String,
    pub max_age: Option<u32>,
}

impl AplColumn {
    /// `apl_mg`, `apl_mg65`, `apl_infirmiers`.
    pub fn measure(&self) -> String {
        format!("apl_{}{}", self.profession, self.max_age.map(|a| a.to_string()).unwrap_or_default())
    }
}

/// The profession slugs of DREES's APL workbooks (the rest: the slug of the header's words).
const PROFESSIONS: &[(&str, &str)] = &[
    ("medecins generalistes", "mg"),
    ("infirmiers", "infirmiers"),
    ("infirmieres", "infirmiers"),
    ("masseurs-kinesitherapeutes", "kinesitherapeutes"),
    ("kinesitherapeutes", "kinesitherapeutes"),
    ("sages-femmes", "sages_femmes"),
    ("chirurgiens-dentistes", "chirurgiens_dentistes"),
];

/// « APL aux médecins généralistes de moins de 65 ans » → `mg`, 65.
pub fn apl_column(header: &str) -> Option<AplColumn> {
    let p = plain(header);
    let rest = p.strip_prefix("apl aux ").or_else(|| p.strip_prefix("apl a la ")).or_else(|| p.strip_prefix("apl au "))?;
    let digits_at = rest.find(|c: char| c.is_ascii_digit());
    let (profession, max_age) = match digits_at {
        Some(i) => {
            let n: String = rest[i..].chars().take_while(char::is_ascii_digit).collect();
            let before = rest[..i].trim_end();
            let profession =
                [" de moins de", " ages de", " agees de", " de", " moins de"].iter().find_map(|w| before.strip_suffix(w)).unwrap_or(before);
            (profession.trim().to_owned(), n.parse().ok())
        }
        None => (rest.trim().to_owned(), None),
    };
    if profession.is_empty() {
        return None;
    }
    let slug = PROFESSIONS.iter().find(|(p, _)| *p == profession).map_or_else(|| slug(&profession), |(_, s)| (*s).to_owned());
    Some(AplColumn { profession: slug, max_age })
}

/// The APL thresholds to GPs DREES counts the population under (consultations per
/// standardised inhabitant, strictly under): 2.5, under which DREES's publications and the
/// zonage médecins call a commune under-served (sous-dense), and 4, the upper bound of their
/// intermediate band; with their measure suffix (`apl_mg_population_under_2_5`). Populations
/// under a threshold are counted with the total population, not the standardised one (the
/// workbook's note above the header).
pub const GP_THRESHOLDS: [(f64, &str); 2] = [(2.5, "2_5"), (4.0, "4")];

fn is_standardised(h: &str) -> bool {
    plain(h).starts_with("population standardisee")
}

fn is_total(h: &str) -> bool {
    plain(h).starts_with("population totale")
}

/// The workbook's sheets: a commune code, an `APL aux …` column and the standardised
/// population.
pub fn detect_workbook(t: &TextTable) -> Detection {
    let names = t.column_names();
    Detection::from_checks(&[
        (COMMUNE[0], t.find_column(COMMUNE).is_some()),
        ("APL aux …", names.iter().any(|n| apl_column(n).is_some())),
        ("Population standardisée …", names.iter().any(|n| is_standardised(n))),
    ])
}

/// The long CSV derived from the workbook.
pub fn detect_long(t: &TextTable) -> Detection {
    Detection::columns(t, &[&["code_commune"], &["apl_mg"], &["pop_standardisee"], &["year", "annee"]])
}

/// The measure of the standardised population: GPs' is `apl_population_standardised`, another
/// profession's `apl_population_standardised_<profession>` (each profession's consumption by
/// age weighs the population differently).
fn standardised_measure(profession: &str) -> String {
    if profession == "mg" {
        "apl_population_standardised".to_owned()
    } else {
        format!("apl_population_standardised_{profession}")
    }
}

/// The columns of one sheet or file, and the year of each row.
struct Columns {
    apl: Vec<(String, AplColumn)>,
    standardised: Option<String>,
    total: Option<String>,
}

/// Push one table's communes.
fn push(table: &TextTable, cols: &Columns, code_col: &str, years: &[i32], sink: &mut FactSink) -> Result<()> {
    let codes = table.texts(code_col)?;
    let profession = cols.apl.first().map(|(_, c)| c.profession.clone()).unwrap_or_default();
    if let Some((name, other)) = cols.apl.iter().find(|(_, c)| c.profession != profession) {
        return Err(Error::input(
            Location { file: table.file.clone(), line: Some(table.header_line), column: Some(name.clone()) },
            format!("the sheet mixes professions ({} and {}): the standardised population is one profession's", profession, other.profession),
            "give each profession's APL in its own sheet, as DREES publishes them",
        ));
    }
    let standardised = cols.standardised.as_deref().map(|c| table.counts(c)).transpose()?;
    let total = cols.total.as_deref().map(|c| table.counts(c)).transpose()?;
    sink.summary.rows += table.height();
    for (name, c) in &cols.apl {
        let apl = table.numbers(name)?;
        let measure = c.measure();
        for (row, cell) in apl.iter().enumerate() {
            let at = Location::file(&table.file).at(table.line_of(row), code_col);
            let y = years[row];
            if let Cell::Value(v) = cell {
                if *v < 0.0 {
                    return Err(Error::input(
                        at,
                        format!("negative APL {v}"),
                        "an APL is a number of consultations per inhabitant: check the column",
                    ));
                }
            }
            sink.push(&codes[row], Level::Commune, CellKey::published(y, measure.clone(), APL_UNIT), *cell, &at)?;
            if let Some(pop) = &standardised {
                let product = match (cell, pop[row]) {
                    (Cell::Value(a), Cell::Value(p)) => Cell::Value(a * p),
                    _ => Cell::Missing,
                };
                sink.push(&codes[row], Level::Commune, CellKey::count(y, format!("{measure}_x_popstd")), product, &at)?;
            }
        }
    }
    // DREES's thresholds for GPs: the population (total, not standardised, as its note says)
    // of the communes whose APL is under each, so that a territory's share is a ratio of sums.
    if profession == "mg" {
        if let Some(total) = &total {
            for (name, c) in &cols.apl {
                let apl = table.numbers(name)?;
                for (threshold, suffix) in GP_THRESHOLDS {
                    let measure = format!("{}_population_under_{suffix}", c.measure());
                    for (row, cell) in apl.iter().enumerate() {
                        let at = Location::file(&table.file).at(table.line_of(row), code_col);
                        let under = match (cell, total[row]) {
                            (Cell::Value(a), Cell::Value(p)) => Cell::Value(if *a < threshold { p } else { 0.0 }),
                            _ => Cell::Missing,
                        };
                        sink.push(&codes[row], Level::Commune, CellKey::count(years[row], measure.clone()), under, &at)?;
                    }
                }
            }
        }
    }
    for (cells, measure) in [(&standardised, standardised_measure(&profession)), (&total, "apl_population_total".to_owned())] {
        if let Some(cells) = cells {
            for (row, cell) in cells.iter().enumerate() {
                let at = Location::file(&table.file).at(table.line_of(row), code_col);
                sink.push(&codes[row], Level::Commune, CellKey::count(years[row], measure.clone()), *cell, &at)?;
            }
        }
    }
    Ok(())
}

/// The APL's year of a sheet: its « Millésime : 2022 » line, the year in its title, its sheet
/// name (`APL 2022`), or the year given.
fn sheet_year(table: &TextTable, given: Option<i32>) -> Option<i32> {
    let year_in = |t: &str| {
        t.split(|c: char| !c.is_ascii_digit()).filter(|w| w.len() == 4).filter_map(|w| w.parse::<i32>().ok()).find(|y| (1990..=2100).contains(y))
    };
    let titled = |what: &str| table.titles.iter().filter(|t| plain(t).contains(what)).find_map(|t| year_in(t));
    titled("millesime").or_else(|| titled("apl")).or_else(|| table.file.rsplit_once("(sheet ").and_then(|(_, s)| year_in(s))).or(given)
}

/// Read one sheet of a DREES APL workbook.
pub fn read_workbook(table: &TextTable, year: Option<i32>, sink: &mut FactSink) -> Result<()> {
    let (units, table) = match table.split_units_line()? {
        Some(split) => (split.units, split.rest),
        None => (Vec::new(), table.clone()),
    };
    let code_col = table.require_column("commune code", COMMUNE)?;
    let names = table.column_names();
    let apl: Vec<(String, AplColumn)> = names.iter().filter_map(|n| apl_column(n).map(|c| (n.clone(), c))).collect();
    let standardised = names.iter().find(|n| is_standardised(n)).cloned();
    let total = names.iter().find(|n| is_total(n)).cloned();
    let label = apl.first().map_or_else(String::new, |(n, _)| n.trim().trim_start_matches("APL").trim().to_owned());
    sink.origin(Origin::source("DREES", format!("APL {label}").trim()));
    // Each sheet lists the communes of its millésime: those merged since add up.
    sink.former_communes_add_up();
    for n in &names {
        if *n != code_col && !apl.iter().any(|(a, _)| a == n) && Some(n) != standardised.as_ref() && Some(n) != total.as_ref() {
            sink.summary.ignored_columns.insert(n.clone());
        }
    }
    let y = sheet_year(&table, year).ok_or_else(|| {
        Error::input(
            Location::file(&table.file),
            "the sheet does not say its year (« Millésime : 2022 », or a sheet named APL 2022)",
            "give the year of the data",
        )
    })?;
    if let Some((_, unit)) = units.iter().find(|(n, _)| apl.iter().any(|(a, _)| a == n)) {
        if !plain(unit).contains("habitant standardise") {
            sink.summary.notes.push(format!("the APL's unit line says «{unit}», not consultations per standardised inhabitant"));
        }
    }
    let population_years: Vec<String> = [&standardised, &total]
        .into_iter()
        .flatten()
        .filter_map(|n| plain(n).split(' ').find_map(|w| w.parse::<i32>().ok().filter(|y| *y > 1900)))
        .map(|py| py.to_string())
        .collect();
    if let Some(py) = population_years.first().filter(|py| **py != y.to_string()) {
        sink.summary.notes.push(format!("the APL {y}'s populations are those of {py} (its weights), kept under the year {y}"));
    }
    let cols = Columns { apl, standardised, total };
    push(&table, &cols, &code_col, &vec![y; table.height()], sink)
}

/// Read the long CSV derived from the workbook.
pub fn read_long(table: &TextTable, sink: &mut FactSink) -> Result<()> {
    sink.origin(Origin::source("DREES", "APL aux médecins généralistes"));
    sink.former_communes_add_up();
    let code_col = table.require_column("commune code", &["code_commune"])?;
    let year_col = table.require_column("year", &["year", "annee"])?;
    let years = table
        .texts(&year_col)?
        .iter()
        .enumerate()
        .map(|(row, y)| {
            y.parse::<i32>().map_err(|_| {
                Error::input(
                    Location::file(&table.file).at(table.line_of(row), year_col.as_str()),
                    format!("«{y}» is not a year"),
                    "write the year with four digits",
                )
            })
        })
        .collect::<Result<Vec<i32>>>()?;
    let mut apl = Vec::new();
    let (mut standardised, mut total) = (None, None);
    for name in table.column_names() {
        let lower = name.trim().to_ascii_lowercase();
        match lower.as_str() {
            n if n == code_col.to_ascii_lowercase() || n == year_col.to_ascii_lowercase() => {}
            "pop_standardisee" => standardised = Some(name),
            "pop_totale" => total = Some(name),
            n if n.starts_with("apl_mg") => {
                let age = n.split(|c: char| !c.is_ascii_digit()).find(|w| !w.is_empty()).and_then(|w| w.parse().ok());
                apl.push((name, AplColumn { profession: "mg".into(), max_age: age }));
            }
            _ => {
                sink.summary.ignored_columns.insert(name);
            }
        }
    }
    sink.summary.notes.push("derived from DREES's workbook: each year's populations are that APL's weights (those of two years before)".into());
    let cols = Columns { apl, standardised, total };
    push(table, &cols, &code_col, &years, sink)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::Referential;
    use crate::ingest::statloc::tests::{get, get_at};
    use crate::ingest::{realdata, Encoding};

    #[test]
    fn apl_headers() {
        let c = apl_column("APL aux médecins généralistes de moins de 65 ans").unwrap();
        assert_eq!((c.measure(), c.max_age), ("apl_mg65".to_owned(), Some(65)));
        assert_eq!(apl_column("APL aux médecins généralistes").unwrap().measure(), "apl_mg");
        assert_eq!(apl_column("APL aux médecins généralistes de 62 ans et moins").unwrap().measure(), "apl_mg62");
        assert_eq!(apl_column("APL aux médecins généralistes âgés de 60 ans ou moins").unwrap().measure(), "apl_mg60");
        assert_eq!(apl_column("APL aux infirmiers").unwrap().measure(), "apl_infirmiers");
        assert_eq!(apl_column("APL aux masseurs-kinésithérapeutes").unwrap().measure(), "apl_kinesitherapeutes");
        assert_eq!(apl_column("APL aux psychiatres").unwrap().measure(), "apl_psychiatres");
        assert!(apl_column("Population totale 2020").is_none());
    }

    /// The real workbook: the row of 01001 L'Abergement-Clémenciat in `APL 2022` (1.89, 1.828,
    /// 810.855, 806) and in `APL 2023`; Paris by arrondissement.
    #[test]
    fn real_workbook() {
        let Some(path) = realdata("medical/drees_apl_medecins_generalistes_2022_2023.xlsx") else { return };
        let r = Referential::embedded().unwrap();
        let tables = TextTable::read_all(&path, Encoding::Auto).unwrap();
        assert_eq!(tables.len(), 3);
        let mut sink = FactSink::new(&r, "t", false);
        for t in tables.into_iter().flatten() {
            if detect_workbook(&t) == Detection::Yes {
                read_workbook(&t, None, &mut sink).unwrap();
            }
        }
        let (df, s) = sink.finish().unwrap();
        let c = |m: &str| get_at(&df, "01001", m, 2022);
        assert_eq!(get_at(&df, "01001", "apl_mg", 2023), Some(Some(1.942)));
        let years: std::collections::BTreeSet<i32> = df.column("year").unwrap().i32().unwrap().iter().flatten().collect();
        assert_eq!(years.into_iter().collect::<Vec<_>>(), [2022, 2023]);
        assert_eq!(c("apl_mg"), Some(Some(1.89)));
        assert_eq!(c("apl_mg65"), Some(Some(1.828)));
        assert_eq!(c("apl_population_standardised"), Some(Some(810.855)));
        assert_eq!(c("apl_population_total"), Some(Some(806.0)));
        let x = c("apl_mg_x_popstd").flatten().unwrap();
        assert!((x - 1.89 * 810.855).abs() < 1e-9, "{x}");
        assert!(c("apl_mg65_x_popstd").flatten().is_some());
        assert!(get(&df, "75112", "commune", "apl_mg", "all", None).is_some(), "Paris by arrondissement");
        // Haut Valromey (01187: 0.692, 662.88, 615) and Ruffieu (01330: 1.061, 199.095, 180),
        // one commune since: the counts add up, the APL is their ratio, not either's.
        assert_eq!(get_at(&df, "01187", "apl_population_total", 2022), Some(Some(795.0)));
        assert_eq!(get_at(&df, "01187", "apl_mg", 2022), Some(None));
        let (x, p) = (
            get_at(&df, "01187", "apl_mg_x_popstd", 2022).flatten().unwrap(),
            get_at(&df, "01187", "apl_population_standardised", 2022).flatten().unwrap(),
        );
        assert!((x / p - (0.692 * 662.88 + 1.061 * 199.095) / (662.88 + 199.095)).abs() < 1e-12, "{}", x / p);
        assert!(s.former_not_used.is_empty(), "{:?}", s.former_not_used);
        assert!(s.notes.iter().any(|n| n.contains("populations are those of 2020")), "{:?}", s.notes);
        assert!(s.ignored_columns.contains("Commune"), "{:?}", s.ignored_columns);
        assert!(s.communes.len() > 34_000, "{}", s.communes.len());
    }

    /// DREES's aggregation on the real workbook: a département's APL is Σ APL × standardised
    /// population / Σ standardised population, its share under a threshold Σ total population
    /// of the communes under it / Σ total population. Checked by hand with awk on the long CSV
    /// for the Creuse (23, 256 communes): 2022 APL 3.031787, APL ≤ 65 2.484729, 26.6891 % of
    /// 115,995 inhabitants under 2.5, 83.7027 % under 4; 2023 APL 2.970945, 30.5673 % under
    /// 2.5. The test also recomputes them from the long CSV, read as plain text.
    #[test]
    fn drees_aggregation_on_the_real_workbook() {
        let Some(path) = realdata("medical/drees_apl_medecins_generalistes_2022_2023.xlsx") else { return };
        let r = Referential::embedded().unwrap();
        let mut sink = FactSink::new(&r, "t", false);
        for t in TextTable::read_all(&path, Encoding::Auto).unwrap().into_iter().flatten() {
            if detect_workbook(&t) == Detection::Yes {
                read_workbook(&t, None, &mut sink).unwrap();
            }
        }
        let (df, s) = sink.finish().unwrap();
        assert!(s.measures.contains("apl_mg65_population_under_4"), "{:?}", s.measures);
        let (g, m, y, v) = (
            df.column("geo").unwrap().str().unwrap(),
            df.column("measure").unwrap().str().unwrap(),
            df.column("year").unwrap().i32().unwrap(),
            df.column("value").unwrap().f64().unwrap(),
        );
        let sum = |measure: &str, year: i32| -> f64 {
            (0..df.height())
                .filter(|&i| g.get(i).is_some_and(|c| c.starts_with("23")) && m.get(i) == Some(measure) && y.get(i) == Some(year))
                .map(|i| v.get(i).unwrap())
                .sum()
        };
        let apl = |p: &str, year| sum(&format!("{p}_x_popstd"), year) / sum("apl_population_standardised", year);
        let share = |p: &str, t: &str, year| 100.0 * sum(&format!("{p}_population_under_{t}"), year) / sum("apl_population_total", year);
        let close = |a: f64, b: f64, what: &str| assert!((a - b).abs() < 1e-4, "{what}: {a} against {b}");
        close(apl("apl_mg", 2022), 3.031787, "APL 2022");
        close(apl("apl_mg65", 2022), 2.484729, "APL ≤ 65 2022");
        close(share("apl_mg", "2_5", 2022), 26.6891, "under 2.5 2022");
        close(share("apl_mg", "4", 2022), 83.7027, "under 4 2022");
        close(apl("apl_mg", 2023), 2.970945, "APL 2023");
        close(share("apl_mg", "2_5", 2023), 30.5673, "under 2.5 2023");
        assert_eq!(sum("apl_population_total", 2022), 115_995.0);
        // The same from the long CSV, read as plain text (no reader of this crate).
        let Some(long) = realdata("medical/drees_apl_mg_commune_2022_2023_long.csv") else { return };
        let text = std::fs::read_to_string(long).unwrap();
        for year in [2022, 2023] {
            let (mut x, mut x65, mut ps, mut pt, mut under, mut under65) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
            for line in text.lines().skip(1) {
                let f: Vec<&str> = line.split(',').collect();
                if f[0] != year.to_string() || !f[1].starts_with("23") {
                    continue;
                }
                let n = |i: usize| f[i].parse::<f64>().unwrap();
                (x, x65, ps, pt) = (x + n(3) * n(5), x65 + n(4) * n(5), ps + n(5), pt + n(6));
                under += if n(3) < 2.5 { n(6) } else { 0.0 };
                under65 += if n(4) < 4.0 { n(6) } else { 0.0 };
            }
            close(apl("apl_mg", year), x / ps, "APL");
            close(apl("apl_mg65", year), x65 / ps, "APL ≤ 65");
            close(share("apl_mg", "2_5", year), 100.0 * under / pt, "under 2.5");
            close(share("apl_mg65", "4", year), 100.0 * under65 / pt, "≤ 65 under 4");
        }
    }

    /// The units line under the header is read as units, and a GP workbook of another year
    /// with its 62- and 60-year variants, or of another profession, gives its own measures.
    #[test]
    fn other_years_and_professions() {
        let r = Referential::embedded().unwrap();
        let text = "Indicateur d'accessibilité potentielle localisée (APL) 2019 aux médecins généralistes;;;;;;\n\
                    Millésime : 2019;;;;;;\n\
                    Code commune INSEE;Commune;APL aux médecins généralistes;APL aux médecins généralistes de 62 ans et moins;APL aux médecins généralistes de 60 ans et moins;Population standardisée 2017 pour la médecine générale;Population totale 2017\n\
                    ;;En nombre de consultations/visites accessibles par habitant standardisé;idem;idem;En nombre d'habitants standardisés;En nombre d'habitants\n\
                    30003;Aigues-Mortes;3,2;2,5;2;8000;8699\n\
                    30006;Aimargues;;;;6000;6100\n";
        let t = TextTable::parse(text.as_bytes(), Encoding::Auto, "apl.csv").unwrap();
        assert_eq!(detect_workbook(&t), Detection::Yes);
        let mut sink = FactSink::new(&r, "t", false);
        read_workbook(&t, None, &mut sink).unwrap();
        let (df, _) = sink.finish().unwrap();
        assert_eq!(get(&df, "30003", "commune", "apl_mg62", "all", None), Some(Some(2.5)));
        assert_eq!(get(&df, "30003", "commune", "apl_mg60_x_popstd", "all", None), Some(Some(16000.0)));
        assert_eq!(get(&df, "30006", "commune", "apl_mg_x_popstd", "all", None), Some(None), "no APL, no product");
        assert_eq!(get(&df, "30006", "commune", "apl_population_standardised", "all", None), Some(Some(6000.0)));
        assert!(df.column("year").unwrap().i32().unwrap().iter().all(|y| y == Some(2019)));
        // The thresholds are strict (2.5 is not under 2.5) and count the total population.
        let under = |m: &str| get(&df, "30003", "commune", m, "all", None);
        assert_eq!(under("apl_mg_population_under_2_5"), Some(Some(0.0)));
        assert_eq!(under("apl_mg_population_under_4"), Some(Some(8699.0)));
        assert_eq!(under("apl_mg62_population_under_2_5"), Some(Some(0.0)));
        assert_eq!(under("apl_mg60_population_under_2_5"), Some(Some(8699.0)));
        assert_eq!(get(&df, "30006", "commune", "apl_mg_population_under_4", "all", None), Some(None), "no APL, not counted");

        let text = "Millésime : 2021;;\nCode commune INSEE;Commune;APL aux infirmiers;Population standardisée 2019 pour les soins infirmiers;Population totale 2019\n\
                    30003;Aigues-Mortes;150;8100;8699\n";
        let t = TextTable::parse(text.as_bytes(), Encoding::Auto, "apl-inf.csv").unwrap();
        let mut sink = FactSink::new(&r, "t", false);
        read_workbook(&t, None, &mut sink).unwrap();
        let (df, s) = sink.finish().unwrap();
        assert_eq!(get(&df, "30003", "commune", "apl_infirmiers_x_popstd", "all", None), Some(Some(150.0 * 8100.0)));
        assert_eq!(get(&df, "30003", "commune", "apl_population_standardised_infirmiers", "all", None), Some(Some(8100.0)));
        assert!(s.measures.contains("apl_population_total"));
        assert!(!s.measures.iter().any(|m| m.contains("_under_")), "GPs' thresholds only: {:?}", s.measures);
    }

    /// The derived long CSV: 2023's row of 01001 (`2023,01001,…`), checked by hand.
    #[test]
    fn real_long_csv() {
        let Some(path) = realdata("medical/drees_apl_mg_commune_2022_2023_long.csv") else { return };
        let r = Referential::embedded().unwrap();
        let t = TextTable::read(&path, Encoding::Auto).unwrap();
        assert_eq!(detect_long(&t), Detection::Yes);
        let mut sink = FactSink::new(&r, "t", false);
        read_long(&t, &mut sink).unwrap();
        let (df, s) = sink.finish().unwrap();
        assert_eq!(s.rows, 69_918);
        assert!(s.measures.contains("apl_mg65_x_popstd") && s.measures.contains("apl_population_total"), "{:?}", s.measures);
        assert!(s.ignored_columns.contains("commune"));
        // 2023,01001,L'Abergement-Clémenciat,1.942,1.881,838.154,832
        assert_eq!(get_at(&df, "01001", "apl_mg", 2023), Some(Some(1.942)));
        assert_eq!(get_at(&df, "01001", "apl_mg65", 2023), Some(Some(1.881)));
        assert_eq!(get_at(&df, "01001", "apl_population_standardised", 2023), Some(Some(838.154)));
        assert_eq!(get_at(&df, "01001", "apl_population_total", 2023), Some(Some(832.0)));
        assert_eq!(get_at(&df, "01001", "apl_population_total", 2022), Some(Some(806.0)));
    }
}
