//! Values their producers publish already computed — a département's life expectancy
//! (INSEE), its rate of hospitalised patients (ATIH), an EPCI's mortality rate (Observatoire
//! des territoires), a density of nurses (ameli) — set beside the computed diagnostic: for the
//! territory when it is itself a published geography (a commune, an EPCI, a département), and
//! for its département, its région and France. They are shown as published, at their latest
//! period: no interval, no test (their counts are not known).

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::error::Result;
use crate::facts::{AgeBand, Level, Period, Provenance};
use crate::geo::{France, Referential, Territory};

/// One published measure for one sex and age band, at its latest period.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    pub measure: String,
    pub unit: String,
    pub period: Period,
    /// `all`, `M` or `F`.
    pub sex: String,
    pub ages: AgeBand,
    /// The territory, its département, its région and France: `None` when the value is not
    /// published for that geography, `Some(None)` when it is withheld.
    pub values: [Option<Option<f64>>; 4],
    pub provenance: Provenance,
}

impl Published {
    /// The label a French reader sees: the measure's, with the sex and the ages.
    pub fn label(&self) -> String {
        let mut label = label_fr(&self.measure);
        match self.sex.as_str() {
            "M" => label.push_str(", hommes"),
            "F" => label.push_str(", femmes"),
            _ => {}
        }
        if self.ages.min.is_some() || self.ages.max.is_some() {
            label.push_str(&format!(" ({} ans)", self.ages));
        }
        label
    }
}

/// French labels of the published measures the readers produce (the ameli professions'
/// come from [`crate::ingest::ameli::PROFESSIONS`]); others read from their name.
const LABELS: &[(&str, &str)] = &[
    ("life_expectancy_birth", "Espérance de vie à la naissance"),
    ("mortality_rate_crude", "Taux brut de mortalité"),
    ("mortality_rate", "Taux de mortalité"),
    ("mortality_rate_std", "Taux standardisé de mortalité"),
    ("mortality_rate_std_fr2021", "Taux standardisé de mortalité (population de référence France 2021)"),
    ("birth_rate_crude", "Taux brut de natalité"),
    ("population_density", "Densité de population"),
    ("population_share", "Part de la population"),
    ("poverty_rate", "Taux de pauvreté"),
    ("median_income", "Revenu disponible médian par unité de consommation"),
    ("income_q1", "Revenu disponible par unité de consommation, 1er quartile"),
    ("income_q3", "Revenu disponible par unité de consommation, 3e quartile"),
    ("income_d1", "Revenu disponible par unité de consommation, 1er décile"),
    ("income_d2", "Revenu disponible par unité de consommation, 2e décile"),
    ("income_d3", "Revenu disponible par unité de consommation, 3e décile"),
    ("income_d4", "Revenu disponible par unité de consommation, 4e décile"),
    ("income_d6", "Revenu disponible par unité de consommation, 6e décile"),
    ("income_d7", "Revenu disponible par unité de consommation, 7e décile"),
    ("income_d8", "Revenu disponible par unité de consommation, 8e décile"),
    ("income_d9", "Revenu disponible par unité de consommation, 9e décile"),
    ("income_interdecile_ratio", "Rapport interdécile du revenu disponible (D9/D1)"),
    ("income_interquartile_range", "Écart interquartile du revenu disponible"),
    ("income_s80_s20_ratio", "Rapport S80/S20 du revenu disponible"),
    ("gini_index", "Indice de Gini du revenu disponible"),
    ("taxed_households_share", "Part des ménages fiscaux imposés"),
    ("income_share_activity", "Part des revenus d'activité dans le revenu disponible"),
    ("income_share_wages", "Part des salaires et traitements dans le revenu disponible"),
    ("income_share_unemployment_benefits", "Part des indemnités de chômage dans le revenu disponible"),
    ("income_share_self_employment", "Part des revenus des activités non salariées dans le revenu disponible"),
    ("income_share_pensions", "Part des pensions, retraites et rentes dans le revenu disponible"),
    ("income_share_assets", "Part des revenus du patrimoine dans le revenu disponible"),
    ("income_share_social_benefits", "Part des prestations sociales dans le revenu disponible"),
    ("income_share_family_benefits", "Part des prestations familiales dans le revenu disponible"),
    ("income_share_minimum_benefits", "Part des minima sociaux dans le revenu disponible"),
    ("income_share_housing_benefits", "Part des prestations logement dans le revenu disponible"),
    ("income_share_taxes", "Part des impôts dans le revenu disponible"),
    ("apl_mg", "Accessibilité potentielle localisée aux médecins généralistes"),
    ("apl_mg65", "Accessibilité potentielle localisée aux médecins généralistes de 65 ans ou moins"),
    ("ald_share", "Part des bénéficiaires d'une affection de longue durée"),
    ("ophthalmology_patients_share", "Part des patients ayant consulté un ophtalmologue"),
    ("density_gp", "Densité de médecins généralistes"),
    ("density_nurses", "Densité d'infirmiers"),
    ("density_pharmacies", "Densité de pharmacies"),
    ("density_speech_therapists", "Densité d'orthophonistes"),
    ("density_midwives", "Densité de sages-femmes"),
    ("density_physiotherapists", "Densité de masseurs-kinésithérapeutes"),
    ("density_dentists", "Densité de chirurgiens-dentistes"),
    ("hospitalised_patients_rate_std", "Taux standardisé de patients hospitalisés"),
    ("fdep", "Indice de désavantage social (FDep)"),
    ("fdep_quintile", "Quintile de l'indice de désavantage social (FDep)"),
    ("fdep_quintile_weighted", "Quintile de l'indice de désavantage social (FDep), pondéré par la population"),
    ("edi", "Indice européen de défavorisation (EDI)"),
    ("edi_quintile", "Quintile de l'indice européen de défavorisation (EDI)"),
];

