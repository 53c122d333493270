//! The client generated from `prisma/schema.prisma`; `tests/client/` runs it on every backend.

#![allow(clippy::all)]

sovereign::include_client!();

/// The suite's schema, for creating its tables.
pub const SCHEMA: &str = include_str!("../prisma/schema.prisma");

/// A PostgreSQL schema with scalar lists.
pub mod lists {
    include!(concat!(env!("OUT_DIR"), "/lists/sovereign_client.rs"));

    /// The schema, for creating its tables.
    pub const SCHEMA: &str = include_str!("../prisma/lists.prisma");
}

/// The example platform's client (every model of the composed schema).
pub mod example_platform {
    include!(concat!(env!("OUT_DIR"), "/platform/sovereign_client.rs"));
}

/// The platform of the `#[sovereign_plugin]` tests' workspace (`tests/ui/workspace`).
pub mod ui_platform {
    include!(concat!(env!("OUT_DIR"), "/ui-platform/sovereign_client.rs"));
}

/// The `blog` plugin's view: its models read and write, core models read only.
pub mod example_blog {
    include!(concat!(
        env!("OUT_DIR"),
        "/blog/sovereign/blog/sovereign_client.rs"
    ));
}

/// The dedicated `analytics` plugin's own client.
pub mod example_analytics {
    include!(concat!(
        env!("OUT_DIR"),
        "/analytics/sovereign/analytics/sovereign_client.rs"
    ));

    /// Its read-only view of the core models.
    pub mod core {
        include!(concat!(
            env!("OUT_DIR"),
            "/analytics/sovereign/analytics/sovereign_core.rs"
        ));
    }
}
