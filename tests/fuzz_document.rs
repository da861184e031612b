//! Fuzz-style (issue #11): a small document's bytes mutated at random — seeded, so a failure
//! can be replayed — and every command must end with an error or a result: no abort, panic or
//! hang, and nothing written into a file that SQLite calls damaged.

#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};

/// Mutants tried; each runs the commands below.
const MUTANTS: usize = 300;

/// Runs a command, failing the test on a hang; returns its exit code and stderr.
fn run(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gridatlas"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            use std::io::Read;
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return (status.code(), err);
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{args:?} hangs"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn sqlite_says_damaged(path: &Path) -> bool {
    gridatlas::store::integrity_problems(path).map_or(true, |p| !p.is_empty())
}

#[test]
fn mutated_documents_give_errors_or_results_never_crashes() {
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.gpkg");
    // The township demo: the smallest document the generator makes.
    gridatlas::store::create(&clean, &common::township(3), false).unwrap();
    let bytes = std::fs::read(&clean).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2026);
    let (mut refused, mut read, mut damaged_and_untouched) = (0, 0, 0);
    for m in 0..MUTANTS {
        let mut b = bytes.clone();
        // A few bytes anywhere, or a run of them (a torn sector), or a cut.
        match m % 3 {
            0 => {
                for _ in 0..rng.random_range(1..8) {
                    let i = rng.random_range(0..b.len());
                    b[i] = rng.random();
                }
            }
            1 => {
                let at = rng.random_range(0..b.len() - 512);
                for x in &mut b[at..at + 512] {
                    *x = rng.random();
                }
            }
            _ => {
                let keep = rng.random_range(100..b.len());
                b.truncate(keep);
            }
        }
        let path = dir.path().join(format!("m{m}.gpkg"));
        std::fs::write(&path, &b).unwrap();
        let p = path.to_str().unwrap();
        let damaged = sqlite_says_damaged(&path);
        for args in [
            vec!["info", p],
            vec!["check", p],
            vec!["stats", p, "--from", "2026-01-01", "--to", "2026-12-01"],
            vec!["assign", p],
        ] {
            let before = std::fs::read(&path).unwrap();
            let (code, err) = run(&args);
            match code {
                Some(0 | 1) => read += 1,
                Some(2) => {
                    refused += 1;
                    assert_eq!(err.lines().count(), 1, "mutant {m} {args:?}: {err}");
                }
                other => panic!("mutant {m} {args:?} ended with {other:?}: {err}"),
            }
            if damaged {
                assert_eq!(
                    std::fs::read(&path).unwrap(),
                    before,
                    "mutant {m} {args:?} wrote into a damaged file"
                );
                damaged_and_untouched += 1;
            }
        }
    }
    eprintln!(
        "{MUTANTS} mutants: {read} commands gave a result, {refused} refused with one line, \
         {damaged_and_untouched} runs on files SQLite calls damaged left them untouched"
    );
    assert!(refused > 0 && read > 0);
}
