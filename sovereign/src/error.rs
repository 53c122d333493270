//! One error type for everything the client does, with kinds a caller can match.

use std::fmt;

use crate::meta::ModelMeta;

/// What went wrong, in a form a caller can match on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `update`, `delete` or a `connect` found no record for the unique filter.
    RecordNotFound,
    /// A unique constraint (or primary key) would be violated.
    UniqueViolation {
        /// The constraint or index name, where the database names it.
        constraint: Option<String>,
        /// The schema fields of the constraint, where they could be worked out.
        fields: Vec<String>,
    },
    /// A foreign key would be violated: the referenced record is missing, or records still
    /// refer to the one being deleted.
    ForeignKeyViolation {
        /// The constraint name, where the database names it.
        constraint: Option<String>,
    },
    /// A nested write would leave a record without the related record its required relation
    /// needs (Prisma's P2014): disconnecting it, or replacing it by another.
    RequiredRelationViolation {
        /// The relation field, as `Model.field`.
        relation: String,
    },
    /// A nested `delete` named a record that exists but is not linked to this one (Prisma's
    /// P2017).
    RecordsNotConnected {
        /// The relation field, as `Model.field`.
        relation: String,
    },
    /// A required column was given no value.
    NullViolation {
        /// The column, where the database names it.
        column: Option<String>,
    },
    /// The database could not be reached, or the connection broke.
    Connection,
    /// The pool had no free connection in time.
    Timeout,
    /// A relation was read that the query did not fetch with `.with(...)`.
    RelationNotFetched {
        /// The relation field's name.
        relation: &'static str,
    },
    /// A value read from the database did not fit the generated type.
    Decode,
    /// A URL, environment variable or provider problem found before anything ran.
    Configuration,
    /// The transaction this client belonged to has ended.
    TransactionClosed,
    /// Anything else the database refused, with its code where it gives one.
    Database {
        /// The database's error code (SQLSTATE on PostgreSQL, the error number on MySQL).
        code: Option<String>,
    },
    /// The database refused the statement for lack of privileges: a plugin connected with a
    /// login of its own (`sovereign provision`) wrote a core table, or reached another
    /// plugin's. PostgreSQL's SQLSTATE 42501, MySQL's table, column and database access errors.
    PermissionDenied,
    /// A value given to an untyped write or filter ([`sovereign::dynamic`](super::dynamic))
    /// does not fit its field, or a required field was left out.
    InvalidValue {
        /// The field's schema name.
        field: String,
    },
    /// The host was given a shared plugin whose extension is not in the running platform's
    /// composed schema.
    PluginNotComposed {
        /// The plugin's namespace.
        namespace: String,
    },
    /// A plugin asked for a capability its manifest does not grant.
    CapabilityNotGranted {
        /// The plugin's namespace.
        namespace: String,
        /// The capability asked for.
        capability: String,
    },
    /// The host was given the same namespace twice.
    PluginAlreadyRegistered {
        /// The plugin's namespace.
        namespace: String,
    },
}

/// The error of every client operation.
///
/// One pointer wide: every decoded column returns a `Result`, and a wide error would make each
/// of them a write to memory and a copy.
pub struct Error(Box<inner::Error>);

mod inner {
    /// What an [`Error`](super::Error) holds; its `Debug` is the error's.
    #[derive(Debug)]
    pub(super) struct Error {
        pub(super) kind: super::ErrorKind,
        pub(super) message: String,
        pub(super) source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
        /// The pool gave no connection in time (a replica that does is left out for a while).
        pub(super) pool_timed_out: bool,
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error(Box::new(inner::Error {
            kind,
            message: message.into(),
            source: None,
            pool_timed_out: false,
        }))
    }

    /// The same error, its message prefixed with what was being done
    /// (`migrating the platform database: ...`).
    pub(crate) fn context(self, what: impl std::fmt::Display) -> Self {
        let mut inner = self.0;
        inner.message = format!("{what}: {}", inner.message);
        Error(inner)
    }

    /// Whether the database could not give a connection (refused, broken, or none free in
    /// time): what makes a read replica be left out for a while.
    pub(crate) fn is_unavailable(&self) -> bool {
        *self.kind() == ErrorKind::Connection || self.0.pool_timed_out
    }

    /// What went wrong, to match on.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// The message, as the database or the client wrote it.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// [`ErrorKind::RecordNotFound`].
    pub fn is_not_found(&self) -> bool {
        self.0.kind == ErrorKind::RecordNotFound
    }

    /// [`ErrorKind::UniqueViolation`].
    pub fn is_unique_violation(&self) -> bool {
        matches!(self.0.kind, ErrorKind::UniqueViolation { .. })
    }

    /// [`ErrorKind::ForeignKeyViolation`].
    pub fn is_foreign_key_violation(&self) -> bool {
        matches!(self.0.kind, ErrorKind::ForeignKeyViolation { .. })
    }

