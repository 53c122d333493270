//! Query logging through [`tracing`](https://docs.rs/tracing): every statement the client sends
//! is an event, and statements slower than a threshold are warnings.
//!
//! - target `sovereign::query`, level `DEBUG`: `sql` (the text, values never included: they
//!   are bound parameters), `duration_ms`, `rows` (returned, or affected);
//! - target `sovereign::slow_query`, level `WARN`: the same fields, for statements that took
//!   at least the threshold [`set_slow_query_threshold`] sets (none by default).
//!
//! Off by default and cheap when off: with no subscriber interested in `sovereign::query` and no
//! threshold, a statement costs one check of each (the clock is not read, the text not copied).
//!
//! ```no_run
//! // With tracing-subscriber: `RUST_LOG=sovereign::query=debug` shows every statement.
//! sovereign::log::set_slow_query_threshold(Some(std::time::Duration::from_millis(200)));
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The slow-query threshold in microseconds; 0: none.
static SLOW: AtomicU64 = AtomicU64::new(0);

/// Statements that take at least `threshold` are logged as warnings (target
/// `sovereign::slow_query`); `None` turns it off (the default). Process-wide.
pub fn set_slow_query_threshold(threshold: Option<Duration>) {
    let micros = threshold.map_or(0, |d| {
        u64::try_from(d.as_micros()).unwrap_or(u64::MAX).max(1)
    });
    SLOW.store(micros, Ordering::Relaxed);
}

/// A statement being timed, when anything listens.
pub(crate) struct Watch {
    sql: String,
    start: Instant,
    slow: u64,
    debug: bool,
}

impl Watch {
    /// Starts timing `sql` when a subscriber wants every query or a threshold is set.
    #[inline]
    pub(crate) fn start(sql: &str) -> Option<Watch> {
        let slow = SLOW.load(Ordering::Relaxed);
        let debug = tracing::enabled!(target: "sovereign::query", tracing::Level::DEBUG);
        if slow == 0 && !debug {
            return None;
        }
        Some(Watch {
            sql: sql.to_string(),
            start: Instant::now(),
            slow,
            debug,
        })
    }

    /// Logs the statement, which returned or affected `rows`.
    pub(crate) fn finish(self, rows: u64) {
        let took = self.start.elapsed();
        let duration_ms = took.as_secs_f64() * 1e3;
        if self.debug {
            tracing::debug!(target: "sovereign::query", sql = %self.sql, duration_ms, rows, "query");
        }
        if self.slow > 0 && took.as_micros() >= u128::from(self.slow) {
            tracing::warn!(
                target: "sovereign::slow_query",
                sql = %self.sql,
                duration_ms,
                rows,
                "slow query: {duration_ms:.1} ms"
            );
        }
    }
}
