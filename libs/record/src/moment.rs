//! When something was recorded.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

/// When something was recorded: exercise time (after the start, pauses not counted) and wall time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Moment {
    /// Exercise time after the start.
    pub exercise: Duration,
    /// Wall time.
    pub wall: SystemTime,
}

impl Default for Moment {
    fn default() -> Self {
        Moment { exercise: Duration::ZERO, wall: SystemTime::UNIX_EPOCH }
    }
}
