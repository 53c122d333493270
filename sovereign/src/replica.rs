//! Read replicas: a primary and the servers that replay it, as one [`Database`].
//!
//! Which statements go where (the rule of Prisma's read-replicas extension,
//! <https://github.com/prisma/extension-read-replicas>):
//!
//! - a read operation outside a transaction (`find_many`, `find_unique`, `find_first`, their
//!   `_or_throw` and `select!` forms, `count`, `aggregate`, `group_by`, `_query_raw`) runs on
//!   one replica, whole (its relation loads included), chosen round robin;
//! - writes (also the reads a write makes, such as reading a created record back), transactions
//!   and batches run on the primary; so does everything on a client from `.primary()`, for
//!   reading what was just written (a replica may lag behind).
//!
//! A replica that cannot give a connection (refused, broken, or none free within its
//! `pool_timeout`, one second unless its URL says otherwise) is skipped for
//! [`DOWN_FOR`], and the operation runs again on the next replica, or on the primary when none
//! is left: a lost replica costs one wait, then nothing. A query that fails on a replica for any
//! other reason (a constraint, a syntax error, a statement timeout) is the query's error and is
//! not retried.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::db::Database;
use crate::error::{Error, ErrorKind, Result};

/// How long a replica that could not give a connection is left out.
pub const DOWN_FOR: Duration = Duration::from_secs(5);

/// A primary and its replicas (never nested: neither is itself replicated).
#[derive(Debug)]
pub struct Replicated {
    pub(crate) primary: Database,
    replicas: Vec<Replica>,
    next: AtomicUsize,
}

#[derive(Debug)]
struct Replica {
    db: Database,
    /// Milliseconds since [`epoch`] until which this replica is left out; 0: in use.
    down_until: AtomicU64,
}

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn now_ms() -> u64 {
    u64::try_from(epoch().elapsed().as_millis()).unwrap_or(u64::MAX)
}

impl Replicated {
    pub(crate) fn new(primary: Database, replicas: Vec<Database>) -> Result<Replicated> {
        let primary = primary.primary().clone();
        let mut list = Vec::with_capacity(replicas.len());
        for r in replicas {
            let r = r.primary().clone();
            if r.backend() != primary.backend() {
                return Err(Error::new(
                    ErrorKind::Configuration,
                    format!(
                        "a read replica must be the same kind of database as its primary: the primary is {}, a replica {}",
                        primary.backend().as_str(),
                        r.backend().as_str()
                    ),
                ));
            }
            list.push(Replica {
                db: r,
                down_until: AtomicU64::new(0),
            });
        }
        Ok(Replicated {
            primary,
            replicas: list,
            next: AtomicUsize::new(0),
        })
    }

    /// The replicas in use, the next in turn first.
    fn candidates(&self) -> impl Iterator<Item = &Replica> {
        let n = self.replicas.len();
        let start = if n == 0 {
            0
        } else {
            self.next.fetch_add(1, Ordering::Relaxed) % n
        };
        let now = now_ms();
        (0..n)
            .map(move |i| &self.replicas[(start + i) % n])
            .filter(move |r| r.down_until.load(Ordering::Relaxed) <= now)
    }

    /// The replicas, for closing.
    pub(crate) fn replicas(&self) -> impl Iterator<Item = &Database> {
        self.replicas.iter().map(|r| &r.db)
    }

    /// Runs the read `op` on a replica in use, the next one when a replica cannot give a
    /// connection, and on the primary when none is left.
    pub(crate) async fn read<I, T, F, Fut>(&self, input: I, mut op: F) -> Result<T>
    where
        I: Clone,
        F: FnMut(crate::Conn, I) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        for replica in self.candidates() {
            match op(crate::Conn::Db(replica.db.clone()), input.clone()).await {
                Err(e) if e.is_unavailable() => {
                    replica
                        .down_until
                        .store(now_ms() + DOWN_FOR.as_millis() as u64, Ordering::Relaxed);
                    tracing::warn!(
                        target: "sovereign::replica",
                        "a read replica is unavailable, left out for {} s: {}",
                        DOWN_FOR.as_secs(),
                        e.message()
                    );
                }
                done => return done,
            }
        }
        op(crate::Conn::Db(self.primary.clone()), input).await
    }
}
