//! Pseudo-random numbers of the demo generator, self-contained and frozen: written here so
//! that the drawn numbers never change with a crate version. Every hash, stream and sampler
//! of the generator lives in this file.
//!
//! * [`fnv1a`]: 64-bit FNV-1a, the stable string hash that keys every stream;
//! * [`SplitMix64`]: expands a seed (and, alone, gives [`unit_hash`] and [`keyed_normals`]);
//! * [`Rng`]: xoshiro256** with its samplers (uniform, normal, lognormal, Poisson, binomial),
//!   one independent stream per `(seed, domain, key)`.
//!
//! The samplers use `f64::ln`, `exp`, `sqrt`, `cos` from std; on one platform the output is
//! bit-identical run after run. A different libm could in principle round a transcendental
//! function differently by one ulp, which may change a rare draw.

/// FNV-1a 64-bit offset basis.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a 64-bit prime.
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// 64-bit FNV-1a hash (stable across versions, unlike `std::hash`).
pub(super) fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_from(FNV_OFFSET, bytes)
}

/// FNV-1a of `bytes` continued from the state `h` (the offset basis for a plain hash).
pub(super) fn fnv1a_from(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// A uniform value in [0, 1) from the 53 high bits of `x`.
fn unit_f64(x: u64) -> f64 {
    (x >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// A standard normal value from two uniforms (Box–Muller, cosine branch); `u1` in (0, 1].
fn box_muller(u1: f64, u2: f64) -> f64 {
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// SplitMix64 (Steele, Lea & Flood, 2014), used to expand seeds. Public-domain algorithm,
/// constants from Vigna's reference implementation.
#[derive(Debug, Clone)]
pub(super) struct SplitMix64(pub(super) u64);

impl SplitMix64 {
    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        unit_f64(self.next_u64())
    }
}

/// Uniform value in [0, 1) derived from a string only (seed-independent).
pub(super) fn unit_hash(key: &str) -> f64 {
    SplitMix64(fnv1a(key.as_bytes())).uniform()
}

/// Standard normal draws keyed by `(seed, key)`: FNV-1a of the key from the offset basis
/// xored with the seed, expanded by SplitMix64, then Box–Muller (two uniforms per value, the
/// first kept at least 1e-12). A stream of its own, beside the [`Rng`] streams, for the
/// measures added after the first version of the generator (`population_base`, `area_km2`),
/// so that the other draws did not change; frozen like them.
pub(super) fn keyed_normals(seed: u64, key: &str) -> impl FnMut() -> f64 {
    let mut sm = SplitMix64(fnv1a_from(FNV_OFFSET ^ seed, key.as_bytes()));
    move || {
        let (u1, u2) = (sm.uniform().max(1e-12), sm.uniform());
        box_muller(u1, u2)
    }
}

/// xoshiro256** 1.0 (Blackman & Vigna, 2018), state filled by SplitMix64.
#[derive(Debug, Clone)]
pub(super) struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub(super) fn new(seed: u64) -> Rng {
        let mut sm = SplitMix64(seed);
        let mut s = [sm.next_u64(), sm.next_u64(), sm.next_u64(), sm.next_u64()];
        if s == [0; 4] {
            s[0] = 1;
        }
        Rng { s }
    }

    /// Independent stream for `(seed, domain, key)`.
    pub(super) fn for_key(seed: u64, domain: &str, key: &str) -> Rng {
        let h = fnv1a(domain.as_bytes()) ^ fnv1a(key.as_bytes()).rotate_left(32);
        let mixed = SplitMix64(seed ^ h).next_u64();
        Rng::new(mixed)
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1).
    pub(super) fn uniform(&mut self) -> f64 {
        unit_f64(self.next_u64())
    }

    /// Uniform in (0, 1).
    fn open01(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform integer in [0, n) (multiply-shift; bias < n / 2^64). 0 if n = 0.
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Mean-one lognormal multiplier `exp(sd × z − sd² / 2)`.
    pub(super) fn lognormal_factor(&mut self, sd: f64) -> f64 {
        (sd * self.normal() - 0.5 * sd * sd).exp()
    }

    /// Standard normal (Box-Muller, one value per call: two uniforms consumed).
    pub(super) fn normal(&mut self) -> f64 {
        let u1 = self.open01();
        let u2 = self.uniform();
        box_muller(u1, u2)
    }

    /// Poisson draw. Inversion below 30, Hörmann's PTRS transformed rejection
    /// (1993) up to 1e12, normal approximation beyond. 0 for a non-positive or
    /// non-finite mean.
    pub(super) fn poisson(&mut self, lambda: f64) -> u64 {
        if !lambda.is_finite() || lambda <= 0.0 {
            return 0;
        }
        if lambda < 30.0 {
            let mut p = (-lambda).exp();
            let mut f = p;
            let u = self.uniform();
            let mut x = 0u64;
            while u > f && x < 1000 {
                x += 1;
                p *= lambda / x as f64;
                f += p;
            }
            return x;
        }
        if lambda > 1e12 {
            return (lambda + lambda.sqrt() * self.normal()).round().max(0.0) as u64;
        }
        let slam = lambda.sqrt();
        let loglam = lambda.ln();
        let b = 0.931 + 2.53 * slam;
        let a = -0.059 + 0.02483 * b;
        let invalpha = 1.1239 + 1.1328 / (b - 3.4);
        let vr = 0.9277 - 3.6224 / (b - 2.0);
        for _ in 0..10_000 {
            let u = self.uniform() - 0.5;
            let v = self.uniform();
            let us = 0.5 - u.abs();
            let k = ((2.0 * a / us + b) * u + lambda + 0.43).floor();
            if !k.is_finite() || k < 0.0 {
                continue;
            }
            if us >= 0.07 && v <= vr {
                return k as u64;
            }
            if us < 0.013 && v > us {
                continue;
            }
            if (v * invalpha / (a / (us * us) + b)).ln() <= -lambda + k * loglam - ln_factorial(k) {
                return k as u64;
            }
        }
        lambda.round() as u64
    }

    /// Binomial draw. Inversion (BINV) when the smaller tail mean is below 30,
    /// normal approximation with rounding otherwise (accurate enough for counts
    /// of thousands). p is clamped to [0, 1]; NaN counts as 0.
    pub(super) fn binomial(&mut self, n: u64, p: f64) -> u64 {
        if n == 0 || p.is_nan() || p <= 0.0 {
            return 0;
        }
        if p >= 1.0 {
            return n;
        }
        if p > 0.5 {
            return n - self.binomial_low(n, 1.0 - p);
        }
        self.binomial_low(n, p)
    }

    fn binomial_low(&mut self, n: u64, p: f64) -> u64 {
        let nf = n as f64;
        let np = nf * p;
        if np < 30.0 {
            let q = 1.0 - p;
            let s = p / q;
            let a = (nf + 1.0) * s;
            let mut r = (nf * q.ln()).exp();
            let mut u = self.uniform();
            let mut x = 0u64;
            while u >= r && x < n && x < 100_000 && r > 0.0 {
                u -= r;
                x += 1;
                r *= a / x as f64 - s;
            }
            return x.min(n);
        }
        let sd = (np * (1.0 - p)).sqrt();
        (np + sd * self.normal()).round().clamp(0.0, nf) as u64
    }
}

/// ln(k!) for a non-negative integer value k (table below 10, Stirling series).
fn ln_factorial(k: f64) -> f64 {
    const TABLE: [f64; 10] = [
        0.0,
        0.0,
        std::f64::consts::LN_2,
        1.791_759_469_228_055,
        3.178_053_830_347_945_8,
        4.787_491_742_782_046,
        6.579_251_212_010_101,
        8.525_161_361_065_415,
        10.604_602_902_745_25,
        12.801_827_480_081_469,
    ];
    if k < 10.0 {
        return TABLE[k.max(0.0) as usize];
    }
    let x = k + 1.0;
    let x2 = x * x;
    (x - 0.5) * x.ln() - x + 0.5 * (std::f64::consts::TAU).ln() + 1.0 / (12.0 * x) - 1.0 / (360.0 * x * x2) + 1.0 / (1260.0 * x2 * x2 * x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prng_streams_are_frozen() {
        // Reference values of SplitMix64 (seed 1234567) and of xoshiro256**
        // seeded by SplitMix64(20260101), checked against an independent
        // implementation. If this fails, the demo data changed.
        let mut sm = SplitMix64(1_234_567);
        assert_eq!([sm.next_u64(), sm.next_u64(), sm.next_u64()], [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423]);
        let mut r = Rng::new(20_260_101);
        assert_eq!([r.next_u64(), r.next_u64(), r.next_u64()], [6_332_780_174_000_220_894, 12_543_275_776_149_051_043, 34_711_071_102_197_583]);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        // The keyed normals were first written with 2π = 2.0 × PI: the same double as TAU.
        assert_eq!(2.0 * std::f64::consts::PI, std::f64::consts::TAU);
    }

    #[test]
    fn samplers_have_the_right_moments_and_never_hang() {
        let mut r = Rng::new(7);
        for &lambda in &[0.3, 3.0, 29.0, 50.0, 1000.0, 1e6] {
            let n = 20_000;
            let xs: Vec<f64> = (0..n).map(|_| r.poisson(lambda) as f64).collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
            assert!((mean - lambda).abs() < 4.0 * (lambda / n as f64).sqrt() + 1e-9, "poisson {lambda}: mean {mean}");
            assert!((var / lambda - 1.0).abs() < 0.08, "poisson {lambda}: var {var}");
        }
        for &(n, p) in &[(10u64, 0.3), (100, 0.02), (1000, 0.5), (50_000, 0.97), (7, 0.999)] {
            let k = 20_000;
            let xs: Vec<f64> = (0..k).map(|_| r.binomial(n, p) as f64).collect();
            assert!(xs.iter().all(|&x| x <= n as f64));
            let mean = xs.iter().sum::<f64>() / k as f64;
            let sd = (n as f64 * p * (1.0 - p) / k as f64).sqrt();
            assert!((mean - n as f64 * p).abs() < 5.0 * sd + 1e-9, "binomial {n} {p}: mean {mean}");
        }
        let mut normals = keyed_normals(7, "01001");
        let xs: Vec<f64> = (0..20_000).map(|_| normals()).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
        assert!(mean.abs() < 0.03 && (var - 1.0).abs() < 0.05, "keyed normals: {mean} {var}");
        // Degenerate inputs.
        assert_eq!(r.poisson(f64::NAN), 0);
        assert_eq!(r.poisson(-3.0), 0);
        assert_eq!(r.poisson(f64::INFINITY), 0);
        assert!(r.poisson(1e15) > 0);
        assert_eq!(r.binomial(10, f64::NAN), 0);
        assert_eq!(r.binomial(10, 2.0), 10);
        assert_eq!(r.binomial(0, 0.5), 0);
        assert!(r.binomial(u64::MAX, 0.5) > 0);
        assert!(r.binomial(u64::MAX, 1e-19) < 1000);
        assert_eq!(r.below(0), 0);
        assert!((ln_factorial(20.0) - 42.335_616_460_753_485).abs() < 1e-9);
        assert!((ln_factorial(10.0) - 15.104_412_573_075_516).abs() < 1e-9);
    }
}
