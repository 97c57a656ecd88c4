//! `diagsante report`'s editable documents: `rapport.docx` (unzipped, its XML read: headings,
//! tables, shading, images, the numbers of `diagnostic.csv` as shown) and `tableaux.xlsx`
//! (read back with calamine: its cells against `diagnostic.csv`, types included); data strings
//! with markup characters survive in both.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};
use quick_xml::events::Event;

use crate::{data, diagsante};

/// A paragraph of the document: its style and text.
struct Para {
    style: Option<String>,
    text: String,
}

/// A table cell: its text (paragraphs joined by a line break) and its shading.
#[derive(Default, Clone)]
struct TableCell {
    text: String,
    fill: Option<String>,
}

/// The body of a Word document: its paragraphs (outside tables) and its tables.
struct Body {
    paragraphs: Vec<Para>,
    tables: Vec<Vec<Vec<TableCell>>>,
}

/// The attribute `name` of an element.
fn attr(e: &quick_xml::events::BytesStart, name: &str) -> Option<String> {
    e.try_get_attribute(name).unwrap().map(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).unwrap().into_owned())
}

/// Parse `word/document.xml`: fails on XML that is not well-formed.
fn body(xml: &str) -> Body {
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut paragraphs, mut tables) = (Vec::new(), Vec::<Vec<Vec<TableCell>>>::new());
    let (mut para, mut in_text, mut depth) = (None::<Para>, false, 0usize);
    let mut cell: Option<TableCell> = None;
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("document.xml is not well-formed at {}: {e}", reader.buffer_position())) {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "w:pStyle" => {
                if let Some(p) = para.as_mut() {
                    p.style = attr(&e, "w:val");
                }
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "w:shd" => {
                if let Some(c) = cell.as_mut().filter(|_| para.is_none()) {
                    c.fill = attr(&e, "w:fill");
                }
            }
            Event::Start(e) => match e.name().as_ref() {
                "w:p" => para = Some(Para { style: None, text: String::new() }),
                "w:t" => in_text = true,
                "w:tbl" => {
                    depth += 1;
                    tables.push(Vec::new());
                }
                "w:tr" => tables.last_mut().unwrap().push(Vec::new()),
                "w:tc" => cell = Some(TableCell::default()),
                _ => {}
            },
            Event::Text(t) if in_text => para.as_mut().unwrap().text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => {
                let c = r.resolve_char_ref().unwrap().unwrap_or_else(|| match &*r.xml10_content() {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    other => panic!("entity {other}"),
                });
                para.as_mut().unwrap().text.push(c);
            }
            Event::End(e) => match e.name().as_ref() {
                "w:t" => in_text = false,
                "w:p" => {
                    let p = para.take().unwrap();
                    match cell.as_mut() {
                        Some(c) if depth > 0 => {
                            if !c.text.is_empty() {
                                c.text.push('\n');
                            }
                            c.text.push_str(&p.text);
                        }
                        _ => paragraphs.push(p),
                    }
                }
                "w:tc" => tables.last_mut().unwrap().last_mut().unwrap().push(cell.take().unwrap()),
                "w:tbl" => depth -= 1,
                _ => {}
            },
            _ => {}
        }
    }
    Body { paragraphs, tables }
}

/// The files of a zip archive, by name.
fn unzip(path: &Path) -> HashMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            (f.name().unwrap().into_owned(), bytes)
        })
        .collect()
}

fn text(files: &HashMap<String, Vec<u8>>, name: &str) -> String {
    String::from_utf8(files.get(name).unwrap_or_else(|| panic!("{name} missing")).clone()).unwrap()
}

/// `diagnostic.csv` as one map per indicator (column → cell), in its order.
fn diagnostic(out: &Path) -> Vec<HashMap<String, String>> {
    let records = crate::csv_records(&std::fs::read_to_string(out.join("diagnostic.csv")).unwrap(), ';');
    let header = records[0].clone();
    records[1..].iter().map(|r| header.iter().cloned().zip(r.iter().cloned()).collect()).collect()
}

