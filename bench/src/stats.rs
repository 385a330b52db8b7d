//! Percentiles of measured durations, the spread of repeated runs, and the peak memory of a process.

use std::time::Duration;

use serde::Serialize;

/// Latency figures in milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    /// Samples taken.
    pub samples: usize,
    /// Median.
    pub p50_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Slowest.
    pub max_ms: f64,
}

impl Latency {
    /// Figures of `samples` (any order).
    pub fn of(samples: &mut [Duration]) -> Latency {
        samples.sort_unstable();
        let at = |q: f64| {
            let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
            samples.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        Latency { samples: samples.len(), p50_ms: at(0.5), p99_ms: at(0.99), max_ms: at(1.0) }
    }
}

/// How long each throughput figure is measured under steady load.
pub const STEADY: Duration = Duration::from_secs(3);
/// How many times each figure is measured.
pub const REPEATS: usize = 3;

/// A figure measured in several runs: the median, with the lowest and highest.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Spread {
    /// The median of the runs.
    pub median: f64,
    /// The lowest run.
    pub min: f64,
    /// The highest run.
    pub max: f64,
}

impl Spread {
    /// The spread of `values` (one per run; NaN when there is none).
    pub fn of(values: impl IntoIterator<Item = f64>) -> Spread {
        let mut v: Vec<f64> = values.into_iter().collect();
        v.sort_by(f64::total_cmp);
        let (Some(min), Some(max)) = (v.first().copied(), v.last().copied()) else {
            return Spread { median: f64::NAN, min: f64::NAN, max: f64::NAN };
        };
        let mid = v.len() / 2;
        let median = if v.len() % 2 == 1 { v[mid] } else { (v[mid - 1] + v[mid]) / 2.0 };
        Spread { median, min, max }
    }
}

impl std::fmt::Display for Spread {
    /// `median (min–max)`, to the precision asked for, right-aligned in the width asked for.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = f.precision().unwrap_or(0);
        let text = format!("{:.p$} ({:.p$}–{:.p$})", self.median, self.min, self.max);
        match f.width() {
            Some(w) => write!(f, "{text:>w$}"),
            None => f.write_str(&text),
        }
    }
}

/// VmHWM (peak resident set) of a live process, KiB; `None` once it has exited.
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    if status.lines().any(|l| l.starts_with("State:") && l.contains('Z')) {
        return None;
    }
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Watches a process's peak resident memory while it lives (the kernel's figure goes with it):
/// the peak in KiB once it has exited, 0 for no process.
pub fn watch_peak_rss(pid: Option<u32>) -> tokio::task::JoinHandle<u64> {
    tokio::spawn(async move {
        let mut peak_kib = 0u64;
        while let Some(kib) = pid.and_then(peak_rss_kib) {
            peak_kib = peak_kib.max(kib);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        peak_kib
    })
}
