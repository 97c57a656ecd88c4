//! Phase timings for profiling whole commands: with `DIAGSANTE_TIMING=1` in the environment,
//! [`mark`] prints to stderr the time since the previous mark and since the first one, and the
//! process's memory (resident now, and its peak so far, from `/proc/self/status` on Linux).
//! Off by default (one environment look-up, then nothing); never part of an output.

use std::sync::{Mutex, OnceLock};
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("DIAGSANTE_TIMING").is_some_and(|v| !v.is_empty() && v != "0"))
}

/// The end of a phase named `what`.
pub fn mark(what: &str) {
    if !enabled() {
        return;
    }
    static LAST: OnceLock<Mutex<(Instant, Instant)>> = OnceLock::new();
    let now = Instant::now();
    let cell = LAST.get_or_init(|| Mutex::new((now, now)));
    let Ok(mut last) = cell.lock() else { return };
    eprintln!("timing: {:>8.3} s {:>8.3} s {}  {what}", (now - last.1).as_secs_f64(), (now - last.0).as_secs_f64(), memory());
    last.1 = now;
}

/// « 812/1520 MB »: resident memory now and at its peak (empty where `/proc` is not).
fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let mb = |key: &str| {
        status.lines().find_map(|l| l.strip_prefix(key)).and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok()).map(|kb| kb / 1024)
    };
    match (mb("VmRSS:"), mb("VmHWM:")) {
        (Some(now), Some(peak)) => format!("{now:>5}/{peak:>5} MB"),
        _ => String::new(),
    }
}
