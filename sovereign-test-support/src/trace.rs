//! The query log's events, recorded: a [`tracing`] subscriber for tests of what the client
//! logs.
//!
//! ```no_run
//! use sovereign_test_support::trace::Events;
//! let events = Events::default();
//! {
//!     let _guard = events.set_default();
//!     // ... run statements on this thread ...
//! }
//! for e in events.recorded() {
//!     println!("{} {} {}", e.target, e.level, e.fields);
//! }
//! ```

use std::sync::{Arc, Mutex, OnceLock};

/// One event of a `sovereign::*` target.
#[derive(Debug, Clone)]
pub struct Event {
    /// `sovereign::query`, `sovereign::slow_query`, ...
    pub target: String,
    /// The event's level.
    pub level: tracing::Level,
    /// Its fields, each `name=value;` (values in their `Debug` form).
    pub fields: String,
}

impl Event {
    /// The value of field `name` in its `Debug` form, if the event has it.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.split(';').find_map(|f| {
            let (n, v) = f.split_once('=')?;
            (n == name).then_some(v)
        })
    }
}

/// A subscriber that records every event of the `sovereign::*` targets; clones share the
/// record.
#[derive(Clone, Default)]
pub struct Events(Arc<Mutex<Vec<Event>>>);

impl Events {
    /// Makes this the current thread's subscriber until the guard goes away. The interest of
    /// the call sites is computed again with it in place: another test's thread may have
    /// registered them while no subscriber wanted them, which tracing caches for every thread.
    ///
    /// While a single dispatcher exists, tracing asks only the registering thread's own
    /// subscriber about a call site it registers: one that another test's thread reaches first
    /// would be "never" for this one too. A second dispatcher, which wants nothing, is kept for
    /// the whole process, so every registration asks them all. In a test binary whose other
    /// tests run statements meanwhile, also run one statement on this thread first: a call site
    /// another thread registers while this is being set keeps the interest it found before
    /// (seen once in CI: no event at all).
    pub fn set_default(&self) -> tracing::subscriber::DefaultGuard {
        static OTHER: OnceLock<tracing::Dispatch> = OnceLock::new();
        OTHER.get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));
        let guard = tracing::subscriber::set_default(self.clone());
        tracing::callsite::rebuild_interest_cache();
        guard
    }

    /// Computes the call sites' interest again, as [`Events::set_default`] does: for a call
    /// site another thread registered with a stale interest meanwhile.
    pub fn recompute_interest(&self) {
        tracing::callsite::rebuild_interest_cache();
    }

    /// The events recorded so far, in order.
    pub fn recorded(&self) -> Vec<Event> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Forgets the events recorded so far.
    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

impl tracing::Subscriber for Events {
    fn enabled(&self, meta: &tracing::Metadata<'_>) -> bool {
        meta.target().starts_with("sovereign::")
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Fields(String);
        impl tracing::field::Visit for Fields {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                self.0.push_str(&format!("{}={:?};", field.name(), value));
            }
        }
        let mut fields = Fields(String::new());
        event.record(&mut fields);
        let meta = event.metadata();
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Event {
                target: meta.target().to_string(),
                level: *meta.level(),
                fields: fields.0,
            });
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}
