//! Exercise time: wall time since the start times the scale, not counting time spent paused.

use std::time::{Duration, Instant};

/// A stoppable clock that maps wall time to exercise time.
#[derive(Debug, Clone)]
pub struct Clock {
    scale: f64,
    started: Instant,
    paused_since: Option<Instant>,
    paused_total: Duration,
}

impl Clock {
    /// A running clock from now; `scale` exercise seconds pass per wall second.
    pub fn start(scale: f64) -> Self {
        Clock { scale, started: Instant::now(), paused_since: None, paused_total: Duration::ZERO }
    }

    /// Exercise time elapsed since the start.
    pub fn now(&self) -> Duration {
        let end = self.paused_since.unwrap_or_else(Instant::now);
        let running = end.saturating_duration_since(self.started).saturating_sub(self.paused_total);
        running.mul_f64(self.scale)
    }

    /// Stops or restarts the clock; repeating the same call changes nothing.
    pub fn set_paused(&mut self, paused: bool) {
        match (paused, self.paused_since) {
            (true, None) => self.paused_since = Some(Instant::now()),
            (false, Some(since)) => {
                self.paused_total += since.elapsed();
                self.paused_since = None;
            }
            _ => {}
        }
    }

    /// Wall time until exercise time `at`, zero if it has passed.
    pub fn wall_until(&self, at: Duration) -> Duration {
        at.saturating_sub(self.now()).div_f64(self.scale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paused_clock_stands_still() {
        let mut clock = Clock::start(1000.0);
        clock.set_paused(true);
        let held = clock.now();
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(clock.now(), held);
        clock.set_paused(false);
        std::thread::sleep(Duration::from_millis(20));
        assert!(clock.now() >= held + Duration::from_secs(20));
    }

    #[test]
    fn wall_time_until_a_deadline_is_scaled_down() {
        let clock = Clock::start(3600.0);
        let wait = clock.wall_until(Duration::from_secs(3600));
        assert!(wait <= Duration::from_secs(1) && wait > Duration::from_millis(900), "{wait:?}");
    }
}
