//! Thin entry point: parse the command line, then run a batch command or open the window.

use clap::Parser;
use gridatlas::app::{DocumentSource, WallStart, run_window};
use gridatlas::cli::{Cli, run};

fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn,geo=error"))
        .init();
    let cli = Cli::parse();
    let code = match cli.command {
        Some(command) => match run(command) {
            Ok(code) => code,
            Err(e) => {
                // Our errors already name their cause: the chain would repeat it.
                eprintln!("error: {e}");
                2
            }
        },
        None => {
            let source = match cli.file {
                Some(path) => DocumentSource::File(path),
                None => DocumentSource::DefaultDemo,
            };
            let wall = (cli.wall || cli.monitor.is_some()).then_some(WallStart {
                monitor: cli.monitor,
            });
            match run_window(source, wall) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    2
                }
            }
        }
    };
    std::process::exit(code);
}
