//! Deaths by place, year, sex, age band and cause (CépiDc-like tables):
//!
//! ```text
//! CODGEO;annee;sexe;age;cause;deces
//! 30003;2021;1;65-69;tumeurs;4
//! 30003;2021;2;90+;toutes causes;s
//! ```
//! The cause becomes the measure `deaths_<cause>`: CépiDc's chapters map to the vocabulary
//! (`tumeurs` → `deaths_cancer`, `maladies de l'appareil circulatoire` → `deaths_circulatory`,
//! `… respiratoire` → `deaths_respiratory`, `suicides` → `deaths_suicide`; the groups across
//! chapters the ORS tables quote: `… évitable(s) …` → `deaths_avoidable_prevention`, `… tabac`
//! → `deaths_tobacco_related`, `… alcool` → `deaths_alcohol_related`, `accidents de la
//! circulation` → `deaths_road_traffic`; "toutes causes",
//! "ensemble", "all" → `deaths_all_causes`); other labels are folded to ASCII and `_`. Without a
//! cause column every row is all causes. The geography may be communes or départements.

use crate::error::{Error, Location, Result};
use crate::ingest::facts::{CellKey, FactSink, Origin, Sex};
use crate::ingest::insee::{age_bands, geo_column, year_column};
use crate::ingest::TextTable;

/// `Tumeurs malignes` → `tumeurs_malignes`; all-cause labels → `all_causes`.
pub fn cause_slug(label: &str) -> String {
    let folded: String = label
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            c if c.is_ascii_alphanumeric() => c,
            _ => '_',
        })
        .collect();
    let slug = folded.split('_').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("_");
    match slug.as_str() {
        "" | "all" | "all_causes" | "toutes_causes" | "ensemble" | "total" | "tous" => return "all_causes".into(),
        _ => {}
    }
    // The causes of the vocabulary (and of the indicator catalogue), from CépiDc's labels.
    // The groups across chapters first: « cancers liés au tabac » is tobacco-related, not a
    // cancer chapter; « accidents de la circulation » is not « appareil circulatoire ».
    const VOCABULARY: [(&str, &str); 9] = [
        ("evitable", "avoidable_prevention"),
        ("tabac", "tobacco_related"),
        ("alcool", "alcohol_related"),
        ("accidents_de_la_circulation", "road_traffic"),
        ("tumeur", "cancer"),
        ("cancer", "cancer"),
        ("circulatoire", "circulatory"),
        ("respiratoire", "respiratory"),
        ("suicide", "suicide"),
    ];
    VOCABULARY.iter().find(|(word, _)| slug.contains(word)).map_or(slug, |(_, cause)| (*cause).to_owned())
}

/// The column of deaths that tells a deaths table apart (`NB`, also read, is not enough).
pub const DEATHS: &[&str] = &["deces", "décès", "deaths"];

pub fn read(table: &TextTable, year: Option<i32>, sink: &mut FactSink) -> Result<()> {
    let (geo_col, level) = geo_column(table)?;
    let geo = table.texts(&geo_col)?;
    let sex_col = table.find_column(&["SEXE", "sex", "sexe"]);
    let sexes = sex_col.as_deref().map(|c| table.texts(c)).transpose()?;
    let cause_col = table.find_column(&["cause", "CAUSE", "cause_deces", "libelle_cause"]);
    let causes = cause_col.as_deref().map(|c| table.texts(c)).transpose()?;
    // Deaths by cause are CépiDc's; all-cause deaths, INSEE's état civil.
    sink.origin(if causes.is_some() { Origin::source("Inserm-CépiDc", "causes de décès") } else { Origin::source("INSEE", "état civil") });
    let value_col = table.require_column("deaths", &["deces", "décès", "deaths", "NB", "effectif"])?;
    let values = table.counts(&value_col)?;
    let years = year_column(table, year, &mut sink.summary)?;
    let bands = age_bands(table)?;
    sink.summary.rows += table.height();
    for row in 0..table.height() {
        let at = |col: &str| Location::file(&table.file).at(table.line_of(row), col);
        let sex = match (&sexes, &sex_col) {
            (Some(s), Some(col)) => Sex::parse(&s[row])
                .ok_or_else(|| Error::input(at(col), format!("«{}» is not a sex", s[row]), "write 1/2, M/F, H/F or leave empty for both"))?,
            _ => Sex::All,
        };
        let (age_min, age_max) = bands.band(row).map_err(|(col, label)| {
            Error::input(at(&col), format!("«{label}» is not an age or age band"), "write a band such as 0-4, 90+ or a single age")
        })?;
        let cause = causes.as_ref().map_or_else(|| "all_causes".to_owned(), |c| cause_slug(&c[row]));
        let key = CellKey::count(years.year(row, table)?, format!("deaths_{cause}")).sex(sex).ages(age_min, age_max);
        sink.push(&geo[row], level, key, values[row], &at(&geo_col))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::cause_slug;

    #[test]
    fn causes_become_measure_names() {
        assert_eq!(cause_slug("Toutes causes"), "all_causes");
        assert_eq!(cause_slug("Tumeurs malignes"), "cancer");
        assert_eq!(cause_slug("Maladies de l'appareil circulatoire"), "circulatory");
        assert_eq!(cause_slug("Suicides"), "suicide");
        assert_eq!(cause_slug("Accidents de transport"), "accidents_de_transport");
        assert_eq!(cause_slug("Accidents de la circulation"), "road_traffic");
        assert_eq!(cause_slug("Cancers liés au tabac"), "tobacco_related", "the group, not the cancer chapter");
        assert_eq!(cause_slug("Pathologies liées à l'alcool"), "alcohol_related");
        assert_eq!(cause_slug("Mortalité prématurée évitable"), "avoidable_prevention");
    }
}
