//! Native database types (`@db.*`) per provider: their arity and the scalars they fit.

use crate::model::{Provider, ScalarType};

/// One native type: name, how many arguments it takes (min, max), the scalar types it fits.
pub struct NativeTypeSpec {
    pub name: &'static str,
    pub args: (usize, usize),
    pub scalars: &'static [&'static str],
}

const fn t(
    name: &'static str,
    args: (usize, usize),
    scalars: &'static [&'static str],
) -> NativeTypeSpec {
    NativeTypeSpec {
        name,
        args,
        scalars,
    }
}

const S: &[&str] = &["String"];
const I: &[&str] = &["Int"];
const BI: &[&str] = &["BigInt"];
const F: &[&str] = &["Float"];
const D: &[&str] = &["Decimal"];
const FD: &[&str] = &["Float", "Decimal"];
const DT: &[&str] = &["DateTime"];
const B: &[&str] = &["Boolean"];
const BY: &[&str] = &["Bytes"];
const J: &[&str] = &["Json"];

static POSTGRES: &[NativeTypeSpec] = &[
    t("Text", (0, 0), S),
    t("Char", (0, 1), S),
    t("VarChar", (0, 1), S),
    t("Bit", (0, 1), S),
    t("VarBit", (0, 1), S),
    t("Uuid", (0, 0), S),
    t("Xml", (0, 0), S),
    t("Inet", (0, 0), S),
    t("Citext", (0, 0), S),
    t("SmallInt", (0, 0), I),
    t("Integer", (0, 0), I),
    t("Oid", (0, 0), I),
    t("BigInt", (0, 0), BI),
    t("DoublePrecision", (0, 0), F),
    t("Real", (0, 0), F),
    t("Decimal", (0, 2), D),
    t("Money", (0, 0), D),
    t("Timestamp", (0, 1), DT),
    t("Timestamptz", (0, 1), DT),
    t("Date", (0, 0), DT),
    t("Time", (0, 1), DT),
    t("Timetz", (0, 1), DT),
    t("Boolean", (0, 0), B),
    t("ByteA", (0, 0), BY),
    t("Json", (0, 0), J),
    t("JsonB", (0, 0), J),
];

static COCKROACH: &[NativeTypeSpec] = &[
    t("String", (0, 1), S),
    t("Char", (0, 1), S),
    t("CatalogSingleChar", (0, 0), S),
    t("Bit", (0, 1), S),
    t("VarBit", (0, 1), S),
    t("Uuid", (0, 0), S),
    t("Inet", (0, 0), S),
    t("Int2", (0, 0), I),
    t("Int4", (0, 0), I),
    t("Oid", (0, 0), I),
    t("Int8", (0, 0), BI),
    t("Float4", (0, 0), F),
    t("Float8", (0, 0), F),
    t("Decimal", (0, 2), D),
    t("Timestamp", (0, 1), DT),
    t("Timestamptz", (0, 1), DT),
    t("Date", (0, 0), DT),
    t("Time", (0, 1), DT),
    t("Timetz", (0, 1), DT),
    t("Bool", (0, 0), B),
    t("Bytes", (0, 0), BY),
    t("JsonB", (0, 0), J),
];

static MYSQL: &[NativeTypeSpec] = &[
    t("Int", (0, 0), I),
    t("UnsignedInt", (0, 0), I),
    t("SmallInt", (0, 0), I),
    t("UnsignedSmallInt", (0, 0), I),
    t("TinyInt", (0, 0), &["Int", "Boolean"]),
    t("UnsignedTinyInt", (0, 0), &["Int", "Boolean"]),
    t("MediumInt", (0, 0), I),
    t("UnsignedMediumInt", (0, 0), I),
    t("Year", (0, 0), I),
    t("BigInt", (0, 0), BI),
    t("UnsignedBigInt", (0, 0), BI),
    t("Bit", (1, 1), &["Boolean", "Bytes"]),
    t("Decimal", (0, 2), D),
    t("Float", (0, 0), F),
    t("Double", (0, 0), F),
    t("VarChar", (1, 1), S),
    t("Char", (1, 1), S),
    t("TinyText", (0, 0), S),
    t("Text", (0, 0), S),
    t("MediumText", (0, 0), S),
    t("LongText", (0, 0), S),
    t("Binary", (1, 1), BY),
    t("VarBinary", (1, 1), BY),
    t("TinyBlob", (0, 0), BY),
    t("Blob", (0, 0), BY),
    t("MediumBlob", (0, 0), BY),
    t("LongBlob", (0, 0), BY),
    t("Date", (0, 0), DT),
    t("Time", (0, 1), DT),
    t("DateTime", (0, 1), DT),
    t("Timestamp", (0, 1), DT),
    t("Json", (0, 0), J),
];

static SQLSERVER: &[NativeTypeSpec] = &[
    t("Int", (0, 0), I),
    t("SmallInt", (0, 0), I),
    t("TinyInt", (0, 0), I),
    t("BigInt", (0, 0), BI),
    t("Bit", (0, 0), &["Boolean", "Int"]),
    t("Decimal", (0, 2), D),
    t("Money", (0, 0), FD),
    t("SmallMoney", (0, 0), FD),
    t("Float", (0, 1), F),
    t("Real", (0, 0), F),
    t("Char", (0, 1), S),
    t("NChar", (0, 1), S),
    t("VarChar", (0, 1), S),
    t("NVarChar", (0, 1), S),
    t("Text", (0, 0), S),
    t("NText", (0, 0), S),
    t("Xml", (0, 0), S),
    t("UniqueIdentifier", (0, 0), S),
    t("Date", (0, 0), DT),
    t("Time", (0, 1), DT),
    t("DateTime", (0, 0), DT),
    t("DateTime2", (0, 0), DT),
    t("SmallDateTime", (0, 0), DT),
    t("DateTimeOffset", (0, 0), DT),
    t("Binary", (0, 1), BY),
    t("VarBinary", (0, 1), BY),
    t("Image", (0, 0), BY),
];

static MONGODB: &[NativeTypeSpec] = &[
    t("String", (0, 0), S),
    t("ObjectId", (0, 0), &["String", "Bytes"]),
    t("Double", (0, 0), F),
    t("Int", (0, 0), I),
    t("Long", (0, 0), &["Int", "BigInt"]),
    t("Bool", (0, 0), B),
    t("Date", (0, 0), DT),
    t("Timestamp", (0, 0), DT),
    t("BinData", (0, 0), BY),
    t("Json", (0, 0), J),
];

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

pub fn find(provider: Provider, name: &str) -> Option<&'static NativeTypeSpec> {
    native_types(provider).iter().find(|t| t.name == name)
}

impl NativeTypeSpec {
    pub fn fits(&self, ty: &ScalarType) -> bool {
        self.scalars.contains(&ty.name())
    }
}
