//! How a test waits: for a future at most so long, or until a condition holds.

use std::time::Duration;

use anyhow::Context as _;

/// Waits for `future` at most `limit`, failing the test with `what` instead of hanging.
pub async fn within<T>(limit: Duration, what: &str, future: impl std::future::Future<Output = T>) -> anyhow::Result<T> {
    tokio::time::timeout(limit, future).await.with_context(|| format!("timed out after {limit:?} waiting for {what}"))
}

/// How often [`eventually`] asks.
const POLL: Duration = Duration::from_millis(20);

/// Asks `check` until it gives a value, for at most `limit`: the one way the tests wait for a
/// condition. A check that fails is asked again (what it reads may not be there yet); when time is
/// up, the error names `what` and the last failure.
pub async fn eventually<T>(
    limit: Duration,
    what: &str,
    mut check: impl AsyncFnMut() -> anyhow::Result<Option<T>>,
) -> anyhow::Result<T> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let last = match check().await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => None,
            Err(e) => Some(e),
        };
        if tokio::time::Instant::now() >= deadline {
            let why = last.map(|e| format!("; the last check failed: {e:#}")).unwrap_or_default();
            anyhow::bail!("timed out after {limit:?} waiting for {what}{why}");
        }
        tokio::time::sleep(POLL).await;
    }
}
