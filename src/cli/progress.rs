//! Progress behind the library's `Progress` seam. On a terminal: indicatif bars, one per
//! stage, with counts and elapsed time, drawn only once a stage has run for [`SHOW_AFTER`] so
//! quick stages do not flicker. Off a terminal (a CI log, a file): a plain line on stderr at
//! most every [`PLAIN_EVERY`] (or `NEEDLEMAP_PROGRESS_SECS`) for a stage that runs that long — the stage, units done of all,
//! the time elapsed and an estimate of the time left. Nothing with --quiet.

use crate::base::progress::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a stage runs before its bar appears.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// Off a terminal, the least time between two progress lines (and before the first);
/// `NEEDLEMAP_PROGRESS_SECS` sets another (a CI log may want one a minute).
pub const PLAIN_EVERY: Duration = Duration::from_secs(10);

/// [`PLAIN_EVERY`], or `NEEDLEMAP_PROGRESS_SECS` when it holds a number of seconds.
fn plain_every() -> Duration {
    std::env::var("NEEDLEMAP_PROGRESS_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0 && *s < 1e6)
        .map_or(PLAIN_EVERY, Duration::from_secs_f64)
}

/// A stage as the plain lines report it.
struct Plain {
    every: Duration,
    stage: String,
    total: u64,
    done: u64,
    start: Instant,
    last: Instant,
}

pub struct Bars {
    label: String,
    terminal: bool,
    plain: bool,
    bar: Mutex<Option<(ProgressBar, Instant, bool)>>,
    lines: Mutex<Option<Plain>>,
}

impl Bars {
    pub fn new(label: &str, quiet: bool) -> Bars {
        let terminal = std::io::stderr().is_terminal();
        Bars {
            label: crate::base::input::clip(label),
            terminal: !quiet && terminal,
            plain: !quiet && !terminal,
            bar: Mutex::new(None),
            lines: Mutex::new(None),
        }
    }
}

/// The plain progress line of `p` for `label`.
fn plain_line(label: &str, p: &Plain) -> String {
    let elapsed = p.start.elapsed().as_secs_f64();
    let pct = if p.total > 0 {
        100.0 * p.done as f64 / p.total as f64
    } else {
        0.0
    };
    let left = if p.done > 0 && p.total >= p.done {
        format!(
            ", about {} left",
            crate::metrics::analysis::duration_words(
                elapsed * (p.total - p.done) as f64 / p.done as f64
            )
        )
    } else {
        String::new()
    };
    format!(
        "{label} {}: {}/{} ({pct:.0} %), {} elapsed{left}",
        p.stage,
        p.done,
        p.total,
        crate::metrics::analysis::duration_words(elapsed)
    )
}

impl Progress for Bars {
    fn start(&self, stage: &str, total: u64) {
        if self.plain {
            let now = Instant::now();
            *self.lines.lock().expect("progress lock") = Some(Plain {
                every: plain_every(),
                stage: stage.to_string(),
                total,
                done: 0,
                start: now,
                last: now,
            });
        }
        if !self.terminal {
            return;
        }
        let pb = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        pb.set_style(
            ProgressStyle::with_template(
                "{prefix:>24} {msg:<14} [{bar:30}] {pos}/{len} {elapsed} eta {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        pb.set_prefix(self.label.clone());
        pb.set_message(stage.to_string());
        *self.bar.lock().expect("progress lock") = Some((pb, Instant::now(), false));
    }
    fn advance(&self, n: u64) {
        if self.plain {
            if let Some(p) = self.lines.lock().expect("progress lock").as_mut() {
                p.done += n;
                if p.last.elapsed() >= p.every {
                    p.last = Instant::now();
                    eprintln!("{}", plain_line(&self.label, p));
                }
            }
        }
        if let Some((pb, since, shown)) = self.bar.lock().expect("progress lock").as_mut() {
            pb.inc(n);
            if !*shown && since.elapsed() >= SHOW_AFTER {
                pb.set_draw_target(ProgressDrawTarget::stderr());
                *shown = true;
            }
        }
    }
    fn finish(&self) {
        self.lines.lock().expect("progress lock").take();
        if let Some((pb, _, _)) = self.bar.lock().expect("progress lock").take() {
            pb.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_line_says_the_stage_the_count_and_the_time_left() {
        let t = Instant::now() - Duration::from_secs(20);
        let p = Plain {
            every: PLAIN_EVERY,
            stage: "runs".into(),
            total: 1000,
            done: 250,
            start: t,
            last: t,
        };
        let line = plain_line("mf8-192", &p);
        assert!(
            line.starts_with("mf8-192 runs: 250/1000 (25 %), 20 s elapsed, about 60 s left"),
            "{line}"
        );
    }
}
