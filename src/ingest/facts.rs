//! The one table every later stage reads: long, commune-level **counts** (never rates), its
//! columns defined once in [`crate::facts::schema::FACT_COLUMNS`]: `geo` (current commune
//! code, or a département code when `level` says so), `level`, the period (`year` = `year_end`,
//! `year_start`), `measure` (see [`MEASURES`]), `sex`, the age band, `value` (empty when
//! suppressed), `kind`, `unit`, the provenance (`publisher`, `dataset`, `synthetic`), the input
//! files (`source`) and `suppressed`.
//!
//! Readers push cells into a [`FactSink`], which normalises the commune codes once, refuses
//! a cell given twice, sums the cells that several former communes bring to one current
//! commune, and counts what happened for the summary printed to the user.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use polars::prelude::*;

use crate::error::{Error, Location, Result};
pub use crate::facts::{AgeBand, Kind, Level, Origin, Period, Sex};
use crate::geo::Referential;
use crate::ingest::Cell;

/// Measures with a documented meaning. Readers may produce others (e.g. `deaths_<cause>`);
/// these are the ones the indicator catalogue relies on.
pub const MEASURES: &[(&str, &str)] = &[
    ("population", "people living in the place (census or estimate)"),
    ("area_km2", "the commune's area in km² (INSEE's SUPERF; additive across communes)"),
    ("households", "households (ménages) living in the place (census)"),
    ("births", "live births of mothers living in the place (état civil)"),
    ("active_15_64", "people aged 15-64 in the labour force (census)"),
    ("unemployed_15_64", "unemployed people aged 15-64 (census)"),
    ("deaths_all_causes", "deaths, all causes"),
    ("deaths_<cause>", "deaths from one cause (cancer, circulatory, respiratory, suicide, road_traffic, alcohol_related, tobacco_related, avoidable_prevention…)"),
    ("ald_all", "people with at least one long-term condition (ALD)"),
    ("ald_<type>", "people in ALD for one condition or group (diabetes, cancer, coronary, cardiovascular, asthma, copd, alzheimer…)"),
    ("patients", "patients of a GP patientèle (consumers of care)"),
    ("patients_without_gp", "patients without a declared médecin traitant"),
    ("patients_ald", "patients in ALD"),
    ("patients_c2s", "patients benefiting from the Complémentaire santé solidaire"),
    ("patients_ald_without_gp", "patients in ALD without a declared médecin traitant"),
    ("patients_65p", "patients aged 65 or more"),
    ("patients_65p_polypharmacy", "patients aged 65 or more in continuous polypharmacy (Rezone), of patients_65p"),
    ("patients_antibiotics", "patients treated with antibiotics in the year"),
    ("patients_antibiotics_critical", "patients treated with antibiotics that particularly drive resistance (ROSP), of patients_antibiotics"),
    ("patients_dental_exam", "patients under 16 with at least one dental examination, of the patients 0-15"),
    ("caf_households", "households paid at least one benefit by the Caf for December (foyers allocataires)"),
    ("caf_<benefit>_households", "households paid one benefit by the Caf: rsa, aah, aeeh… (ALL_<X> of the Caf's commune files)"),
    ("patients_c2s_without_gp", "patients benefiting from the C2S without a declared médecin traitant"),
    ("patients_17p", "patients aged 17 or more"),
    ("patients_17p_without_gp", "patients aged 17 or more without a médecin traitant"),
    ("patients_70p", "patients aged 70 or more"),
    ("patients_70p_without_gp", "patients aged 70 or more without a médecin traitant"),
    ("active_15_64_cs<n>", "active people aged 15-64 of socio-professional category n (census)"),
    ("active_15p", "people aged 15 or more in the labour force (census)"),
    ("active_by_age", "people in the labour force by age band inside 15-64: 15-24, 25-54, 55-64 (census)"),
    ("unemployed_15p", "unemployed people aged 15 or more (census)"),
    ("unemployed_by_age", "unemployed people by age band inside 15-64 (census)"),
    ("employed_15_64", "employed people aged 15-64, actifs occupés (census)"),
    ("employed_15p", "employed people aged 15 or more (census)"),
    ("employed_15p_working_in_commune", "employed people aged 15 or more working in their commune of residence (census, ACTOCC15P_ILT1)"),
    ("employed_by_age", "employed people by age band inside 15-64 (census)"),
    ("employed_15_64_cs<n>", "employed people aged 15-64 of socio-professional category n (census, complementary exploitation)"),
    ("inactive_15_64", "people aged 15-64 outside the labour force (census)"),
    ("students_15_64", "pupils and students aged 15-64, inactive (census)"),
    ("retired_15_64", "retired or early-retired people aged 15-64 (census)"),
    ("other_inactive_15_64", "other inactive people aged 15-64 (census)"),
    ("jobs", "jobs at the place of work (census)"),
    ("jobs_salaried", "salaried jobs at the place of work (census)"),
    ("jobs_non_salaried", "non-salaried jobs at the place of work (census)"),
    ("households", "households, i.e. occupied main residences (census, principal exploitation)"),
    ("household_population", "people living in households, all ages or by age band (census, principal exploitation)"),
    ("households_complementary", "households of the census's complementary exploitation: the denominator of households_<type> and households_cs<n>"),
    ("household_population_complementary", "people in households, complementary exploitation: the denominator of household_population_<type>"),
    ("households_<type>", "households by type (complementary exploitation): one_person (sex of the person), other_without_family, with_family, couple_without_children, couple_with_children, single_parent"),
    ("household_population_<type>", "people in households of that type (complementary exploitation)"),
    ("households_cs<n>", "households whose reference person is of socio-professional category n (complementary exploitation)"),
    ("household_population_cs<n>", "people in households whose reference person is of category n (complementary exploitation)"),
    ("people_living_alone", "people living alone, by age band: 15+, 15-24, 25-54, 55-79, 80+ (census)"),
    ("families", "families (complementary exploitation)"),
    ("families_couple_with_children", "couples with children under 25 (complementary exploitation)"),
    ("families_couple_without_children", "couples without children under 25 (complementary exploitation)"),
    ("families_single_parent", "single-parent families, by the parent's sex (complementary exploitation)"),
    ("families_children_under_25_<n>", "families with n children under 25: 0, 1, 2, 3, 4p (4 or more)"),
    ("out_of_school_15p", "people aged 15 or more no longer in education (census)"),
    ("out_of_school_15p_<diploma>", "the same by highest diploma, INSEE's code: diplmin (none or CEP), bepc, capbep, bac, sup2, sup34, sup5; before 2017 dipl0, cep, bacp2, sup"),
    ("in_school", "pupils and students by age band (census)"),
    ("dwellings", "dwellings (census)"),
    ("main_residences", "main residences (census)"),
    ("secondary_residences", "secondary residences and occasional dwellings (census)"),
    ("vacant_dwellings", "vacant dwellings (census)"),
    ("houses", "dwellings that are houses (census)"),
    ("flats", "dwellings that are flats (census)"),
    ("main_residences_owner_occupied", "main residences occupied by their owners (census)"),
    ("main_residences_rented", "main residences occupied by tenants (census)"),
    ("main_residences_social_housing", "main residences rented empty from a social landlord, HLM (census)"),
    ("main_residences_rent_free", "main residences occupied free of charge (census)"),
    ("main_residences_with_car", "main residences (households) with at least one car (census)"),
    ("main_residences_dated", "main residences whose period of construction is known, built before the census's last two years (census, RP_ACHTOT)"),
    ("main_residences_built_before_1919", "main residences built before 1919 (census)"),
    ("main_residences_built_1919_1945", "main residences built from 1919 to 1945 (census)"),
    ("main_residences_built_before_1946", "main residences built before 1946: the two above added by the reader"),
    ("main_residences_with_bath", "main residences with a bathroom, bath or shower (census)"),
    ("main_residences_without_bath", "main residences without a bath or shower: main_residences − main_residences_with_bath, by the reader"),
    ("main_residences_excl_studios_1p", "main residences but studios of one person: the denominator of main_residences_overcrowded"),
    ("main_residences_overcrowded", "overcrowded main residences, studios of one person excluded (census, complementary exploitation)"),
    ("area_km2", "area in km² (INSEE's SUPERF)"),
    ("births", "live births of mothers living in the place in a year (état civil)"),
    ("births_period", "live births over several years, those between two censuses (INSEE's NAIS1621: 2016-2021, with P16_POP and P22_POP)"),
    ("deaths_period", "deaths over several years, those between two censuses (INSEE's DECE1621: 2016-2021)"),
    ("tax_households", "tax households (Filosofi)"),
    ("taxed_households", "taxed tax households, rebuilt as the share published × the tax households (Filosofi)"),
    ("taxed_households_share", "share of taxed tax households, as published, % (Filosofi)"),
    ("median_income", "median disposable income per consumption unit, as published, € (Filosofi)"),
    ("poverty_rate", "poverty rate at 60 % of the median, as published, % (Filosofi)"),
    ("establishments", "active establishments (Sirene, REE)"),
    ("establishments_<section>", "active establishments by sector: az agriculture, be industry, fz construction, gu trade, transport and services, oq public administration, education, health and social work"),
    ("establishments_1_9_employees", "active establishments with 1 to 9 employees (Sirene)"),
    ("establishments_10p_employees", "active establishments with 10 employees or more (Sirene)"),
    ("population_projected", "INSEE's population projections (Omphale): never read as the population"),
    ("population_municipale", "population municipale of the populations légales (people whose usual residence is in the place)"),
    ("population_comptee_a_part", "population comptée à part of the populations légales (students, people in institutions… counted in another place)"),
    ("population_totale", "population totale of the populations légales (municipale + comptée à part; a sum over places counts some people twice)"),
    ("<programme>_eligible", "people targeted by a screening or vaccination programme"),
    ("<programme>_done", "targeted people screened or vaccinated"),
    ("c2s_beneficiaries", "beneficiaries of the Complémentaire santé solidaire"),
    ("gp", "general practitioners of the roster (médecins généralistes), one per GP"),
    ("gp_by_age", "the roster's GPs of known birth year, by age"),
    ("professional_<profession>", "other professionals of the roster, by profession (professional_infirmier…), never counted as GPs"),
    ("professional_<profession>_by_age", "the same professionals of known birth year, by age"),
    ("professional_all", "every professional of a roster that lists other professions than GPs, GPs included"),
    ("professional_all_by_age", "the same professionals of known birth year, by age"),
    ("equipment_<typequ>", "equipments of one type of the BPE (INSEE), counted in their commune; the codes are the file's edition's"),
    ("equipment_d101", "BPE D101 Établissement santé court séjour (editions 2013-2020)"),
    ("equipment_d106", "BPE D106 Urgences: emergency units (editions 2013-2020)"),
    ("equipment_d107", "BPE D107 Maternité (editions 2013-2020)"),
    ("equipment_d108", "BPE D108 Centre de santé: health centres (editions 2013-2020)"),
    ("equipment_d113", "BPE D113 Maison de santé pluridisciplinaire: MSP (editions 2013-2020)"),
    ("equipment_d201", "BPE D201 Médecin omnipraticien: liberal GPs, one per practitioner (editions 2013-2020)"),
    ("equipment_d221", "BPE D221 Chirurgien dentiste: liberal dentists (editions 2013-2020)"),
    ("equipment_d231", "BPE D231 Sage-femme: liberal midwives (editions 2013-2020)"),
    ("equipment_d232", "BPE D232 Infirmier: liberal nurses (editions 2013-2020)"),
    ("equipment_d233", "BPE D233 Masseur kinésithérapeute: liberal physiotherapists (editions 2013-2020)"),
    ("equipment_d301", "BPE D301 Pharmacie: pharmacies (editions 2013-2020)"),
    ("equipment_d302", "BPE D302 Laboratoire d'analyses et de biologie médicales (editions 2013-2020)"),
    ("equipment_d401", "BPE D401 Personnes âgées : hébergement, EHPAD among them (editions 2013-2020)"),
    ("facility_<category>", "établissements of one FINESS category in the commune (data/nomenclatures/finess-categories.csv)"),
    ("facility_cat<code>", "établissements of a FINESS category not named in that table, by its code"),
    ("facility_hospital", "FINESS 355 Centre Hospitalier (C.H.)"),
    ("facility_hospital_regional", "FINESS 101 Centre Hospitalier Régional (C.H.R.)"),
    ("facility_hospital_local", "FINESS 106 Centre hospitalier, ex Hôpital local"),
    ("facility_msp", "FINESS 603 Maison de santé (L.6223-3): multi-professional health centres (MSP)"),
    ("facility_health_centre", "FINESS 124 Centre de Santé"),
    ("facility_ehpad", "FINESS 500 EHPAD: nursing homes for dependent elderly people"),
    ("facility_pharmacy", "FINESS 620 Pharmacie d'Officine"),
    ("care_activity_<code>", "établissements (FINESS ET) authorised for a care activity, by département (FINESS activités de soins)"),
    ("care_activity_14", "établissements authorised for emergency medicine (activité 14, Médecine d'urgence), by département"),
    ("heavy_equipment_<code>", "authorised heavy equipments of one type (FINESS EML code), by département"),
    ("heavy_equipment_06201", "authorised MRI units (EML 06201, Appareil d'IRM à utilisation clinique), by département"),
    ("heavy_equipment_05602", "authorised CT scanners (EML 05602, Scanographe à utilisation médicale), by département"),
    ("training_places_<code>", "authorised places of one training (FINESS discipline d'enseignement), by département"),
    ("training_places_414", "authorised places of the nursing diploma (Formation DE Infirmier), by département"),
    ("training_places_419", "authorised places of the nursing-assistant diploma (Formation DE Aide-Soignant), by département"),
    ("tax_persons", "persons of the tax households (Filosofi)"),
    ("consumption_units", "consumption units of the tax households (Filosofi)"),
    ("income_q1", "first quartile of disposable income per consumption unit, € (Filosofi, published)"),
    ("income_q3", "third quartile of disposable income per consumption unit, € (Filosofi, published)"),
    ("income_d<k>", "k-th decile of disposable income per consumption unit, € (Filosofi, published; k = 1…9 but 5)"),
    ("income_interquartile_range", "third minus first quartile, € (Filosofi, published)"),
    ("income_interdecile_ratio", "ninth over first decile (Filosofi, published)"),
    ("income_s80_s20_ratio", "income of the richest 20 % over that of the poorest 20 % (Filosofi, published)"),
    ("gini_index", "Gini index of disposable income (Filosofi, published)"),
    ("income_share_<source>", "share of one source in disposable income, % (activity, wages, pensions, social benefits, taxes…; Filosofi)"),
    ("persons_poor", "persons under the poverty line = poverty_rate × tax_persons / 100 (rebuilt from the rounded rate)"),
    ("households_taxed", "tax households that pay income tax = taxed_households_share × tax_households / 100"),
    ("declared_<measure>", "the same values for declared income (Filosofi « DEC » files)"),
    ("apl_mg", "DREES accessibility to GPs (APL) as published, consultations per standardised inhabitant (commune, bassin de vie…)"),
    ("apl_mg<age>", "the APL to GPs aged <age> or less (apl_mg65; apl_mg62, apl_mg60 in some years), as published"),
    ("apl_<profession>", "the APL to another profession (apl_infirmiers, apl_kinesitherapeutes, apl_sages_femmes…), as published"),
    ("apl_<…>_x_popstd", "a commune's APL × its standardised population: Σ over a territory / Σ apl_population_standardised is its APL"),
    ("apl_population_standardised", "a commune's population standardised for GP consumption by age, the APL's weight (DREES)"),
    ("apl_population_standardised_<profession>", "the same standardised for another profession's APL"),
    ("apl_population_total", "the total population DREES gives beside the APL (of two years before the APL's year)"),
    ("apl_mg_population_under_2_5", "a commune's total population when its APL to GPs is under 2.5 (DREES's under-served threshold), else 0"),
    ("apl_mg_population_under_4", "a commune's total population when its APL to GPs is under 4, else 0"),
    ("apl_mg<age>_population_under_<t>", "the same for the APL to GPs aged <age> or less (apl_mg65_population_under_2_5, …_under_4)"),
    ("bpe_gp", "general practitioners in INSEE's Base permanente des équipements, as statistiques locales count them"),
    ("bpe_nurse", "nurses in the Base permanente des équipements"),
    ("bpe_physiotherapist", "physiotherapists (masseurs-kinésithérapeutes) in the Base permanente des équipements"),
    ("bpe_dentist", "dentists in the Base permanente des équipements"),
    ("bpe_midwife", "midwives in the Base permanente des équipements"),
    ("bpe_pharmacy", "pharmacies in the Base permanente des équipements"),
    ("bpe_speech_therapist", "speech therapists in the Base permanente des équipements"),
    ("bpe_emergency", "emergency units (urgences) in the Base permanente des équipements"),
    ("life_expectancy_birth", "life expectancy at birth by sex, as published (années)"),
    ("mortality_rate_crude", "crude death rate as published (pour 1 000 or 1 000 000 habitants: see the unit; over a period, its yearly mean)"),
    ("mortality_rate_std", "standardised death rate as published, for its age band (0-64: premature mortality)"),
    ("mortality_rate_std_fr2021", "death rate standardised on France's 2021 population (stats-deces), as published"),
    ("mortality_rate", "death rate of an age band (single years of age), as published"),
    ("birth_rate_crude", "crude birth rate as published (pour 1 000 habitants)"),
    ("ald_share", "share of the population in ALD (affection de longue durée), as published (%)"),
    ("ophthalmology_patients_share", "share of the population seen by an ophthalmologist in the year, as published (%)"),
    ("population_share", "share of the population in an age band (75+, under 15), as published (%)"),
    ("population_density", "inhabitants per km², as published"),
    ("density_gp", "liberal GPs per 10,000 inhabitants, as published (CartoSanté)"),
    ("density_nurses", "liberal nurses per 10,000 inhabitants, as published (CartoSanté)"),
    ("density_speech_therapists", "liberal speech therapists per 100,000 inhabitants, as published (CartoSanté)"),
    ("density_midwives", "liberal midwives' density as published (CartoSanté; unit not stated)"),
    ("density_physiotherapists", "liberal physiotherapists' density as published (unit as the export states it)"),
    ("density_dentists", "liberal dentists' density as published (unit as the export states it)"),
    ("density_pharmacies", "pharmacies per 10,000 inhabitants, as published"),
    ("statloc_<slug>", "an indicator of INSEE statistiques locales / CartoSanté diagsante does not know, under the slug of its label"),
    ("ot_<identifier>", "an Observatoire des territoires indicator diagsante does not know, under its identifier"),
    ("professionals_<profession>", "liberal professionals (ameli, headcount; medecin_generaliste, infirmier… see ingest::ameli)"),
    ("professionals_<profession>_density", "their density as ameli publishes it (per 100,000 inhabitants, women or children: see the unit)"),
    ("hospitalised_patients_rate_std", "patients hospitalised in the year per 1,000 inhabitants, age- and sex-standardised (ATIH)"),
    ("fdep", "Santé publique France's social deprivation index FDep of the commune"),
    ("fdep_quintile", "the commune's FDep quintile (1 = least deprived)"),
    ("fdep_quintile_weighted", "the commune's FDep quintile, quintiles weighted by population"),
    ("fdep_population", "the population FDep weighs its quintiles by"),
    ("edi", "the French European Deprivation Index (F-EDI) of the commune"),
    ("edi_quintile", "the commune's national F-EDI quintile (1 = least deprived)"),
];

