//! `diagsante report --contours FILE --map id,…`: the maps of the communes as choropleths on
//! real 2018 contours (former communes' codes remapped, unknown codes listed), and the
//! errors of a bad contours file or an unknown indicator; the embedded contours by default
//! (`report::a_report_has_every_section…` checks them for the Camargue), and circles where they
//! do not reach.

use crate::{diagsante, realdata};

/// The CPTS Aliénor Ô Poitou (Vienne) on the real 2018 contours of Vienne, with a feature
/// whose code is no commune added: the maps are choropleths with one shape per current
/// commune of the territory, the 2018 codes of its merged communes remapped and the unknown
/// code listed in the methods.
#[test]
fn a_report_with_contours_draws_one_shape_per_current_commune_and_lists_the_codes_it_could_not_match() {
    let Some(vienne) = realdata("geo/contours/communes-86-vienne.geojson") else { return };
    let dir = tempfile::tempdir().unwrap();
    // The real file with one more feature, coded 86999 (no such commune).
    let text = std::fs::read_to_string(&vienne).unwrap();
    let extra = r#"{"type":"Feature","properties":{"code":"86999","nom":"Nulle part"},"geometry":{"type":"Polygon","coordinates":[[[0.1,46.1],[0.11,46.1],[0.11,46.11],[0.1,46.1]]]}}"#;
    let at = text.rfind("]}").expect("a FeatureCollection");
    let contours = dir.path().join("communes-86-vienne-plus.geojson");
    std::fs::write(&contours, format!("{},{extra}{}", &text[..at], &text[at..])).unwrap();
    let out = dir.path().join("out");
    let o = diagsante()
        .args(["report", "--territory", "cpts-alienor-o-poitou", "--format", "html", "--map", "densite_infirmiers", "--out"])
        .arg(&out)
        .arg("--contours")
        .arg(&contours)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let charts = out.join("graphiques");
    // The three default maps and the one asked for, as SVG and PNG.
    for stem in ["carte-apl", "carte-densite_mg", "carte-part_75_plus", "carte-densite_infirmiers"] {
        assert!(charts.join(format!("{stem}.png")).exists(), "{stem}.png");
        let svg = std::fs::read_to_string(charts.join(format!("{stem}.svg"))).unwrap();
        // 26 current communes in the CPTS (the CC du Haut Poitou's 27 but Quinçay), from 30
        // features of 2018: Saint-Martin-la-Pallu (86123) is 86123, 86021, 86056 and 86166 of
        // 2018, Boivre-la-Vallée (86281) is 86281 and 86277.
        assert_eq!(svg.matches("<path class=\"commune\"").count(), 26, "{stem}");
        assert_eq!(svg.matches("<path class=\"commune\" data-code=\"86123\"").count(), 1, "{stem}: one shape for Saint-Martin-la-Pallu");
        let saint_martin = svg.split("<path class=\"commune\" data-code=\"86123\" d=\"").nth(1).unwrap();
        let d = &saint_martin[..saint_martin.find('"').unwrap()];
        assert!(d.matches('M').count() >= 4, "{stem}: the four 2018 communes' polygons in one path");
        for code in ["86021", "86056", "86166", "86277"] {
            assert!(!svg.contains(&format!("data-code=\"{code}\"")), "{stem}: {code} is a former code");
        }
        assert!(svg.contains("class=\"territoire\"") && svg.contains("limite du territoire"), "{stem}");
        assert!(svg.contains("Source : contours communes-86-vienne-plus.geojson"), "{stem}");
        assert!(!svg.contains("Population (habitants)"), "{stem}: no circles");
    }
    // The APL's map has the communes of Vienne within 20 minutes, lighter.
    let apl = std::fs::read_to_string(charts.join("carte-apl.svg")).unwrap();
    assert!(apl.matches("<path class=\"voisine\"").count() > 20);
    assert!(apl.contains("data-code=\"86194\""), "Poitiers is within 20 minutes");
    let html = std::fs::read_to_string(out.join("rapport.html")).unwrap();
    let methods = &html[html.find("Méthodes et sources</h2>").expect("the methods section")..];
    assert!(methods.contains("86021 → 86123") && methods.contains("86277 → 86281"), "the territory's remapped codes");
    assert!(methods.contains("non reconnus dans le Code officiel géographique, non dessinés : 86999."), "the unknown code");
    assert!(methods.contains("propriété « code »"));
    // Each map in its theme's section.
    let section_of = |stem: &str| {
        let at = html.find(&format!("graphiques/{stem}.png")).unwrap();
        let h2 = html[..at].rfind("<h2").unwrap();
        html[h2..].split_once("</h2>").unwrap().0.rsplit('>').next().unwrap().to_owned()
    };
    assert_eq!(section_of("carte-apl"), "Accès aux soins");
    assert_eq!(section_of("carte-part_75_plus"), "Contexte démographique");
    assert_eq!(section_of("carte-densite_infirmiers"), "Offre de soins");
}

