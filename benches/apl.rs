//! The APL of every commune of France (2SFCA, DREES's parameters): the travel-time network
//! estimated from the communes' centroids (grid of 20-minute cells) and the two steps, all
//! GPs and GPs under 65, on the demo data's population by age and national synthetic roster.
//! Loading the data is not timed (`diagsante apl` reads it once).

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use diagsante::apl::national::{communes, compute, estimated_network, gps, Inputs};
use diagsante::apl::travel::Estimate;

fn bench_apl(c: &mut Criterion) {
    let r = diagsante::geo::Referential::embedded().expect("referential");
    let data = diagsante::demo::data(&r, diagsante::demo::DEFAULT_SEED).expect("demo data");
    let year = diagsante::project::territory::REFERENCE_YEAR;
    let list = communes(&data.facts, &r, year).expect("communes");
    let index: HashMap<&str, usize> = list.iter().enumerate().map(|(i, c)| (c.code.as_str(), i)).collect();
    let (gps, imputed_activity, imputed_gps) = gps(data.roster.as_ref().expect("roster"), &r, &index, year, &HashSet::new()).expect("gps");
    drop(index);
    let inputs = Inputs { communes: list, gps, year, imputed_activity, imputed_gps };
    let mut group = c.benchmark_group("apl");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    group.bench_function("every_commune_of_france_estimated_times", |b| {
        b.iter(|| {
            let network = estimated_network(&inputs, &Estimate::default());
            compute(&inputs, &network)
        })
    });
    group.finish();
}

criterion_group!(benches, bench_apl);
criterion_main!(benches);