/// The French label of a published measure (its name, spaced, when not known).
pub fn label_fr(measure: &str) -> String {
    if let Some(l) = LABELS.iter().find(|(m, _)| *m == measure) {
        return l.1.to_owned();
    }
    // ameli's headcounts and densities, named by the profession as ameli writes it.
    let profession = |slug: &str| crate::ingest::ameli::PROFESSIONS.iter().find(|p| p.1 == slug).map(|p| p.0);
    if let Some(p) = measure.strip_prefix("professionals_").and_then(|m| m.strip_suffix("_density")).and_then(profession) {
        return format!("Densité de professionnels libéraux : {p}");
    }
    if let Some(p) = measure.strip_prefix("professionals_").and_then(profession) {
        return format!("Effectif de professionnels libéraux : {p}");
    }
    let text = measure.strip_prefix("statloc_").unwrap_or(measure).replace('_', " ");
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().collect::<String>() + chars.as_str())
}

/// The published geographies of a diagnostic of `t`, as (level, code) per slot: the
/// territory itself when it is exactly a commune, an EPCI or a département; its département,
/// région; France (any code at the France level but metropolitan France's).
fn slots(t: &Territory, r: &Referential) -> [Option<(Level, String)>; 4] {
    let c = t.comparators(r);
    let mine: std::collections::BTreeSet<&str> = t.units.iter().map(String::as_str).collect();
    let same = |units: Vec<&crate::geo::Unit>| {
        let theirs: std::collections::BTreeSet<&str> = units.iter().filter(|u| u.in_france()).map(|u| u.code.as_str()).collect();
        !theirs.is_empty() && theirs == mine
    };
    let itself = t.units.first().and_then(|first| {
        let unit = r.unit(first)?;
        if same(r.base_units(&unit.commune)) {
            return Some((Level::Commune, unit.commune.clone()));
        }
        if let Some(e) = unit.epci.as_ref().filter(|e| same(r.base_units_of_epci(e))) {
            return Some((Level::Epci, e.clone()));
        }
        same(r.base_units_of_departement(&unit.departement)).then(|| (Level::Departement, unit.departement.clone()))
    });
    [itself, Some((Level::Departement, c.departement)), Some((Level::Region, c.region)), Some((Level::France, String::new()))]
}

/// Codes of metropolitan France at the France level: France hexagonale, not France entière.
const METROPOLITAN: &[&str] = &["FM", "FRM", "METRO", "FRANCE_METROPOLITAINE"];

