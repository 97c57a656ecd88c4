//! The national run and its growth with the number of territories, on the default data (the
//! embedded real facts and the synthetic data completing them, generated in memory at
//! start-up, not timed).

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use diagsante::compare::benchmark::{compute_all, national_geographies};
use diagsante::demo;
use diagsante::geo::Referential;
use diagsante::indicators::{catalogue, Geography};
use diagsante::ingest::load;

fn bench_national(c: &mut Criterion) {
    let r = Referential::embedded().expect("referential");
    // The default data: the embedded real facts and the synthetic data completing them, read
    // as the commands read them.
    let data = demo::generate(&r, 20260101).expect("demo data");
    let synthetic = demo::frames::facts_frame(&data).expect("facts").select(load::LOAD_COLUMNS).expect("columns");
    let mut all = demo::real::parts().expect("real data").unwrap_or_default();
    all.push(synthetic);
    // Interned as loaded, as a command reads them (aggregations then read it).
    let facts = load::from_frames(all, None, String::new(), None).expect("facts").facts;
    let indicators = catalogue::load(None).expect("catalogue");
    let mut group = c.benchmark_group("national");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(10));

    group.bench_function("all_epci_departements_regions_france", |b| {
        b.iter(|| {
            let [epci, deps, regs, france] = national_geographies(&r);
            let layers = vec![("epci", epci), ("departement", deps), ("region", regs), ("france", france)];
            compute_all(&facts, layers, &indicators, |_, _| {}).expect("national")
        })
    });

    // Synthetic perimeters: runs of consecutive communes, n of them, then France.
    let [.., france] = national_geographies(&r);
    let units = france[0].units.clone();
    for n in [10usize, 100, 1_000, 10_000] {
        let size = (units.len() / n).max(1);
        let perimeters: Vec<Geography> = units
            .chunks(size)
            .take(n)
            .enumerate()
            .map(|(i, u)| Geography { id: format!("p{i}"), name: format!("p{i}"), units: u.to_vec() })
            .collect();
        group.bench_with_input(BenchmarkId::new("perimeters", n), &perimeters, |b, p| {
            b.iter(|| compute_all(&facts, vec![("custom", p.clone()), ("france", france.clone())], &indicators, |_, _| {}).expect("run"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_national);
criterion_main!(benches);
