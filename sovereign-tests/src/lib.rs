//! The client generated from `prisma/schema.prisma`; `tests/client.rs` runs it on every backend.

#![allow(clippy::all)]

sovereign::include_client!();

/// The suite's schema, for creating its tables.
pub const SCHEMA: &str = include_str!("../prisma/schema.prisma");
