use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // clap exits with code 2 on usage errors.
    let cli = sovereign_cli::Cli::parse();
    match sovereign_cli::run(cli) {
        Ok(code) => code,
        Err(err) => sovereign_cli::output::report(&err),
    }
}
