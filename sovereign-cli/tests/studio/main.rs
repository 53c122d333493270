//! The studio: its HTTP API on SQLite, PostgreSQL and MySQL, the command line, and the page in a
//! real headless browser (Debian's chromium and chromedriver, driven over WebDriver); and what
//! keeps its data to its user (issue #12): the token handed to a browser by a private file, kept
//! by the page in `sessionStorage` and sent in a header (never a cookie, which every other
//! server on 127.0.0.1 would receive), the security headers, the origin check on writes, a
//! plugin's view limited to its own and the core models, and bounded paging parameters.
//!
//! The browser test keeps screenshots of the main views in `target/studio-screenshots/`. It
//! runs when `chromedriver` is on the PATH (or at `CHROMEDRIVER`); with
//! `SOVEREIGN_REQUIRE_BROWSER=1` (as `.ci/run` sets) a missing browser is a failure, not a skip.
//!
//! One test binary, in modules by subject: [`api`] (the HTTP API on each database),
//! [`commands`] (`sovereign studio` and `plugin-db-manage studio`), [`browser`] (the page in
//! chromium), [`security`] (issue #12), and [`support`] (databases, a running studio, command
//! lines).

#[path = "../common/http.rs"]
mod http;

mod api;
mod browser;
mod commands;
mod security;
mod support;
