//! GP supply projected for every EPCI of France under three scenarios, on a synthetic roster
//! of 100,000 GPs (deterministic ages).

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use diagsante::project::supply::{project, Entries, Gp, Rule};

fn bench_projection(c: &mut Criterion) {
    // 1,255 EPCI, about 80 GPs each, ages 28-72 spread deterministically.
    let rosters: Vec<Vec<Gp>> = (0..1255)
        .map(|e| (0..80).map(|i| Gp { id: format!("{e}-{i}"), birth_year: 2024 - 28 - ((e * 7 + i * 13) % 45), fte: 1.0 }).collect())
        .collect();
    let scenarios = [Rule::StopAt(62.0), Rule::Reform2023, Rule::StopAt(67.0)];
    let mut group = c.benchmark_group("projection");
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    group.bench_function("every_epci_100k_gps_3_scenarios_10_years", |b| {
        b.iter(|| {
            let mut total = 0.0;
            for rule in &scenarios {
                for roster in &rosters {
                    total += project(roster, 2024, 10, rule, &Entries::none(), 0.95)[10].headcount;
                }
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, bench_projection);
criterion_main!(benches);
