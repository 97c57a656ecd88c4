//! Benchmarks of the statistics over 10⁶ groups, called as the national path calls them
//! (`compare::benchmark::compute_row` → `indicators::evaluate::compute`): the scalar
//! function once per group, both default confidence levels (95 % and 99.8 %), the groups
//! spread over the cores with rayon's `into_par_iter`, one `Estimate` collected per group.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use diagsante::stats::dsr::{dsr, DsrBand};
use diagsante::stats::isr::{isr, IsrBand};
use diagsante::stats::life_expectancy::{life_expectancy, LifeBand, LE_BAND_STARTS};
use diagsante::stats::proportion::proportion;
use diagsante::stats::rate::crude_rate;
use diagsante::stats::standards::ESP2013;
use diagsante::stats::DEFAULT_LEVELS;
use rayon::prelude::*;

const GROUPS: usize = 1_000_000;

/// Deterministic pseudo-random numbers in [0, 1) (a 64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn bench_national_path(c: &mut Criterion) {
    let mut rng = Lcg(42);
    let n: Vec<f64> = (0..GROUPS).map(|_| 50.0 + (rng.next() * 50_000.0).floor()).collect();
    let x: Vec<f64> = n.iter().map(|&n| (rng.next() * 0.01 * n).floor()).collect();
    let levels = &DEFAULT_LEVELS;

    let mut group = c.benchmark_group("scalar_par_iter_1e6_groups");
    group.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(5));

    group.bench_function("proportion", |b| {
        b.iter(|| (0..GROUPS).into_par_iter().map(|g| proportion(black_box(x[g]), n[g], 100.0, levels)).collect::<Vec<_>>())
    });
    group.bench_function("crude_rate", |b| {
        b.iter(|| (0..GROUPS).into_par_iter().map(|g| crude_rate(black_box(x[g]), n[g], 1e5, levels)).collect::<Vec<_>>())
    });

    // 19 age bands per group, as the catalogue's DSR and ICM indicators; the ISR's reference
    // is France's rate in each band (the same for every group).
    let counts: Vec<f64> = (0..GROUPS * 19).map(|_| (rng.next() * 20.0).floor()).collect();
    let pops: Vec<f64> = (0..GROUPS * 19).map(|_| 100.0 + (rng.next() * 5_000.0).floor()).collect();
    let ref_counts: Vec<f64> = (0..19).map(|i| 1_000.0 + 500.0 * i as f64).collect();
    let ref_pops: Vec<f64> = (0..19).map(|_| 3_500_000.0).collect();
    group.bench_function("isr_19_bands", |b| {
        b.iter(|| {
            (0..GROUPS)
                .into_par_iter()
                .map(|g| {
                    let bands: Vec<IsrBand> = (0..19)
                        .map(|i| IsrBand {
                            count: counts[g * 19 + i],
                            population: pops[g * 19 + i],
                            ref_count: ref_counts[i],
                            ref_population: ref_pops[i],
                        })
                        .collect();
                    isr(black_box(&bands), 100.0, None, levels)
                })
                .collect::<Vec<_>>()
        })
    });
    group.bench_function("dsr_19_bands", |b| {
        b.iter(|| {
            (0..GROUPS)
                .into_par_iter()
                .map(|g| {
                    let bands: Vec<DsrBand> = (0..19)
                        .map(|i| DsrBand {
                            band: i as u64,
                            count: counts[g * 19 + i],
                            population: pops[g * 19 + i],
                            standard: ESP2013[i],
                            frequency: 1.0,
                        })
                        .collect();
                    dsr(black_box(&bands), 1e5, levels)
                })
                .collect::<Vec<_>>()
        })
    });
    drop((counts, pops));

    let base_deaths =
        [17.0, 9.0, 4.0, 8.0, 20.0, 15.0, 24.0, 33.0, 50.0, 71.0, 100.0, 163.0, 263.0, 304.0, 536.0, 872.0, 1390.0, 1605.0, 1936.0, 1937.0];
    let base_pops = [
        7060.0, 35059.0, 46974.0, 48489.0, 43219.0, 38561.0, 46009.0, 57208.0, 61435.0, 55601.0, 50209.0, 56416.0, 46411.0, 39820.0, 37978.0,
        37039.0, 33288.0, 23306.0, 11936.0, 11936.0,
    ];
    let mut deaths = Vec::with_capacity(GROUPS * 20);
    let mut le_pops = Vec::with_capacity(GROUPS * 20);
    for _ in 0..GROUPS {
        let scale = 0.1 + rng.next();
        for b in 0..20 {
            let p = (base_pops[b] * scale).round();
            le_pops.push(p);
            deaths.push((base_deaths[b] * scale * (0.8 + 0.4 * rng.next())).round().min(p));
        }
    }
    // The national path keeps the life expectancy at birth; the function gives every start age.
    group.bench_function("life_expectancy_20_bands", |b| {
        b.iter(|| {
            (0..GROUPS)
                .into_par_iter()
                .map(|g| {
                    let bands: Vec<LifeBand> = (0..20)
                        .map(|i| LifeBand { start_age: LE_BAND_STARTS[i], deaths: deaths[g * 20 + i], population: le_pops[g * 20 + i] })
                        .collect();
                    life_expectancy(black_box(&bands), levels).map(|t| t.into_iter().next())
                })
                .collect::<Vec<_>>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_national_path);
criterion_main!(benches);
