//! indicatif progress bars behind the library's `Progress` seam: one bar per stage, with
//! counts and elapsed time; hidden with --quiet or when stderr is not a terminal. A bar is
//! drawn only once its stage has run for [`SHOW_AFTER`], so quick stages do not flicker.

use crate::base::progress::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a stage runs before its bar appears.
const SHOW_AFTER: Duration = Duration::from_secs(1);

pub struct Bars {
    label: String,
    visible: bool,
    bar: Mutex<Option<(ProgressBar, Instant, bool)>>,
}

impl Bars {
    pub fn new(label: &str, quiet: bool) -> Bars {
        Bars {
            label: label.to_string(),
            visible: !quiet && std::io::stderr().is_terminal(),
            bar: Mutex::new(None),
        }
    }
}

impl Progress for Bars {
    fn start(&self, stage: &str, total: u64) {
        if !self.visible {
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
        if let Some((pb, since, shown)) = self.bar.lock().expect("progress lock").as_mut() {
            pb.inc(n);
            if !*shown && since.elapsed() >= SHOW_AFTER {
                pb.set_draw_target(ProgressDrawTarget::stderr());
                *shown = true;
            }
        }
    }
    fn finish(&self) {
        if let Some((pb, _, _)) = self.bar.lock().expect("progress lock").take() {
            pb.finish_and_clear();
        }
    }
}