/// The published values of `facts` (rows of kind `published`, at any level) for `t` and its
/// comparators, each measure × sex × ages at its latest period, sorted by measure. France's
/// are those of `france`: France entière (any code at the France level but metropolitan
/// France's), or France hexagonale (France métropolitaine, `FM`).
pub fn published(t: &Territory, r: &Referential, facts: Option<&DataFrame>, france: France) -> Result<Vec<Published>> {
    let Some(df) = facts else { return Ok(Vec::new()) };
    let df = df.clone().lazy().filter(col("kind").eq(lit("published"))).collect()?;
    let slots = slots(t, r);
    // Only the rows at the slots' codes, or at the France level, can fill a slot: picked first
    // on the columns as they are (the published rows of every commune are many).
    let codes: Vec<&str> = slots.iter().flatten().filter(|(l, _)| *l != Level::France).map(|(_, c)| c.as_str()).collect();
    let (geo, level) = (df.column("geo")?.cast(&DataType::String)?, df.column("level")?.cast(&DataType::String)?);
    let mask: BooleanChunked = geo
        .str()?
        .iter()
        .zip(level.str()?.iter())
        .map(|(g, l)| codes.contains(&g.unwrap_or("")) || l.is_some_and(|l| l.trim().eq_ignore_ascii_case(Level::France.code())))
        .collect();
    let df = df.filter(&mask)?;
    if df.height() == 0 {
        return Ok(Vec::new());
    }
    let text =
        |c: &str| -> Result<Vec<String>> { Ok(df.column(c)?.cast(&DataType::String)?.str()?.iter().map(|v| v.unwrap_or("").to_owned()).collect()) };
    let int = |c: &str| -> Result<Vec<Option<i64>>> { Ok(df.column(c)?.cast(&DataType::Int64)?.i64()?.iter().collect()) };
    let (geo, level, measure, sex, unit, publisher, dataset) =
        (text("geo")?, text("level")?, text("measure")?, text("sex")?, text("unit")?, text("publisher")?, text("dataset")?);
    let (start, end, age_min, age_max) = (int("year_start")?, int("year")?, int("age_min")?, int("age_max")?);
    let value: Vec<Option<f64>> = df.column("value")?.cast(&DataType::Float64)?.f64()?.iter().collect();
    type Key = (String, String, Option<i64>, Option<i64>, String, String, String);
    let mut groups: BTreeMap<Key, Vec<(usize, usize)>> = BTreeMap::new();
    for i in 0..df.height() {
        let Some(lvl) = Level::parse(&level[i]) else { continue };
        let slot = slots.iter().position(|s| match s {
            Some((Level::France, _)) => {
                lvl == Level::France && METROPOLITAN.contains(&geo[i].to_uppercase().as_str()) == (france == France::Hexagonale)
            }
            Some((l, code)) => *l == lvl && *code == geo[i],
            None => false,
        });
        if let Some(slot) = slot {
            let key = (measure[i].clone(), sex[i].clone(), age_min[i], age_max[i], unit[i].clone(), publisher[i].clone(), dataset[i].clone());
            groups.entry(key).or_default().push((slot, i));
        }
    }
    let mut out = Vec::new();
    for ((measure, sex, age_min, age_max, unit, publisher, dataset), rows) in groups {
        // The latest period given for any of the geographies (a projection is not a value).
        let now = i64::from(crate::facts::current_year());
        let Some(latest) = rows.iter().filter_map(|&(_, i)| Some((end[i]?, start[i]?))).filter(|(e, _)| *e <= now).max() else { continue };
        let mut values = [None; 4];
        for &(slot, i) in &rows {
            if (end[i], start[i]) == (Some(latest.0), Some(latest.1)) {
                values[slot] = Some(value[i]);
            }
        }
        let period = Period { start: latest.1 as i32, end: latest.0 as i32 };
        let ages = AgeBand::new(age_min.map(|a| a as u32), age_max.map(|a| a as u32));
        out.push(Published { measure, unit, period, sex, ages, values, provenance: Provenance::Source { publisher, dataset, period } });
    }
    Ok(out)
}