/// The identity of a cell: two cells with the same key are the same number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FactKey {
    pub geo: String,
    pub level: Level,
    pub period: Period,
    pub measure: String,
    pub sex: Sex,
    pub age_min: Option<u32>,
    pub age_max: Option<u32>,
}

/// What a run of a reader did, printed after ingestion.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub files: Vec<String>,
    /// The layout recognised (or forced), by its name in [`crate::ingest::layout::LAYOUTS`].
    pub layout: String,
    pub rows: usize,
    pub cells: usize,
    pub suppressed: usize,
    pub communes: BTreeSet<String>,
    /// Unknown codes with the first place each was met.
    pub unknown: BTreeMap<String, String>,
    /// Déléguée/associée/former codes counted as their current commune.
    pub remapped: BTreeMap<String, String>,
    pub measures: BTreeSet<String>,
    /// The periods each measure was given for.
    pub periods: BTreeMap<String, BTreeSet<Period>>,
    /// Places of levels other than the commune, by level (départements, EPCI, bassins de vie…).
    pub geographies: BTreeMap<Level, BTreeSet<String>>,
    /// Notes the reader leaves for the user (weights it fell back to, rows shifted…).
    pub notes: Vec<String>,
    /// Input columns the reader did not use.
    pub ignored_columns: BTreeSet<String>,
    /// Current communes given directly and through former/delegated communes: the latter
    /// were not used (already counted in the commune).
    pub former_not_used: BTreeSet<String>,
    /// Communes split into arrondissements given as a whole (75056…): perimeters drawn by
    /// arrondissement cannot use them.
    pub whole_parents: BTreeSet<String>,
    /// Roster rows counted as GPs, and the other professions' rows by slug.
    pub gps: usize,
    pub other_professions: BTreeMap<String, usize>,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "files read:        {}", self.files.join(", "))?;
        if !self.layout.is_empty() {
            writeln!(f, "layout:            {}", self.layout)?;
        }
        writeln!(f, "rows read:         {}", self.rows)?;
        writeln!(f, "cells kept:        {} ({} withheld, kept as empty)", self.cells, self.suppressed)?;
        let mut places = vec![format!("{} communes", self.communes.len())];
        places.extend(self.geographies.iter().map(|(level, codes)| format!("{} {}", codes.len(), level.code())));
        writeln!(f, "places matched:    {}", places.join(", "))?;
        let measures: Vec<String> = self
            .measures
            .iter()
            .map(|m| match self.periods.get(m) {
                Some(p) if !p.is_empty() => format!("{m} ({})", p.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ")),
                _ => m.clone(),
            })
            .collect();
        writeln!(f, "measures produced: {}", measures.join(", "))?;
        if self.gps > 0 || !self.other_professions.is_empty() {
            writeln!(f, "GPs:               {}", self.gps)?;
        }
        if !self.other_professions.is_empty() {
            let list: Vec<String> = self.other_professions.iter().map(|(p, n)| format!("{p} {n}")).collect();
            let n: usize = self.other_professions.values().sum();
            writeln!(f, "other professions: {n} (not counted as GPs: {})", list.join(", "))?;
        }
        if !self.remapped.is_empty() {
            writeln!(f, "codes remapped:    {} (counted as their current commune)", self.remapped.len())?;
            for (from, to) in self.remapped.iter().take(10) {
                writeln!(f, "  {from} → {to}")?;
            }
        }
        if !self.unknown.is_empty() {
            writeln!(f, "unknown codes:     {} (left out; in strict mode they are an error)", self.unknown.len())?;
            for (code, at) in self.unknown.iter().take(20) {
                writeln!(f, "  {code} ({at})")?;
            }
        }
        if !self.former_not_used.is_empty() {
            let list: Vec<String> = self.former_not_used.iter().cloned().collect();
            writeln!(f, "former communes not added (their commune is in the file): {}", list.join(", "))?;
        }
        if !self.whole_parents.is_empty() {
            let list: Vec<String> = self.whole_parents.iter().cloned().collect();
            writeln!(f, "given as a whole, not by arrondissement: {} (counted in département, région and France only)", list.join(", "))?;
        }
        if !self.ignored_columns.is_empty() {
            writeln!(f, "columns not used:  {}", self.ignored_columns.iter().cloned().collect::<Vec<_>>().join(", "))?;
        }
        for note in &self.notes {
            writeln!(f, "note:              {note}")?;
        }
        Ok(())
    }
}

