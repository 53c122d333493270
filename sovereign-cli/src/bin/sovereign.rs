use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // clap exits with code 2 on usage errors.
    let cli = sovereign_cli::Cli::parse();
    match sovereign_cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // Rendered diagnostics carry their own `error:` label.
            let message = format!("{err:#}");
            if message.starts_with("error:") || message.starts_with("warning:") {
                eprintln!("{message}");
            } else {
                eprintln!("error: {message}");
            }
            ExitCode::from(1)
        }
    }
}
