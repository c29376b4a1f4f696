//! Replays every seed and every input that once made a target fail
//! (`fuzz/seeds/<target>/`, `fuzz/regressions/<target>/`) through the fuzz targets'
//! bodies, so that ordinary `cargo test` keeps each fixed finding fixed.

use std::path::{Path, PathBuf};

use orgca_fuzzing::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files of a folder (none when it does not exist), in name order.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("a readable folder entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_target_has_seeds_and_a_cargo_fuzz_binary() {
    for t in TARGETS {
        let seeds = inputs(&fuzz_dir().join("seeds").join(t.name));
        assert!(!seeds.is_empty(), "fuzz/seeds/{} holds no seed", t.name);
        let binary = fuzz_dir()
            .join("fuzz_targets")
            .join(format!("{}.rs", t.name));
        let source = std::fs::read_to_string(&binary)
            .unwrap_or_else(|e| panic!("{}: {e}", binary.display()));
        assert!(
            source.contains(&format!("orgca_fuzzing::{}(", t.name)),
            "{} does not call orgca_fuzzing::{}",
            binary.display(),
            t.name
        );
    }
}

/// Seeds that every parser refuses would start the fuzzer far from the code that
/// matters: each target has a seed it accepts (and, so that the refusals are reached
/// too, the fuzzer's mutations take care of the rest).
#[test]
fn every_target_accepts_one_of_its_seeds() {
    for t in TARGETS {
        let accepted = inputs(&fuzz_dir().join("seeds").join(t.name))
            .iter()
            .filter(|f| (t.run)(&std::fs::read(f).expect("a readable seed")))
            .count();
        assert!(accepted > 0, "no seed of {} is accepted", t.name);
    }
}

#[test]
fn seeds_and_regressions_replay_without_a_failure() {
    let mut replayed = 0;
    for t in TARGETS {
        for folder in ["seeds", "regressions"] {
            for file in inputs(&fuzz_dir().join(folder).join(t.name)) {
                let data = std::fs::read(&file).expect("a readable input");
                let outcome = std::panic::catch_unwind(|| (t.run)(&data));
                assert!(outcome.is_ok(), "{} fails on {}", t.name, file.display());
                replayed += 1;
            }
        }
    }
    eprintln!("replayed {replayed} inputs");
}