/// Collects facts from readers; see the module documentation.
pub struct FactSink<'r> {
    referential: &'r Referential,
    strict: bool,
    source: String,
    /// Who gives the cells (set by the reader, see [`FactSink::origin`]).
    origin: Origin,
    /// Raw cells as given, to refuse duplicates: (raw key) → "file, line".
    seen: HashMap<FactKey, String>,
    /// Cells by current commune: what the file gives for the commune itself, and what its
    /// former or delegated communes add up to.
    cells: BTreeMap<FactKey, Merged>,
    /// Where a parent commune (Paris 75056…) was given: its first location.
    parents: HashMap<FactKey, String>,
    /// Each measure's kind (a count, or a value published with its unit): one per measure.
    kinds: BTreeMap<String, Kind>,
    /// The file is on an older geography: see [`FactSink::former_communes_add_up`].
    former_add_up: bool,
    pub summary: Summary,
}

impl<'r> FactSink<'r> {
    pub fn new(referential: &'r Referential, source: impl Into<String>, strict: bool) -> FactSink<'r> {
        FactSink {
            referential,
            strict,
            source: source.into(),
            origin: Origin::source("", ""),
            seen: HashMap::new(),
            cells: BTreeMap::new(),
            parents: HashMap::new(),
            kinds: BTreeMap::new(),
            former_add_up: false,
            summary: Summary::default(),
        }
    }

    /// The referential codes are resolved against (for readers that combine rows themselves,
    /// such as a file's former communes into their current one, or tell a level from a name).
    pub fn referential(&self) -> &'r Referential {
        self.referential
    }