fn number(csv: &str) -> Option<f64> {
    (!csv.is_empty()).then(|| csv.replace(',', ".").parse().unwrap())
}

/// A number as a table shows it (« 1 234,5 % ») and its decimals.
fn shown(text: &str) -> (f64, i32) {
    let digits = text.split('\u{a0}').next().unwrap().replace(['\u{202f}', '*'], "");
    let decimals = digits.split_once(',').map_or(0, |(_, d)| d.len() as i32);
    (digits.replace(',', ".").parse().unwrap_or_else(|_| panic!("not a number: {text:?}")), decimals)
}

/// What a table shows for a value of `diagnostic.csv` whose status is `status`.
fn withheld(status: &str) -> &'static str {
    if status.starts_with("secret") {
        "s"
    } else {
        "n.d."
    }
}

/// The legend's colour of each comparison (the report's legend says which is which).
fn fill_of(comparison: &str) -> Option<&'static str> {
    match comparison {
        "moins bon" => Some("EAAF80"),
        "meilleur" => Some("80CEB9"),
        "plus élevé" => Some("E6BCD3"),
        "plus bas" => Some("ABDAF4"),
        "similaire" => Some("F8F2A1"),
        _ => None,
    }
}

fn report(args: &[&str], cache: &Path) {
    let o = diagsante().env("DIAGSANTE_CACHE", cache).arg("report").args(args).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    for f in ["rapport.html", "rapport.docx", "tableaux.xlsx"] {
        assert!(stdout.contains(f), "{f} not said in {stdout}");
    }
}