    /// [`ErrorKind::PermissionDenied`].
    pub fn is_permission_denied(&self) -> bool {
        self.0.kind == ErrorKind::PermissionDenied
    }

    #[doc(hidden)]
    pub fn missing_env(var: &str) -> Self {
        Error::new(
            ErrorKind::Configuration,
            format!(
                "environment variable `{var}` is not set: the datasource reads its URL from it; set it or add `{var}=...` to .env"
            ),
        )
    }

    /// A [`ErrorKind::RecordNotFound`] with the caller's message.
    pub fn not_found_with(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::RecordNotFound, message)
    }

    pub(crate) fn not_found(model: &str, action: &str) -> Self {
        Error::new(
            ErrorKind::RecordNotFound,
            format!("{action} on {model}: no record matches the unique filter"),
        )
    }

    pub(crate) fn decode(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Decode, message)
    }

    /// Maps a database error onto a kind, naming schema fields where the model is known.
    pub(crate) fn from_sqlx(e: sqlx::Error, model: Option<&ModelMeta>) -> Self {
        let (kind, message) = match &e {
            sqlx::Error::Database(db) => {
                let class = match db.kind() {
                    sqlx::error::ErrorKind::UniqueViolation => Refusal::Unique,
                    sqlx::error::ErrorKind::ForeignKeyViolation => Refusal::ForeignKey,
                    sqlx::error::ErrorKind::NotNullViolation => Refusal::NotNull,
                    _ => Refusal::Other,
                };
                // MySQL's SQLSTATE is coarse (42000 for most refusals): its error number tells
                // them apart.
                let code = mysql_number(db.as_ref()).or_else(|| db.code().map(|c| c.to_string()));
                refused(
                    db.message().to_string(),
                    db.constraint().map(str::to_string),
                    class,
                    code,
                    model,
                )
            }
            sqlx::Error::PoolTimedOut => (ErrorKind::Timeout, pool_timeout_message()),
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Protocol(_) => (ErrorKind::Connection, e.to_string()),
            sqlx::Error::Configuration(_) => (ErrorKind::Configuration, e.to_string()),
            sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => {
                (ErrorKind::Decode, e.to_string())
            }
            _ => (ErrorKind::Database { code: None }, e.to_string()),
        };
        let pool_timed_out = matches!(e, sqlx::Error::PoolTimedOut);
        Error(Box::new(inner::Error {
            kind,
            message,
            source: Some(Box::new(e)),
            pool_timed_out,
        }))
    }

    /// Maps an error of SQLite's C library onto a kind, as [`Error::from_sqlx`] does for the
    /// servers: the extended result code tells the constraint that failed.
    #[cfg(feature = "sqlite")]
    pub(crate) fn from_sqlite(e: rusqlite::Error, model: Option<&ModelMeta>) -> Self {
        use rusqlite::ffi;
        let (kind, message) = match &e {
            rusqlite::Error::SqliteFailure(code, message) => {
                let class = match code.extended_code {
                    ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                        Refusal::Unique
                    }
                    ffi::SQLITE_CONSTRAINT_FOREIGNKEY => Refusal::ForeignKey,
                    ffi::SQLITE_CONSTRAINT_NOTNULL => Refusal::NotNull,
                    _ => Refusal::Other,
                };
                let message = message.clone().unwrap_or_else(|| code.to_string());
                refused(
                    message,
                    None,
                    class,
                    Some(code.extended_code.to_string()),
                    model,
                )
            }
            rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::IntegralValueOutOfRange(..)
            | rusqlite::Error::Utf8Error(_)
            | rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::InvalidColumnIndex(_) => (ErrorKind::Decode, e.to_string()),
            rusqlite::Error::InvalidPath(_) => (ErrorKind::Configuration, e.to_string()),
            _ => (ErrorKind::Database { code: None }, e.to_string()),
        };
        Error(Box::new(inner::Error {
            kind,
            message,
            source: Some(Box::new(e)),
            pool_timed_out: false,
        }))
    }

    /// The pool had no free connection within `pool_timeout`.
    #[cfg(feature = "sqlite")]
    pub(crate) fn pool_timed_out() -> Self {
        let mut e = Error::new(ErrorKind::Timeout, pool_timeout_message());
        e.0.pool_timed_out = true;
        e
    }
}

fn pool_timeout_message() -> String {
    "timed out waiting for a free database connection: every connection of the pool stayed busy for `pool_timeout` (raise `connection_limit` or `pool_timeout` in the URL, or with `sovereign::ConnectOptions`)".to_string()
}

/// Which constraint a database's refusal names, where its driver tells.
enum Refusal {
    Unique,
    ForeignKey,
    NotNull,
    Other,
}