    /// The file is on the geography of its millésime, before today's mergers (DREES's APL
    /// 2022 lists Ruffieu 01330 and Haut Valromey 01187, one commune since): a current commune's
    /// own row and its former communes' rows are parts of it and add up (a published value of
    /// several parts cannot be known), instead of the former rows being taken as already
    /// counted in it, as in a file on today's geography that lists the délégués as well.
    pub fn former_communes_add_up(&mut self) {
        self.former_add_up = true;
    }

    /// Say who publishes the cells the reader pushes (« INSEE », « RP »): every row written
    /// carries it, with its own period, as its provenance.
    pub fn origin(&mut self, origin: Origin) {
        self.origin = origin;
    }

    /// Add one cell. `raw_geo` is the code as written in the file; `at` locates the cell.
    /// A suppressed cell is kept as an empty value flagged `suppressed`, never as 0.
    pub fn push(&mut self, raw_geo: &str, level: Level, key: CellKey, cell: Cell, at: &Location) -> Result<()> {
        // Duplicates are judged on the code as written, once its lost zero is restored
        // ("1001" and "01001" are the same cell; a déléguée and its parent are not).
        let written = match level {
            Level::Commune => crate::geo::canonical_code(raw_geo),
            Level::Departement => Some(crate::geo::code::normalise_departement(raw_geo)),
            _ => None,
        };
        let raw = FactKey {
            geo: written.unwrap_or_else(|| raw_geo.trim().to_owned()),
            level,
            period: key.period,
            measure: key.measure.clone(),
            sex: key.sex,
            age_min: key.age_min,
            age_max: key.age_max,
        };
        let here = at.to_string();
        if let Some(first) = self.seen.get(&raw) {
            return Err(Error::input(
                at.clone(),
                format!(
                    "{} for {} {} ({}, sex {}, ages {}) is given twice (first at {first})",
                    key.measure,
                    level.code(),
                    raw.geo,
                    key.period,
                    key.sex.code(),
                    AgeBand::new(key.age_min, key.age_max)
                ),
                "remove the duplicate row, or split the file by year",
            ));
        }
        match self.kinds.get(&key.measure) {
            Some(kind) if *kind != key.kind => {
                return Err(Error::input(
                    at.clone(),
                    format!("{} is given both as {} and as {}", key.measure, describe(kind), describe(&key.kind)),
                    "a measure is either a count or a published value in one unit: report this file's layout",
                ))
            }
            Some(_) => {}
            None => {
                self.kinds.insert(key.measure.clone(), key.kind.clone());
            }
        }
        self.seen.insert(raw.clone(), here.clone());
        let (geo, remapped) = match level {
            Level::Departement => match crate::geo::code::canonical_departement(raw_geo, self.referential) {
                Some(code) => (code, false),
                None => return self.unknown(raw_geo, at),
            },
            Level::Commune => match self.referential.resolve(raw_geo) {
                Ok(resolved) => {
                    if let Some(remap) = &resolved.remap {
                        self.summary.remapped.insert(remap.from.clone(), format!("{} ({})", resolved.code, remap.kind.label()));
                    }
                    self.summary.communes.insert(resolved.code.clone());
                    (resolved.code, resolved.remap.is_some())
                }
                Err(_) => return self.unknown(raw_geo, at),
            },
            // Levels the referential does not resolve (EPCI, bassins de vie…): kept as written.
            _ => (raw_geo.trim().to_owned(), false),
        };
        if level != Level::Commune {
            self.summary.geographies.entry(level).or_default().insert(geo.clone());
        }
        let value = cell.value();
        if value.is_none() {
            self.summary.suppressed += 1;
        }
        self.summary.cells += 1;
        self.summary.measures.insert(key.measure.clone());
        self.summary.periods.entry(key.measure.clone()).or_default().insert(key.period);
        let key = FactKey { geo, ..raw };
        if level == Level::Commune && self.referential.has_arrondissements(&key.geo) {
            self.parents.entry(key.clone()).or_insert(here);
        }
        // A published rate of two former communes cannot be combined without their weights.
        let additive = self.kinds.get(&key.measure).is_none_or(|k| *k == Kind::Count);
        let merged = self.cells.entry(key).or_default();
        let part = if remapped { &mut merged.from_former } else { &mut merged.direct };
        part.add(value, additive);
        Ok(())
    }