#[test]
fn a_bad_contours_file_or_an_unknown_indicator_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("communes.geojson");
    std::fs::write(&bad, r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"nom":"x"},"geometry":null}]}"#).unwrap();
    let out = dir.path().join("out");
    let o = diagsante().args(["report", "--territory", "cpts-camargue-gardoise", "--out"]).arg(&out).arg("--contours").arg(&bad).output().unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("communes.geojson") && err.contains("GeoJSON"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let o = diagsante()
        .args(["report", "--territory", "cpts-camargue-gardoise", "--map", "densite_mg,pas_un_indicateur", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("pas_un_indicateur") && err.contains("indicators.toml"), "{err}");
    assert!(!out.exists(), "nothing written");
}

/// The Mauges (Maine-et-Loire) are outside the embedded contours (Charente-Maritime, Gard,
/// Vienne): without --contours their maps are proportional circles at the communes' centroids,
/// and the methods say how to give contours.
#[test]
fn a_territory_outside_the_embedded_contours_is_drawn_as_circles() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = diagsante().args(["report", "--territory", "cls-mauges-communaute", "--format", "html", "--out"]).arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let map = std::fs::read_to_string(out.join("graphiques").join("carte-densite_mg.svg")).unwrap();
    // Mauges Communauté: 6 communes nouvelles (COG 2024).
    assert_eq!(map.matches("<circle class=\"commune\"").count(), 6);
    assert!(!map.contains("<path class=\"commune\"") && map.contains("Population (habitants)"));
    assert!(map.contains("Source : INSEE, COG 2024 (centroïdes)"), "the centroids' source");
    let html = std::fs::read_to_string(out.join("rapport.html")).unwrap();
    assert!(html.contains("Cartes sans contours") && html.contains("option --contours"));
}

/// Aubagne borders Marseille: the APL's map draws Marseille's arrondissements within 20
/// minutes among its neighbours (DREES gives the APL by arrondissement), not the city whole.
#[test]
fn the_apl_neighbours_include_the_arrondissements_of_marseille() {
    let dir = tempfile::tempdir().unwrap();
    let territory = dir.path().join("aubagne.toml");
    std::fs::write(&territory, "name = \"Aubagne\"\nkind = \"custom\"\ncommunes = [\"13005\"]\n").unwrap();
    let out = dir.path().join("out");
    let o = diagsante().args(["report", "--territory", territory.to_str().unwrap(), "--format", "html", "--out"]).arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let map = std::fs::read_to_string(out.join("graphiques").join("carte-apl.svg")).unwrap();
    // Marseille's 11th arrondissement (Les Camoins, La Valentine) lies next to Aubagne.
    assert!(map.contains("class=\"voisine\" data-code=\"13211\""), "Marseille 11e");
    assert!(!map.contains("data-code=\"13055\""), "Marseille is its arrondissements");
}