/// The table written beside the diagnostic (`valeurs-publiees.csv`).
pub fn frame(rows: &[Published], names: &[String; 4]) -> Result<DataFrame> {
    let text = |f: &dyn Fn(&Published) -> String| rows.iter().map(f).collect::<Vec<_>>();
    let mut columns = vec![
        Column::new("measure".into(), text(&|p| p.measure.clone())),
        Column::new("label".into(), text(&|p| p.label())),
        Column::new("unit".into(), text(&|p| p.unit.clone())),
        Column::new("period".into(), text(&|p| p.period.to_string())),
    ];
    for (k, name) in ["territory", "departement", "region", "france"].iter().enumerate() {
        columns.push(Column::new(format!("{name}_value").into(), rows.iter().map(|p| p.values[k].flatten()).collect::<Vec<_>>()));
        columns.push(Column::new(
            format!("{name}_status").into(),
            text(&|p| match p.values[k] {
                None => "non publié".to_owned(),
                Some(None) => "secret".to_owned(),
                Some(Some(_)) => String::new(),
            }),
        ));
    }
    columns.push(Column::new("geographies".into(), vec![names.join(" ; "); rows.len()]));
    columns.push(Column::new("data".into(), text(&|p| p.provenance.to_string())));
    Ok(DataFrame::new_infer_height(columns)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::Territory;

    /// geo, level, year_start, year_end, measure, value.
    type Row<'a> = (&'a str, &'a str, i32, i32, &'a str, Option<f64>);

    fn facts(rows: &[Row]) -> DataFrame {
        let n = rows.len();
        df!(
            "geo" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            "level" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            "year_start" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            "year" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
            "measure" => rows.iter().map(|r| r.4).collect::<Vec<_>>(),
            "sex" => vec!["all"; n],
            "age_min" => vec![None::<u32>; n],
            "age_max" => vec![None::<u32>; n],
            "value" => rows.iter().map(|r| r.5).collect::<Vec<_>>(),
            "kind" => vec!["published"; n],
            "unit" => vec!["pour 1 000 habitants"; n],
            "publisher" => vec!["INSEE"; n],
            "dataset" => vec!["séries historiques"; n],
        )
        .unwrap()
    }

    #[test]
    fn an_epci_territory_gets_its_own_value_and_its_comparators_at_the_latest_period() {
        let r = Referential::embedded().unwrap();
        // CLS Rochefort Océan is exactly the CA Rochefort Océan (200041762), in Charente-Maritime (17), Nouvelle-Aquitaine (75).
        let t = Territory::find("cls-rochefort-ocean", &r).unwrap();
        let df = facts(&[
            ("200041762", "epci", 2008, 2013, "mortality_rate_crude", Some(10.1)),
            ("200041762", "epci", 2013, 2018, "mortality_rate_crude", Some(10.9)),
            ("17", "departement", 2013, 2018, "mortality_rate_crude", Some(11.2)),
            ("75", "region", 2013, 2018, "mortality_rate_crude", None),
            ("FM", "france", 2013, 2018, "mortality_rate_crude", Some(8.9)),
            ("FR", "france", 2013, 2018, "mortality_rate_crude", Some(9.0)),
            ("30", "departement", 2013, 2018, "mortality_rate_crude", Some(12.0)),
        ]);
        let p = published(&t, &r, Some(&df), France::Entiere).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].period, Period { start: 2013, end: 2018 });
        assert_eq!(p[0].values, [Some(Some(10.9)), Some(Some(11.2)), Some(None), Some(Some(9.0))]);
        // Compared with France hexagonale, France's value is France métropolitaine's (FM).
        let hexagonale = published(&t, &r, Some(&df), France::Hexagonale).unwrap();
        assert_eq!(hexagonale[0].values[3], Some(Some(8.9)));
        assert_eq!(p[0].label(), "Taux brut de mortalité");
        assert_eq!(p[0].provenance.to_string(), "INSEE, séries historiques 2013-2018");
        let table = frame(&p, &["a".into(), "b".into(), "c".into(), "d".into()]).unwrap();
        assert_eq!(table.column("region_status").unwrap().str().unwrap().get(0), Some("secret"));
    }

    #[test]
    fn a_territory_of_some_communes_has_no_published_value_of_its_own() {
        let r = Referential::embedded().unwrap();
        let t = Territory::find("cpts-camargue-gardoise", &r).unwrap();
        let df =
            facts(&[("30", "departement", 2024, 2024, "life_expectancy_birth", Some(82.5)), ("30189", "commune", 2024, 2024, "apl_mg", Some(3.0))]);
        let p = published(&t, &r, Some(&df), France::Entiere).unwrap();
        assert_eq!(p.len(), 1, "the commune's value is not the territory's");
        assert_eq!(p[0].values, [None, Some(Some(82.5)), None, None]);
        assert!(published(&t, &r, None, France::Entiere).unwrap().is_empty());
        assert_eq!(label_fr("statloc_part_des_75_ans"), "Part des 75 ans");
    }

    /// ameli's measures are named by the profession as ameli writes it.
    #[test]
    fn ameli_professions_are_labelled_in_french() {
        assert_eq!(label_fr("professionals_sage_femme_density"), "Densité de professionnels libéraux : Sages-femmes");
        assert_eq!(label_fr("professionals_masseur_kinesitherapeute"), "Effectif de professionnels libéraux : Masseurs-kinésithérapeutes");
        assert_eq!(label_fr("professionals_inconnu_density"), "Professionals inconnu density");
        // Every measure a reader names here has its label once.
        let mut names: Vec<&str> = LABELS.iter().map(|l| l.0).collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n, "a measure labelled twice");
    }
}
