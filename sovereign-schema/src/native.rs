//! Native database types (`@db.*`) per provider, as Prisma 6.19 has them: their arguments, the
//! ranges the database allows, and the scalar types each fits (checked type by type against
//! `prisma validate`; see `tests/fixtures/ORACLE-NOTES.md`).

use crate::model::{Provider, ScalarType};

/// What arguments a native type takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Args {
    /// None: `@db.Text`.
    None,
    /// Exactly one number: MySQL's `@db.VarChar(191)`.
    One,
    /// An optional number: `@db.Timestamp(3)`, `@db.VarChar`.
    OptionalOne,
    /// An optional number or `Max` (SQL Server's `@db.VarChar(Max)`).
    OptionalOneOrMax,
    /// None or two numbers, precision and scale: `@db.Decimal(10, 2)`.
    OptionalTwo,
}

/// One native type: its name, its arguments, the scalar types it fits.
pub struct NativeTypeSpec {
    pub name: &'static str,
    pub args: Args,
    pub scalars: &'static [&'static str],
}

const fn t(name: &'static str, args: Args, scalars: &'static [&'static str]) -> NativeTypeSpec {
    NativeTypeSpec {
        name,
        args,
        scalars,
    }
}

use Args::{None as N, One, OptionalOne as O1, OptionalOneOrMax as OM, OptionalTwo as O2};

const S: &[&str] = &["String"];
const I: &[&str] = &["Int"];
const BI: &[&str] = &["BigInt"];
const F: &[&str] = &["Float"];
const D: &[&str] = &["Decimal"];
const DT: &[&str] = &["DateTime"];
const B: &[&str] = &["Boolean"];
const BY: &[&str] = &["Bytes"];
const J: &[&str] = &["Json"];

static POSTGRES: &[NativeTypeSpec] = &[
    t("Text", N, S),
    t("Char", O1, S),
    t("VarChar", O1, S),
    t("Bit", O1, S),
    t("VarBit", O1, S),
    t("Uuid", N, S),
    t("Xml", N, S),
    t("Inet", N, S),
    t("Citext", N, S),
    t("SmallInt", N, I),
    t("Integer", N, I),
    t("Oid", N, I),
    t("BigInt", N, BI),
    t("DoublePrecision", N, F),
    t("Real", N, F),
    t("Decimal", O2, D),
    t("Money", N, D),
    t("Timestamp", O1, DT),
    t("Timestamptz", O1, DT),
    t("Date", N, DT),
    t("Time", O1, DT),
    t("Timetz", O1, DT),
    t("Boolean", N, B),
    t("ByteA", N, BY),
    t("Json", N, J),
    t("JsonB", N, J),
];

static COCKROACH: &[NativeTypeSpec] = &[
    t("String", O1, S),
    t("Char", O1, S),
    t("CatalogSingleChar", N, S),
    t("Bit", O1, S),
    t("VarBit", O1, S),
    t("Uuid", N, S),
    t("Inet", N, S),
    t("Int2", N, I),
    t("Int4", N, I),
    t("Oid", N, I),
    t("Int8", N, BI),
    t("Float4", N, F),
    t("Float8", N, F),
    t("Decimal", O2, D),
    t("Timestamp", O1, DT),
    t("Timestamptz", O1, DT),
    t("Date", N, DT),
    t("Time", O1, DT),
    t("Timetz", O1, DT),
    t("Bool", N, B),
    t("Bytes", N, BY),
    t("JsonB", N, J),
];

static MYSQL: &[NativeTypeSpec] = &[
    t("Int", N, I),
    t("UnsignedInt", N, I),
    t("SmallInt", N, I),
    t("UnsignedSmallInt", N, I),
    t("TinyInt", N, &["Boolean", "Int"]),
    t("UnsignedTinyInt", N, &["Boolean", "Int"]),
    t("MediumInt", N, I),
    t("UnsignedMediumInt", N, I),
    t("Year", N, I),
    t("BigInt", N, BI),
    t("UnsignedBigInt", N, BI),
    t("Bit", One, &["Boolean", "Bytes"]),
    t("Decimal", O2, D),
    t("Float", N, F),
    t("Double", N, F),
    t("VarChar", One, S),
    t("Char", One, S),
    t("TinyText", N, S),
    t("Text", N, S),
    t("MediumText", N, S),
    t("LongText", N, S),
    t("Binary", One, BY),
    t("VarBinary", One, BY),
    t("TinyBlob", N, BY),
    t("Blob", N, BY),
    t("MediumBlob", N, BY),
    t("LongBlob", N, BY),
    t("Date", N, DT),
    t("Time", O1, DT),
    t("DateTime", O1, DT),
    t("Timestamp", O1, DT),
    t("Json", N, J),
];

static SQLSERVER: &[NativeTypeSpec] = &[
    t("Int", N, I),
    t("SmallInt", N, I),
    t("TinyInt", N, I),
    t("BigInt", N, BI),
    t("Bit", N, &["Boolean", "Int"]),
    t("Decimal", O2, D),
    t("Money", N, F),
    t("SmallMoney", N, F),
    t("Float", O1, F),
    t("Real", N, F),
    t("Char", O1, S),
    t("NChar", O1, S),
    t("VarChar", OM, S),
    t("NVarChar", OM, S),
    t("Text", N, S),
    t("NText", N, S),
    t("Xml", N, S),
    t("UniqueIdentifier", N, S),
    t("Date", N, DT),
    t("Time", N, DT),
    t("DateTime", N, DT),
    t("DateTime2", N, DT),
    t("SmallDateTime", N, DT),
    t("DateTimeOffset", N, DT),
    t("Binary", O1, BY),
    t("VarBinary", OM, BY),
    t("Image", N, BY),
];

static MONGODB: &[NativeTypeSpec] = &[
    t("String", N, S),
    t("ObjectId", N, &["String", "Bytes"]),
    t("Double", N, F),
    t("Int", N, I),
    t("Long", N, &["Int", "BigInt"]),
    t("Bool", N, B),
    t("Date", N, DT),
    t("Timestamp", N, DT),
    t("BinData", N, BY),
    t("Json", N, J),
];

/// The native types of a provider (none on SQLite).
pub fn native_types(provider: Provider) -> &'static [NativeTypeSpec] {
    match provider {
        Provider::Sqlite => &[],
        Provider::Postgresql => POSTGRES,
        Provider::Cockroachdb => COCKROACH,
        Provider::Mysql => MYSQL,
        Provider::Sqlserver => SQLSERVER,
        Provider::Mongodb => MONGODB,
    }
}