/// The kind and message of a statement the database refused: `code` is SQLite's extended
/// result code, PostgreSQL's SQLSTATE or MySQL's error number.
fn refused(
    message: String,
    constraint: Option<String>,
    class: Refusal,
    code: Option<String>,
    model: Option<&ModelMeta>,
) -> (ErrorKind, String) {
    let kind = match class {
        Refusal::Unique => {
            let (constraint, fields) = unique_details(&message, constraint, model);
            ErrorKind::UniqueViolation { constraint, fields }
        }
        Refusal::ForeignKey => ErrorKind::ForeignKeyViolation { constraint },
        Refusal::NotNull => ErrorKind::NullViolation {
            column: null_column(&message),
        },
        // SQLite reports some foreign key failures with another extended code.
        Refusal::Other if message.starts_with("FOREIGN KEY constraint failed") => {
            ErrorKind::ForeignKeyViolation { constraint }
        }
        Refusal::Other => match code.as_deref() {
            // MySQL: 1048 column cannot be null; 1364 field has no default.
            Some("1048") | Some("1364") => ErrorKind::NullViolation {
                column: null_column(&message),
            },
            // PostgreSQL's insufficient_privilege; MySQL's command denied on a table (1142), a
            // column (1143), a database (1044), or a privilege missing (1227).
            Some("42501") | Some("1142") | Some("1143") | Some("1044") | Some("1227") => {
                ErrorKind::PermissionDenied
            }
            // The statement ran past the session's limit (`socket_timeout`): PostgreSQL's
            // query_canceled, MariaDB's max_statement_time (1969), MySQL's max_execution_time
            // (3024).
            Some("57014") | Some("1969") | Some("3024") => ErrorKind::Timeout,
            code => ErrorKind::Database {
                code: code.map(str::to_string),
            },
        },
    };
    let message = if kind == ErrorKind::PermissionDenied {
        format!("{message} (the database refused this login: a plugin's own login reads the core tables and writes only its plugin's; the platform writes core tables)")
    } else {
        message
    };
    (kind, message)
}

/// A MySQL error's number (`1142`), as text; `None` for other databases.
fn mysql_number(db: &dyn sqlx::error::DatabaseError) -> Option<String> {
    #[cfg(feature = "mysql")]
    if let Some(e) = db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        return Some(e.number().to_string());
    }
    let _ = db;
    None
}

/// The constraint and fields of a unique violation, from what each database reports:
/// PostgreSQL names the constraint; SQLite lists `Table.column`s; MySQL names the key.
fn unique_details(
    message: &str,
    constraint: Option<String>,
    model: Option<&ModelMeta>,
) -> (Option<String>, Vec<String>) {
    let constraint = constraint.or_else(|| {
        // MySQL: "Duplicate entry 'x' for key 'User.User_email_key'" (8.0 prefixes the table).
        let key = message.rsplit_once("for key '")?.1.trim_end_matches('\'');
        Some(key.rsplit('.').next().unwrap_or(key).to_string())
    });
    let Some(model) = model else {
        return (constraint, Vec::new());
    };
    if let Some(name) = &constraint {
        if let Some(fields) = model.unique_fields(name) {
            return (constraint, fields);
        }
    }
    // SQLite: "UNIQUE constraint failed: User.name, User.email".
    if let Some(list) = message.strip_prefix("UNIQUE constraint failed: ") {
        let fields = list
            .split(", ")
            .filter_map(|c| c.rsplit_once('.').map(|(_, col)| col))
            .map(|col| model.field_name_of_column(col).to_string())
            .collect();
        return (constraint, fields);
    }
    (constraint, Vec::new())
}

fn null_column(message: &str) -> Option<String> {
    // SQLite: "NOT NULL constraint failed: Post.title"; MySQL: "Column 'title' cannot be null";
    // PostgreSQL: `null value in column "title" of relation ...`.
    if let Some(rest) = message.strip_prefix("NOT NULL constraint failed: ") {
        return rest.rsplit_once('.').map(|(_, c)| c.to_string());
    }
    let (open, close) = if message.contains("column \"") {
        ("column \"", '"')
    } else {
        ("olumn '", '\'')
    };
    let rest = message.split_once(open)?.1;
    rest.split_once(close).map(|(c, _)| c.to_string())
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.kind {
            ErrorKind::UniqueViolation { fields, .. } if !fields.is_empty() => write!(
                f,
                "unique constraint failed on the fields: ({}): {}",
                fields.join(", "),
                self.0.message
            ),
            ErrorKind::ForeignKeyViolation { .. } => {
                write!(f, "foreign key constraint failed: {}", self.0.message)
            }
            _ => f.write_str(&self.0.message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Reading a relation that was not fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationNotFetched {
    /// The relation field's name.
    pub relation: &'static str,
}

impl fmt::Display for RelationNotFetched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "relation `{}` was not fetched: add `.with({0}::fetch())` to the query",
            self.relation
        )
    }
}

impl std::error::Error for RelationNotFetched {}

impl From<RelationNotFetched> for Error {
    fn from(e: RelationNotFetched) -> Self {
        Error::new(
            ErrorKind::RelationNotFetched {
                relation: e.relation,
            },
            e.to_string(),
        )
    }
}