    /// A count of 0 for each base unit in `units` (current communes or arrondissements, as the
    /// referential writes them), from a file that lists every thing it counts, where the file
    /// has no row for it. No duplicate check and no location: the reader adds these only
    /// where it has no row, and up to a few million of them (the national BPE), so they skip
    /// the bookkeeping of [`FactSink::push`].
    pub fn absent_means_zero<'a>(&mut self, units: impl IntoIterator<Item = &'a str>, key: &CellKey) {
        let mut added = 0;
        for code in units {
            let key = FactKey {
                geo: code.to_owned(),
                level: Level::Commune,
                period: key.period,
                measure: key.measure.clone(),
                sex: key.sex,
                age_min: key.age_min,
                age_max: key.age_max,
            };
            self.cells.entry(key).or_default().direct.add(Some(0.0), true);
            added += 1;
        }
        if added > 0 {
            self.kinds.entry(key.measure.clone()).or_insert(Kind::Count);
            self.summary.cells += added;
            self.summary.measures.insert(key.measure.clone());
            self.summary.periods.entry(key.measure.clone()).or_default().insert(key.period);
        }
    }

    /// A place the reader could not give a level (a code of CartoSanté's zoning that fits
    /// none): listed with the unknown codes, an error in strict mode.
    pub fn not_placed(&mut self, raw_geo: &str, at: &Location) -> Result<()> {
        self.unknown(raw_geo, at)
    }

    fn unknown(&mut self, raw_geo: &str, at: &Location) -> Result<()> {
        if self.strict {
            return Err(Error::input(
                at.clone(),
                format!("unknown code «{}»", raw_geo.trim()),
                "check the code against the Code officiel géographique 2026, or leave strict mode off to leave it out",
            ));
        }
        self.summary.unknown.entry(raw_geo.trim().to_owned()).or_insert_with(|| at.to_string());
        Ok(())
    }

    /// The fact table, sorted by key, and the summary of the run.
    ///
    /// A current commune given both directly and through former/delegated communes keeps
    /// its own value (a file on today's geography lists the délégués as well, already
    /// counted); the former communes' rows are then listed as not used. In a file of distinct
    /// communes ([`FactSink::former_communes_add_up`]) both are added. A municipal
    /// arrondissement given together with its commune (75101 and 75056) is an error: the
    /// two would be counted twice.
    pub fn finish(mut self) -> Result<(DataFrame, Summary)> {
        for (key, at) in &self.parents {
            let arrondissements = self.referential.base_units(&key.geo);
            if let Some(a) = arrondissements.iter().find(|u| self.cells.contains_key(&FactKey { geo: u.code.clone(), ..key.clone() })) {
                return Err(Error::input(
                    Location::file(at.clone()),
                    format!("{} is given for {} and for its arrondissement {}: it would be counted twice", key.measure, key.geo, a.code),
                    "keep either the commune or its arrondissements",
                ));
            }
            self.summary.whole_parents.insert(key.geo.clone());
        }
        let mut rows = Vec::with_capacity(self.cells.len());
        for (key, merged) in std::mem::take(&mut self.cells) {
            let part = match (merged.direct.given, merged.from_former.given) {
                (true, true) if self.former_add_up => {
                    let additive = self.kinds.get(&key.measure).is_none_or(|k| *k == Kind::Count);
                    let mut part = merged.direct;
                    part.add(merged.from_former.value, additive);
                    part.suppressed |= merged.from_former.suppressed;
                    part
                }
                (true, true) => {
                    self.summary.former_not_used.insert(key.geo.clone());
                    merged.direct
                }
                (true, false) => merged.direct,
                (false, _) => merged.from_former,
            };
            rows.push((key, part));
        }
        let n = rows.len();
        let mut geo = Vec::with_capacity(n);
        let mut level = Vec::with_capacity(n);
        let mut year_start = Vec::with_capacity(n);
        let mut year = Vec::with_capacity(n);
        let mut measure = Vec::with_capacity(n);
        let mut sex = Vec::with_capacity(n);
        let mut age_min = Vec::with_capacity(n);
        let mut age_max = Vec::with_capacity(n);
        let mut value = Vec::with_capacity(n);
        let mut suppressed = Vec::with_capacity(n);
        let mut kind = Vec::with_capacity(n);
        let mut unit: Vec<Option<&str>> = Vec::with_capacity(n);
        for (k, Part { value: v, suppressed: s, .. }) in rows {
            let measure_kind = self.kinds.get(&k.measure).unwrap_or(&Kind::Count);
            kind.push(measure_kind.code());
            unit.push(measure_kind.unit());
            geo.push(k.geo);
            level.push(k.level.code());
            year_start.push(k.period.start);
            year.push(k.period.end);
            measure.push(k.measure);
            sex.push(k.sex.code());
            age_min.push(k.age_min);
            age_max.push(k.age_max);
            value.push(v);
            suppressed.push(s);
        }
        let (publisher, dataset) = match &self.origin {
            Origin::Source { publisher, dataset } => (publisher.as_str(), dataset.as_str()),
            Origin::Synthetic => ("", ""),
        };
        let df = DataFrame::new_infer_height(vec![
            Column::new("geo".into(), geo),
            Column::new("level".into(), level),
            Column::new("year".into(), year.clone()),
            Column::new("year_start".into(), year_start),
            Column::new("year_end".into(), year),
            Column::new("measure".into(), measure),
            Column::new("sex".into(), sex),
            Column::new("age_min".into(), age_min),
            Column::new("age_max".into(), age_max),
            Column::new("value".into(), value),
            Column::new("kind".into(), kind),
            Column::new("unit".into(), unit),
            Column::new("publisher".into(), vec![publisher; n]),
            Column::new("dataset".into(), vec![dataset; n]),
            Column::new("synthetic".into(), vec![self.origin == Origin::Synthetic; n]),
            Column::new("source".into(), vec![self.source.as_str(); n]),
            Column::new("suppressed".into(), suppressed),
        ])?;
        debug_assert_eq!(df.get_column_names().iter().map(|c| c.as_str()).collect::<Vec<_>>(), crate::facts::schema::fact_column_names());
        Ok((df, self.summary))
    }
}

