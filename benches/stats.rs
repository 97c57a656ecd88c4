//! Benchmarks of the vectorised statistics over 10⁶ groups.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use diagsante::stats::standards::ESP2013;
use diagsante::stats::vectorised::*;

const GROUPS: usize = 1_000_000;

/// Deterministic pseudo-random numbers in [0, 1) (a 64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn outputs(k: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    (vec![0.0; k], vec![0.0; k], vec![0.0; k])
}

fn bench_vectorised(c: &mut Criterion) {
    let mut rng = Lcg(42);
    let n: Vec<f64> = (0..GROUPS).map(|_| 50.0 + (rng.next() * 50_000.0).floor()).collect();
    let x: Vec<f64> = n.iter().map(|&n| (rng.next() * 0.01 * n).floor()).collect();
    let expected: Vec<f64> = x.iter().map(|&x| (x * (0.7 + 0.6 * rng.next())).max(0.5)).collect();
    let (mut v, mut lo, mut up) = outputs(GROUPS);

    let mut group = c.benchmark_group("vectorised_1e6_groups");
    group.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));

    group.bench_function("proportion_many", |b| {
        b.iter(|| proportion_many(black_box(&x), black_box(&n), 100.0, 0.95, &mut v, &mut lo, &mut up))
    });
    group.bench_function("crude_rate_many", |b| {
        b.iter(|| crude_rate_many(black_box(&x), black_box(&n), 1e5, 0.95, &mut v, &mut lo, &mut up))
    });
    group.bench_function("isr_many", |b| {
        b.iter(|| isr_many(black_box(&x), black_box(&expected), 100.0, 0.95, &mut v, &mut lo, &mut up))
    });

    let counts: Vec<f64> = (0..GROUPS * 19).map(|_| (rng.next() * 20.0).floor()).collect();
    let pops: Vec<f64> = (0..GROUPS * 19).map(|_| 100.0 + (rng.next() * 5_000.0).floor()).collect();
    group.bench_function("dsr_many", |b| {
        b.iter(|| dsr_many(black_box(&counts), black_box(&pops), &ESP2013, 1e5, 0.95, &mut v, &mut lo, &mut up))
    });
    drop((counts, pops));

    let base_deaths = [
        17.0, 9.0, 4.0, 8.0, 20.0, 15.0, 24.0, 33.0, 50.0, 71.0, 100.0, 163.0, 263.0, 304.0, 536.0, 872.0, 1390.0,
        1605.0, 1936.0, 1937.0,
    ];
    let base_pops = [
        7060.0, 35059.0, 46974.0, 48489.0, 43219.0, 38561.0, 46009.0, 57208.0, 61435.0, 55601.0, 50209.0, 56416.0,
        46411.0, 39820.0, 37978.0, 37039.0, 33288.0, 23306.0, 11936.0, 11936.0,
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
    group.bench_function("life_expectancy_many", |b| {
        b.iter(|| life_expectancy_many(black_box(&deaths), black_box(&le_pops), 0.95, &mut v, &mut lo, &mut up))
    });
    group.finish();
}

criterion_group!(benches, bench_vectorised);
criterion_main!(benches);