#[test]
fn the_word_document_and_the_workbook_show_the_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    report(&["--territory", "cpts-camargue-gardoise", "--out", out.to_str().unwrap()], &dir.path().join("cache"));
    let rows = diagnostic(&out);
    let docx = unzip(&out.join("rapport.docx"));
    let catalogue = diagsante::indicators::catalogue::load(None).unwrap();
    let weighted_means: Vec<&str> =
        catalogue.iter().filter(|i| i.method == diagsante::indicators::Method::WeightedMean).map(|i| i.id.as_str()).collect();
    assert!(weighted_means.contains(&"apl_mg"));

    // Word's built-in heading styles (« Titre 1 » in a French Word), the sections in the
    // page's order, A4 portrait, French proofing.
    let styles = text(&docx, "word/styles.xml");
    assert!(styles.contains(r#"w:styleId="Heading1"><w:name w:val="heading 1" />"#), "Heading1 is Word's heading 1");
    assert!(styles.contains(r#"<w:lang w:val="fr-FR""#));
    let document = text(&docx, "word/document.xml");
    assert!(document.contains(r#"<w:pgSz w:w="11906" w:h="16838""#), "A4 portrait");
    let body = body(&document);
    let headings: Vec<&str> = body.paragraphs.iter().filter(|p| p.style.as_deref() == Some("Heading1")).map(|p| p.text.as_str()).collect();
    assert_eq!(headings, crate::report::SECTIONS, "the sections of the page, in order");
    assert!(body.paragraphs.iter().any(|p| p.style.as_deref() == Some("Heading2") && p.text == "Rang parmi les EPCI de France"));
    // The default data is partly real, partly synthetic: the banner says so.
    assert!(body.paragraphs.iter().any(|p| p.text.starts_with("Données en partie synthétiques")), "the synthetic-data banner");
    assert!(body.paragraphs.iter().any(|p| p.text == "Données : données synthétiques de démonstration"), "the provenance under a table");

    // Every chart as its PNG, with its caption and source.
    let charts: Vec<Vec<u8>> = std::fs::read_dir(out.join("graphiques"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    let media: Vec<&Vec<u8>> = docx.iter().filter(|(name, _)| name.starts_with("word/media/") && name.ends_with(".png")).map(|(_, b)| b).collect();
    assert_eq!(media.len(), charts.len(), "one image per chart");
    for png in &charts {
        assert!(media.contains(&png), "a chart missing from the document");
    }
    let captions: Vec<&Para> = body.paragraphs.iter().filter(|p| p.style.as_deref() == Some("Caption")).collect();
    assert_eq!(captions.len(), charts.len());
    for c in &captions {
        assert!(c.text.starts_with("Figure ") && c.text.contains("Source : "), "{}", c.text);
    }

    // The indicator tables: each indicator once, its value as diagnostic.csv's rounded to the
    // decimals shown, France's too, and France's cell shaded by the comparison.
    let mut found = 0;
    for table in &body.tables {
        if table[0].len() != 8 || table[0][2].text != "Territoire" {
            continue;
        }
        assert_eq!(table[0][6].text, "France");
        for cells in &table[1..] {
            let label = cells[0].text.lines().next().unwrap();
            let row = rows.iter().find(|r| r["label"] == label).unwrap_or_else(|| panic!("{label} not in diagnostic.csv"));
            found += 1;
            for (cell, value, status) in [(&cells[2], "value", row["status"].as_str()), (&cells[6], "france_value", "")] {
                match number(&row[value]) {
                    Some(v) => {
                        let (x, decimals) = shown(&cell.text);
                        assert!((x - v).abs() <= 0.5 * 10f64.powi(-decimals) + 1e-9, "{label} {value}: shown {}, diagnostic.csv {v}", cell.text);
                    }
                    None => assert_eq!(cell.text, withheld(status), "{label} {value}"),
                }
            }
            assert_eq!(cells[6].fill.as_deref(), fill_of(&row["comparison_france_95"]), "{label}: France's cell shading");
        }
    }
    assert_eq!(found, rows.len(), "every indicator in the document's tables");

    // The workbook: one sheet per theme, the projection, the ranks, the peers, the methods.
    let mut wb = open_workbook_auto(out.join("tableaux.xlsx")).unwrap();
    let names = wb.sheet_names();
    for s in [
        "Contexte démographique",
        "Contexte socio-économique",
        "Besoins de santé",
        "Accès aux soins",
        "Prévention",
        "Offre de soins",
        "Projection des médecins",
        "Rang parmi les EPCI",
        "EPCI les plus proches",
        "Méthodes",
    ] {
        assert!(names.iter().any(|n| n == s), "sheet {s} not in {names:?}");
    }
    // The « Offre de soins » table: a profession by row, the headcount and density of the
    // territory, its département, its région and France. The Gard's, Occitanie's and France's
    // liberal nurses are ameli's 2024 headcounts (1,814, 12,944, 99,023: by hand in
    // ameli_demographie_ps_liberaux_dep_2024.csv), in the workbook and in the Word document.
    let supply = wb.worksheet_range("Effectifs et densités").unwrap();
    let lines: Vec<Vec<Data>> = supply.rows().map(|r| r.to_vec()).collect();
    assert_eq!(lines[0][2].to_string(), "Territoire : effectif");
    assert_eq!(lines[1][0].to_string(), "Médecins généralistes", "the GPs first, as the diagnostics quote them");
    let nurses = lines.iter().find(|l| l[0] == Data::String("Infirmiers".into())).expect("a line of nurses");
    assert_eq!([&nurses[4], &nurses[6], &nurses[8]], [&Data::Float(1814.0), &Data::Float(12944.0), &Data::Float(99023.0)]);
    assert!(nurses[10].to_string().contains("département, région, France : Assurance Maladie"), "{:?}", nurses[10]);
    // Under the GPs, their share aged 60+ (the catalogue's mg_60_plus): the Gard's share as
    // diagnostic.csv gives it. The facilities follow the professions in the seeds' order
    // (laboratories O22, MSP and centres O25, EHPAD O26, hospitals, emergency units, imaging O27).
    assert_eq!(lines[2][0].to_string(), "Médecins généralistes : 60 ans et plus");
    let mg_60 = rows.iter().find(|r| r["id"] == "mg_60_plus").unwrap();
    match (&lines[2][5], number(&mg_60["departement_value"])) {
        (Data::Float(x), Some(v)) => assert!((x - v).abs() <= 1e-9 * v.abs().max(1.0), "{x} vs {v}"),
        (cell, v) => panic!("the Gard's share of GPs aged 60+: {cell:?} vs {v:?}"),
    }
    let at = |label: &str| lines.iter().position(|l| l[0] == Data::String(label.into())).unwrap_or_else(|| panic!("a line «{label}»"));
    let order = [
        "Laboratoires de biologie médicale",
        "Maisons de santé pluriprofessionnelles",
        "Centres de santé",
        "EHPAD",
        "Établissements de santé de court séjour",
        "Services d'urgences",
        "Appareils d'IRM",
        "Scanographes",
    ]
    .map(at);
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert_eq!(lines[order[3]][1].to_string(), "pour 10 000 habitants de 75 ans et plus");
    let table = body.tables.iter().find(|t| t[0][0].text == "Profession ou équipement").expect("the « Offre de soins » table in Word");
    let nurses = table.iter().find(|row| row[0].text == "Infirmiers").expect("a row of nurses");
    let digits = |t: &str| t.chars().filter(char::is_ascii_digit).collect::<String>();
    assert_eq!([digits(&nurses[4].text), digits(&nurses[6].text), digits(&nurses[8].text)], ["1814", "12944", "99023"]);

    // Each indicator's cells equal diagnostic.csv's, numbers as numbers.
    let mut seen = Vec::new();
    for sheet in &names[..6] {
        let range = wb.worksheet_range(sheet).unwrap();
        let mut lines = range.rows();
        let header: Vec<String> = lines.next().unwrap().iter().map(|c| c.to_string()).collect();
        let at = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name} not in {header:?}"));
        for cells in lines {
            let id = cells[at("Identifiant")].to_string();
            let row = rows.iter().find(|r| r["id"] == id).unwrap_or_else(|| panic!("{id}"));
            seen.push(id.clone());
            assert_eq!(cells[at("Indicateur")], Data::String(row["label"].clone()));
            for (column, csv) in [
                ("Valeur", "value"),
                ("Effectif", "count"),
                ("IC 95 % bas", "lower_95"),
                ("IC 99,8 % haut", "upper_99_8"),
                ("France", "france_value"),
            ] {
                let expected = match number(&row[csv]) {
                    // A weighted mean's numerator (Σ APL × weight) is no headcount: left empty.
                    Some(_) if csv == "count" && weighted_means.contains(&row["id"].as_str()) => Data::Empty,
                    Some(v) => Data::Float(v),
                    None if csv == "value" => Data::String(withheld(&row["status"]).into()),
                    None if csv == "france_value" => cells[at(column)].clone(),
                    None => Data::Empty,
                };
                match (&cells[at(column)], &expected) {
                    (Data::Float(a), Data::Float(b)) => assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{id} {column}: {a} vs {b}"),
                    (got, expected) => assert_eq!(got, expected, "{id} {column}"),
                }
            }
            assert_eq!(cells[at("Écart avec France (95 %)")].to_string(), row["comparison_france_95"], "{id}");
            assert_eq!(cells[at("Données")].to_string(), row["data"], "{id}");
        }
    }
    let all: Vec<&String> = rows.iter().map(|r| &r["id"]).collect();
    assert_eq!(seen.iter().collect::<Vec<_>>(), all, "every indicator once, in catalogue order");
    let methods = wb.worksheet_range("Méthodes").unwrap();
    assert_eq!(methods.rows().count(), rows.len() + 1);
    let projection = wb.worksheet_range("Projection des médecins").unwrap();
    let csv = crate::csv_records(&std::fs::read_to_string(out.join("projection.csv")).unwrap(), ';');
    assert_eq!(projection.rows().count(), csv.len(), "every year of every scenario");
    assert!(matches!(projection.rows().nth(1).unwrap()[1], Data::Float(y) if y >= 2020.0), "years as numbers");

    // Frozen header, autofilter, widths and conditional colours on every table sheet.
    let xlsx = unzip(&out.join("tableaux.xlsx"));
    let sheet = text(&xlsx, "xl/worksheets/sheet1.xml");
    for part in [r#"state="frozen""#, "<autoFilter ", "<cols>", "<conditionalFormatting "] {
        assert!(sheet.contains(part), "{part} in sheet1.xml");
    }
}

/// Ingest the patientèle test file into `dir`.
fn ingest_patientele(dir: &Path) {
    let file = data("ingest/patientele-17p-70p.csv");
    let o = diagsante().args(["ingest", "patientele", file.to_str().unwrap(), "--year", "2024", "--out", dir.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn text_with_markup_survives_in_both_documents() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    ingest_patientele(&data_dir);
    // A Rezone export whose indicator's label holds markup characters and quotes.
    const LABEL: &str = r#"Part <des> patients & "aidants" 'suivis'"#;
    let rezone = std::fs::read_to_string(data("ingest/rezone.csv")).unwrap().replace("Part des patients en ALD diabète", LABEL);
    let file = dir.path().join("rezone.csv");
    std::fs::write(&file, rezone).unwrap();
    let o = diagsante().args(["ingest", "rezone", file.to_str().unwrap(), "--out", data_dir.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let out = dir.path().join("out");
    let cache = dir.path().join("cache");
    report(&["--territory", "cpts-camargue-gardoise", "--data", data_dir.to_str().unwrap(), "--out", out.to_str().unwrap()], &cache);
    let docx = unzip(&out.join("rapport.docx"));
    let labelled = body(&text(&docx, "word/document.xml"));
    assert!(labelled.tables.iter().flatten().flatten().any(|c| c.text.lines().next() == Some(LABEL)), "the label in a table of the document");
    let mut wb = open_workbook_auto(out.join("tableaux.xlsx")).unwrap();
    let others = wb.worksheet_range("Autres indicateurs").unwrap();
    assert!(others.rows().any(|r| r[0] == Data::String(LABEL.into())), "the label in the workbook");

    // A territory's name in the title of the document and of the workbook.
    let named = dir.path().join("named");
    report(
        &[
            "--territory",
            data("territories/script-name.toml").to_str().unwrap(),
            "--data",
            data_dir.to_str().unwrap(),
            "--out",
            named.to_str().unwrap(),
        ],
        &cache,
    );
    let name = r#"CPTS <script>alert("x")</script> & Cie"#;
    let docx = unzip(&named.join("rapport.docx"));
    let body = body(&text(&docx, "word/document.xml"));
    assert_eq!(body.paragraphs[0].style.as_deref(), Some("Title"));
    assert_eq!(body.paragraphs[0].text, format!("Diagnostic territorial de santé — {name}"));
    let core = text(&unzip(&named.join("tableaux.xlsx")), "docProps/core.xml");
    let title = &core[core.find("<dc:title>").unwrap() + 10..core.find("</dc:title>").unwrap()];
    assert_eq!(quick_xml::escape::unescape(title).unwrap(), format!("Tableaux du diagnostic territorial de santé — {name}"));
}

#[test]
fn only_the_documents_asked_for_are_written_and_earlier_ones_go() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    ingest_patientele(&data_dir);
    let o =
        diagsante().args(["ingest", "rezone", data("ingest/rezone.csv").to_str().unwrap(), "--out", data_dir.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = dir.path().join("out");
    let run = |formats: &str| {
        let o = diagsante()
            .env("DIAGSANTE_CACHE", dir.path().join("cache"))
            .args([
                "report",
                "--territory",
                "cpts-camargue-gardoise",
                "--data",
                data_dir.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--format",
                formats,
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    run("html,docx,xlsx");
    assert!(out.join("rapport.html").exists() && out.join("rapport.docx").exists() && out.join("tableaux.xlsx").exists());
    run("xlsx");
    assert!(out.join("tableaux.xlsx").exists() && out.join("diagnostic.csv").exists());
    assert!(!out.join("rapport.html").exists() && !out.join("rapport.docx").exists(), "documents of the earlier run left");
    diagsante()
        .args(["report", "--territory", "cpts-camargue-gardoise", "--out", out.to_str().unwrap(), "--format", "pdf"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("pdf"));
}