/// A native type of a provider, by name.
pub fn find(provider: Provider, name: &str) -> Option<&'static NativeTypeSpec> {
    native_types(provider).iter().find(|t| t.name == name)
}

/// An argument as written: a number (`255`), a constant (`Max`), anything else.
pub enum Arg<'a> {
    Number(&'a str),
    Const(&'a str),
    Other,
}

impl NativeTypeSpec {
    /// Whether it fits a field of this type.
    pub fn fits(&self, ty: &ScalarType) -> bool {
        self.scalars.contains(&ty.name())
    }

    /// Reads the arguments as Prisma does (`written` quotes them for messages): their number
    /// and kind, in Prisma's words.
    pub fn check_args(&self, args: &[Arg], written: &str) -> Result<(), String> {
        let nonnegative = |a: &Arg| matches!(a, Arg::Number(n) if n.parse::<u32>().is_ok());
        let (min, max) = match self.args {
            Args::None => (0, 0),
            Args::One => (1, 1),
            Args::OptionalOne | Args::OptionalOneOrMax => (0, 1),
            Args::OptionalTwo => (0, 2),
        };
        if args.len() > max || args.len() < min {
            return Err(if min == max {
                format!(
                    "Function \"{}\" takes {max} arguments, but received {}.",
                    self.name,
                    args.len()
                )
            } else {
                format!(
                    "Native type {} takes {max} optional arguments, but received {}.",
                    self.name,
                    args.len()
                )
            });
        }
        match self.args {
            Args::OptionalTwo if !args.is_empty() => {
                if args.len() != 2 || !args.iter().all(nonnegative) {
                    return Err(format!(
                        "Expected two nonnegative integers, but found ({written})."
                    ));
                }
            }
            Args::OptionalOneOrMax if matches!(args, [Arg::Const(c)] if c.eq_ignore_ascii_case("max")) =>
                {}
            _ => {
                if !args.iter().all(nonnegative) {
                    return Err(format!(
                        "Expected a nonnegative integer, but found ({written})."
                    ));
                }
            }
        }
        Ok(())
    }

    /// The ranges the database allows for the arguments (read by [`Self::check_args`]), in
    /// Prisma's words; `ty` is the field's type (MySQL's `Bit(n)` is a Boolean only for n = 1).
    pub fn check_range(&self, provider: Provider, args: &[u32], ty: &ScalarType) -> Option<String> {
        let db = match provider {
            Provider::Postgresql => "Postgres",
            Provider::Cockroachdb => "CockroachDB",
            Provider::Mysql => "MySQL",
            Provider::Sqlserver => "SQL Server",
            Provider::Sqlite | Provider::Mongodb => return None,
        };
        let written = args
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let out_of_range = |why: &str| {
            Some(format!(
                "Argument M is out of range for native type `{}({written})` of {db}: {why}",
                self.name
            ))
        };
        let postgres_like = matches!(provider, Provider::Postgresql | Provider::Cockroachdb);
        match (self.name, args) {
            ("Decimal", &[precision, scale]) => {
                let max_precision = match provider {
                    Provider::Mysql => 65,
                    Provider::Sqlserver => 38,
                    _ => 1000,
                };
                if scale > precision {
                    Some(format!("The scale must not be larger than the precision for the Decimal({precision},{scale}) native type in {db}."))
                } else if precision > max_precision
                    || (precision == 0 && provider != Provider::Mysql)
                {
                    out_of_range(&match provider {
                        Provider::Mysql => "Precision can range from 1 to 65.".to_string(),
                        Provider::Sqlserver => "Precision can range from 1 to 38.".to_string(),
                        _ => "Precision must be positive with a maximum value of 1000.".to_string(),
                    })
                } else if provider == Provider::Mysql && scale > 30 {
                    out_of_range("Scale can range from 0 to 30.")
                } else {
                    None
                }
            }
            ("Bit" | "VarBit", &[0]) if postgres_like => {
                out_of_range("M must be a positive integer.")
            }
            ("Timestamp" | "Timestamptz" | "Time" | "Timetz", &[p]) if postgres_like && p > 6 => {
                out_of_range("M can range from 0 to 6.")
            }
            ("Bit", &[n]) if provider == Provider::Mysql && (n == 0 || n > 64) => {
                out_of_range("M can range from 1 to 64.")
            }
            ("Bit", &[n]) if provider == Provider::Mysql && n > 1 && *ty == ScalarType::Boolean => {
                out_of_range("only Bit(1) can be used as Boolean.")
            }
            ("VarChar", &[n]) if provider == Provider::Mysql && n > 65535 => {
                out_of_range("M can range from 0 to 65,535.")
            }
            ("Char", &[n]) if provider == Provider::Mysql && n > 255 => {
                out_of_range("M can range from 0 to 255.")
            }
            ("Float", &[n]) if provider == Provider::Sqlserver && (n == 0 || n > 53) => {
                out_of_range("Bits can range from 1 to 53.")
            }
            ("VarChar" | "VarBinary", &[n]) if provider == Provider::Sqlserver && n > 8000 => {
                out_of_range(
                    "Length can range from 1 to 8000. For larger sizes, use the `Max` variant.",
                )
            }
            ("Char" | "Binary", &[n]) if provider == Provider::Sqlserver && n > 8000 => {
                out_of_range("Length can range from 1 to 8000.")
            }
            ("NVarChar", &[n]) if provider == Provider::Sqlserver && n > 4000 => out_of_range(
                "Length can range from 1 to 4000. For larger sizes, use the `Max` variant.",
            ),
            ("NChar", &[n]) if provider == Provider::Sqlserver && n > 4000 => {
                out_of_range("Length can range from 1 to 4000.")
            }
            _ => None,
        }
    }
}