/// A sum of cells; a sum with a suppressed part is suppressed (it cannot be known). A
/// published value (a rate, a median) is not additive: given once it is kept, given twice
/// for one commune (two former communes) it cannot be known.
#[derive(Debug, Clone, Copy)]
struct Part {
    given: bool,
    value: Option<f64>,
    suppressed: bool,
}

impl Default for Part {
    fn default() -> Part {
        Part { given: false, value: Some(0.0), suppressed: false }
    }
}

impl Part {
    fn add(&mut self, v: Option<f64>, additive: bool) {
        self.value = match (self.value, v) {
            (Some(a), Some(b)) if additive || !self.given => Some(a + b),
            _ => None,
        };
        self.given = true;
        self.suppressed |= self.value.is_none();
    }
}

/// A measure's kind in words, for errors.
fn describe(kind: &Kind) -> String {
    match kind {
        Kind::Count => "a count".to_owned(),
        Kind::Published { unit } => format!("a published value ({unit})"),
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Merged {
    direct: Part,
    from_former: Part,
}

/// What a cell measures, apart from where: the measure over a period (one year, or several
/// for INSEE's period counts such as births 2016-2021), for a sex and an age band, and
/// whether it is a count or a value published already computed (a rate, a median…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellKey {
    pub period: Period,
    pub measure: String,
    pub sex: Sex,
    pub age_min: Option<u32>,
    pub age_max: Option<u32>,
    pub kind: Kind,
}

impl CellKey {
    /// A count of `measure` in `year`, all sexes, all ages.
    pub fn count(year: i32, measure: impl Into<String>) -> CellKey {
        CellKey { period: Period::year(year), measure: measure.into(), sex: Sex::All, age_min: None, age_max: None, kind: Kind::Count }
    }

    /// A value published already computed, in `unit` (« % », « années », « pour 100 000 »…).
    pub fn published(year: i32, measure: impl Into<String>, unit: &str) -> CellKey {
        CellKey { kind: Kind::Published { unit: unit.to_owned() }, ..CellKey::count(year, measure) }
    }

    pub fn sex(self, sex: Sex) -> CellKey {
        CellKey { sex, ..self }
    }

    pub fn ages(self, age_min: Option<u32>, age_max: Option<u32>) -> CellKey {
        CellKey { age_min, age_max, ..self }
    }

    /// Over a period of several years (`NAIS1621`: 2016-2021).
    pub fn over(self, period: Period) -> CellKey {
        CellKey { period, ..self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(measure: &str) -> CellKey {
        CellKey::count(2021, measure)
    }

    #[test]
    fn codes_are_normalised_duplicates_refused_and_aliases_summed() {
        let r = Referential::embedded().unwrap();
        let mut sink = FactSink::new(&r, "test", false);
        let at = |line| Location::file("f.csv").at(line, "P21_POP");
        sink.push("1001", Level::Commune, key("population"), Cell::Value(10.0), &at(2)).unwrap();
        // Béon (01039, déléguée) is part of Culoz-Béon (01138), also given.
        sink.push("01039", Level::Commune, key("population"), Cell::Value(5.0), &at(3)).unwrap();
        sink.push("01138", Level::Commune, key("population"), Cell::Value(7.0), &at(4)).unwrap();
        sink.push("99999", Level::Commune, key("population"), Cell::Value(1.0), &at(5)).unwrap();
        sink.push("01002", Level::Commune, key("population"), Cell::Missing, &at(6)).unwrap();
        let e = sink.push("01001", Level::Commune, key("population"), Cell::Value(1.0), &at(7)).unwrap_err().to_string();
        assert!(e.contains("line 7") && e.contains("given twice") && e.contains("line 2"), "{e}");
        assert_eq!(sink.summary.unknown.len(), 1);
        assert_eq!(sink.summary.suppressed, 1);
        let (df, summary) = sink.finish().unwrap();
        assert!(summary.former_not_used.contains("01138"));
        let geo: Vec<&str> = df.column("geo").unwrap().str().unwrap().iter().flatten().collect();
        assert_eq!(geo, ["01001", "01002", "01138"]);
        let values: Vec<Option<f64>> = df.column("value").unwrap().f64().unwrap().iter().collect();
        // Culoz-Béon is in the file: Béon's row was already counted in it.
        assert_eq!(values, [Some(10.0), None, Some(7.0)]);
    }

    #[test]
    fn former_communes_alone_add_up_and_paris_is_not_counted_twice() {
        let r = Referential::embedded().unwrap();
        let at = |line| Location::file("f.csv").at(line, "CODGEO");
        let mut sink = FactSink::new(&r, "test", false);
        sink.push("01039", Level::Commune, key("population"), Cell::Value(5.0), &at(2)).unwrap();
        sink.push("75056", Level::Commune, key("population"), Cell::Value(2.1e6), &at(3)).unwrap();
        let (df, summary) = sink.finish().unwrap();
        let values: Vec<Option<f64>> = df.column("value").unwrap().f64().unwrap().iter().collect();
        assert_eq!(values, [Some(5.0), Some(2.1e6)], "a pre-merger file: Béon counts for Culoz-Béon");
        assert!(summary.whole_parents.contains("75056"));
        let mut sink = FactSink::new(&r, "test", false);
        sink.push("75056", Level::Commune, key("population"), Cell::Value(2.1e6), &at(2)).unwrap();
        sink.push("75101", Level::Commune, key("population"), Cell::Value(1.6e4), &at(3)).unwrap();
        let e = sink.finish().unwrap_err().to_string();
        assert!(e.contains("f.csv, line 2") && e.contains("75101") && e.contains("twice"), "{e}");
    }

    #[test]
    fn on_an_older_geography_former_communes_add_up() {
        let r = Referential::embedded().unwrap();
        let at = |line| Location::file("apl.csv").at(line, "code");
        let mut sink = FactSink::new(&r, "test", false);
        sink.former_communes_add_up();
        // Haut Valromey (01187) and Ruffieu (01330), separate communes in 2022, one since.
        sink.push("01187", Level::Commune, key("apl_population_total"), Cell::Value(615.0), &at(2)).unwrap();
        sink.push("01330", Level::Commune, key("apl_population_total"), Cell::Value(180.0), &at(3)).unwrap();
        let apl = || CellKey::published(2022, "apl_mg", "consultations par habitant standardisé");
        sink.push("01187", Level::Commune, apl(), Cell::Value(0.692), &at(2)).unwrap();
        sink.push("01330", Level::Commune, apl(), Cell::Value(1.061), &at(3)).unwrap();
        let (df, summary) = sink.finish().unwrap();
        assert!(summary.former_not_used.is_empty());
        let values: Vec<Option<f64>> = df.column("value").unwrap().f64().unwrap().iter().collect();
        let measures: Vec<&str> = df.column("measure").unwrap().str().unwrap().iter().flatten().collect();
        assert_eq!(measures, ["apl_population_total", "apl_mg"]);
        assert_eq!(values, [Some(795.0), None], "counts add up; two parts' APL cannot be known");
    }

    #[test]
    fn communes_of_an_older_geography_merged_since_add_up() {
        let r = Referential::embedded().unwrap();
        let at = |line| Location::file("f.csv").at(line, "insee_com");
        // A file of 2016 lists Béon (01039) and Culoz (01138) as two communes: Culoz-Béon is
        // their sum, not Culoz alone.
        let mut sink = FactSink::new(&r, "test", false);
        sink.former_communes_add_up();
        sink.push("01039", Level::Commune, key("population"), Cell::Value(5.0), &at(2)).unwrap();
        sink.push("01138", Level::Commune, key("population"), Cell::Value(7.0), &at(3)).unwrap();
        let (df, summary) = sink.finish().unwrap();
        let values: Vec<Option<f64>> = df.column("value").unwrap().f64().unwrap().iter().collect();
        assert_eq!(values, [Some(12.0)]);
        assert!(summary.former_not_used.is_empty());
    }

    #[test]
    fn strict_mode_refuses_unknown_codes() {
        let r = Referential::embedded().unwrap();
        let mut sink = FactSink::new(&r, "test", true);
        let e = sink
            .push("99999", Level::Commune, key("population"), Cell::Value(1.0), &Location::file("f.csv").at(9, "CODGEO"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("f.csv, line 9, column CODGEO") && e.contains("99999"), "{e}");
    }

    #[test]
    fn sexes_read_as_files_write_them() {
        assert_eq!(Sex::parse("1"), Some(Sex::Male));
        assert_eq!(Sex::parse("Femmes"), Some(Sex::Female));
        assert_eq!(Sex::parse(""), Some(Sex::All));
        assert_eq!(Sex::parse("x"), None);
    }
}
