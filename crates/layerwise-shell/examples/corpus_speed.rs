//! Measures analysis cost per `RUN` line over a directory of Dockerfiles.
//!
//! Usage: `cargo run --release -p layerwise-shell --example corpus_speed -- DIR [ROUNDS]`
//! Prints wall time and, because shared machines skew wall time, the
//! process CPU time per line as well.

use std::time::Instant;

fn cpu_seconds() -> Option<f64> {
    // utime and stime are fields 14 and 15 of /proc/self/stat, in clock ticks
    // (100 per second on Linux).
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: corpus_speed DIR [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(20);
    let mut lines = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("cannot read {dir}");
        std::process::exit(2);
    };
    for entry in entries.flatten() {
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        // A rough scan is enough for timing: join continuations of RUN lines.
        let joined = text.replace("\\\n", " ");
        for l in joined.lines() {
            let t = l.trim_start();
            if t.len() > 4
                && t[..4].eq_ignore_ascii_case("run ")
                && !t[4..].trim_start().starts_with('[')
            {
                lines.push(t[4..].to_string());
            }
        }
    }
    let cpu0 = cpu_seconds();
    let start = Instant::now();
    let mut invocations = 0usize;
    for _ in 0..rounds {
        for l in &lines {
            let s = layerwise_shell::analyze(l);
            invocations += layerwise_shell::invocations(&s).len();
        }
    }
    let wall = start.elapsed().as_secs_f64();
    let n = (lines.len() * rounds) as f64;
    println!(
        "{} lines x {rounds} rounds, {invocations} invocations",
        lines.len()
    );
    println!("wall: {:.1} us/line", wall / n * 1e6);
    if let (Some(a), Some(b)) = (cpu0, cpu_seconds()) {
        println!("cpu:  {:.1} us/line", (b - a) / n * 1e6);
    }
}
