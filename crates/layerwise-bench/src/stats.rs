//! Summaries of repeated measurements.

use serde::Serialize;

/// Median, minimum and maximum of a set of runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub runs: usize,
}

impl Summary {
    /// `None` for no values; NaN values are ignored so one broken sample
    /// cannot poison the ordering.
    pub fn of(values: &[f64]) -> Option<Summary> {
        let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        Some(Summary {
            median,
            min: sorted[0],
            max: sorted[n - 1],
            runs: n,
        })
    }
}

/// Seconds a scenario would take on a link of `mbit` megabits per second:
/// the measured time plus the time to move the downloaded bytes over it.
/// The measuring link's own transfer time stays included, so this slightly
/// overestimates; on a fast index it is negligible.
pub fn on_slower_link(seconds: f64, bytes: u64, mbit: f64) -> Option<f64> {
    if !(mbit.is_finite() && mbit > 0.0) {
        return None;
    }
    Some(seconds + bytes as f64 * 8.0 / (mbit * 1_000_000.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_and_even_medians() {
        let s = Summary::of(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.median, s.min, s.max, s.runs), (2.0, 1.0, 3.0, 3));
        let s = Summary::of(&[4.0, 1.0, 2.0, 10.0]).unwrap();
        assert_eq!((s.median, s.min, s.max), (3.0, 1.0, 10.0));
        assert_eq!(Summary::of(&[5.5]).unwrap().median, 5.5);
    }

    #[test]
    fn empty_and_nan_inputs() {
        assert!(Summary::of(&[]).is_none());
        assert!(Summary::of(&[f64::NAN]).is_none());
        assert_eq!(Summary::of(&[f64::NAN, 2.0]).unwrap().median, 2.0);
    }

    #[test]
    fn slower_link_adds_transfer_time() {
        // 10 MB at 8 Mbit/s is 10 s on top of the measured 2 s.
        assert_eq!(on_slower_link(2.0, 10_000_000, 8.0), Some(12.0));
        assert_eq!(on_slower_link(2.0, 0, 8.0), Some(2.0));
        assert_eq!(on_slower_link(2.0, 1, 0.0), None);
        assert_eq!(on_slower_link(2.0, 1, f64::NAN), None);
    }
}
