//! Writing to stdout and stderr without panicking when the reader has gone away.
//!
//! Rust ignores SIGPIPE, so `println!` to a closed pipe (`sovereign migrate status | head -1`)
//! panics with a backtrace. These macros end the program quietly instead, with the exit status a
//! shell reports for a program stopped by SIGPIPE (128 + 13 = 141), as `yes | head -1` would.
//! Stopping at any print is safe: every command writes files atomically and applies each
//! migration in a way a crash cannot leave half-recorded.

use std::io::Write;

/// The exit status of a program a broken pipe stopped.
pub const BROKEN_PIPE_EXIT: i32 = 141;

fn fail(e: &std::io::Error) -> ! {
    if e.kind() != std::io::ErrorKind::BrokenPipe {
        // Nothing more can be said on stdout; stderr may still work.
        let _ = writeln!(std::io::stderr(), "error: cannot write the output: {e}");
        std::process::exit(1);
    }
    std::process::exit(BROKEN_PIPE_EXIT)
}

/// Writes to stdout; see the module's documentation.
pub fn stdout(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        fail(&e)
    }
}

/// Writes to stderr; a closed stderr ends the program like a closed stdout.
pub fn stderr(args: std::fmt::Arguments<'_>) {
    let mut err = std::io::stderr().lock();
    if let Err(e) = err.write_fmt(args) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(BROKEN_PIPE_EXIT)
        }
    }
}

/// `println!` that ends the program quietly on a closed stdout.
#[macro_export]
macro_rules! outln {
    () => { $crate::output::stdout(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::output::stdout(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `print!` that ends the program quietly on a closed stdout.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::stdout(format_args!($($arg)*)) };
}

/// `eprintln!` that ends the program quietly on a closed stderr.
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => { $crate::output::stderr(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `eprint!` that ends the program quietly on a closed stderr.
#[macro_export]
macro_rules! err {
    ($($arg:tt)*) => { $crate::output::stderr(format_args!($($arg)*)) };
}

/// Prints a command's error on stderr, every URL in it redacted, and gives the exit code (1).
/// Rendered diagnostics carry their own `error:` label; other messages get one.
pub fn report(err: &anyhow::Error) -> std::process::ExitCode {
    let message = sovereign_migrate::url::redact_in(&format!("{err:#}"));
    if message.starts_with("error:") || message.starts_with("warning:") {
        errln!("{message}");
    } else {
        errln!("error: {message}");
    }
    std::process::ExitCode::from(1)
}
