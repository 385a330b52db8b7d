//! Exercise time as the leader keeps it while it runs: wall time since the start times the scale,
//! not counting time spent paused. Where it stands is the record's (the notification's time and the
//! pauses); this is only the running clock, on the monotonic time of the process.

use std::time::{Duration, Instant, SystemTime};

use record::Record;

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
        self.at(Instant::now())
    }

    /// Exercise time at `instant`.
    pub fn at(&self, instant: Instant) -> Duration {
        let end = self.paused_since.unwrap_or(instant);
        let running = end.saturating_duration_since(self.started).saturating_sub(self.paused_total);
        Duration::try_from_secs_f64(running.as_secs_f64() * self.scale).unwrap_or(Duration::MAX)
    }

    /// Stops or restarts the clock as of `instant` (the moment the pause or resume was stamped, so
    /// that the clock stands exactly at the exercise time recorded); repeating it changes nothing.
    pub fn set_paused(&mut self, paused: bool, instant: Instant) {
        match (paused, self.paused_since) {
            (true, None) => self.paused_since = Some(instant),
            (false, Some(since)) => {
                self.paused_total += instant.saturating_duration_since(since);
                self.paused_since = None;
            }
            _ => {}
        }
    }

    /// A clock that started at `start` (wall time) and has been held for `paused_total`, and is
    /// held still since `paused_since` if given: how a restarted coordinator takes up the time.
    pub fn resume(scale: f64, start: SystemTime, paused_total: Duration, paused_since: Option<SystemTime>) -> Self {
        let (now_wall, now) = (SystemTime::now(), Instant::now());
        let instant = |t: SystemTime| now.checked_sub(now_wall.duration_since(t).unwrap_or_default()).unwrap_or(now);
        Clock { scale, started: instant(start), paused_since: paused_since.map(instant), paused_total }
    }

    /// Wall time until exercise time `at`, zero if it has passed.
    pub fn wall_until(&self, at: Duration) -> Duration {
        Duration::try_from_secs_f64(at.saturating_sub(self.now()).as_secs_f64() / self.scale).unwrap_or(Duration::MAX)
    }
}

/// The clock as the record leaves it, running at `scale`: from the notification's time, less the
/// time held; a fresh one if the exercise has not started. How a new leader takes up the time.
pub fn of(record: &Record, scale: f64) -> Clock {
    match record.notified {
        Some(start) => Clock::resume(scale, start.wall, record.held.total, record.held.since),
        None => Clock::start(scale),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paused_clock_stands_still() {
        let mut clock = Clock::start(1000.0);
        clock.set_paused(true, Instant::now());
        let held = clock.now();
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(clock.now(), held);
        clock.set_paused(false, Instant::now());
        std::thread::sleep(Duration::from_millis(20));
        assert!(clock.now() >= held + Duration::from_secs(20));
    }

    #[test]
    fn a_resumed_clock_counts_from_the_logged_start_less_the_pauses() {
        let start = SystemTime::now() - Duration::from_secs(10);
        let clock = Clock::resume(60.0, start, Duration::from_secs(4), None);
        let now = clock.now().as_secs_f64();
        assert!((359.0..=362.0).contains(&now), "6 s running at 60x is 360 s, got {now}");
        let held = Clock::resume(60.0, start, Duration::ZERO, Some(start + Duration::from_secs(2)));
        let now = held.now().as_secs_f64();
        assert!((119.0..=121.0).contains(&now), "held after 2 s, got {now}");
    }

    #[test]
    fn wall_time_until_a_deadline_is_scaled_down() {
        let clock = Clock::start(3600.0);
        let wait = clock.wall_until(Duration::from_secs(3600));
        assert!(wait <= Duration::from_secs(1) && wait > Duration::from_millis(900), "{wait:?}");
    }
}
