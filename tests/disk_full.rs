//! A full disk: the real binary on a small tmpfs, mounted in a private mount namespace
//! (`unshare`), so the test needs no root and leaves nothing mounted. Where namespaces are
//! not allowed the test says so and passes without running.

mod support;

use std::path::Path;
use std::process::Command;

use support::{peerscope, root};

const FIRST: [&str; 5] = [
    "corpus/leicester_scrutiny-report_2016.txt",
    "corpus/rotherham_scrutiny-minutes_2024.txt",
    "corpus/torbay_lga-feedback-report_2024.txt",
    "corpus/walsall_scrutiny-report_2015.txt",
    "corpus/worcestershire_scrutiny-minutes_2020.txt",
];

/// What the script does on the small disk, each step's output and exit status kept in `$OUT`:
/// ingest some documents, fill the disk but 4 MB, try to ingest more (must be refused
/// plainly, and quickly), read while it is still full, free the space, ingest again.
const SCRIPT: &str = r#"
set -u
mount -t tmpfs -o size=64m tmpfs "$MNT" || exit 77
run() { step=$1; shift; timeout 300 "$BIN" --data "$MNT/data" "$@" >"$OUT/$step.out" 2>"$OUT/$step.err"; echo $? >"$OUT/$step.rc"; }
run first ingest $FIRST
run before export --format jsonl
avail=$(df -k --output=avail "$MNT" | tail -1)
dd if=/dev/zero of="$MNT/filler" bs=1024 count=$((avail - 4096)) 2>/dev/null
run refused ingest corpus/real
run during export --format jsonl
run query query --json "councils flagged for carers"
rm "$MNT/filler"
run again ingest corpus/real
run after export --format jsonl
"#;

fn read(out: &Path, name: &str) -> String {
    std::fs::read_to_string(out.join(name)).unwrap_or_default()
}

#[test]
fn a_full_disk_is_a_clear_error_and_loses_nothing() {
    let work = tempfile::tempdir().unwrap();
    let (mnt, out) = (work.path().join("mnt"), work.path().join("out"));
    std::fs::create_dir_all(&mnt).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    let status = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", SCRIPT])
        .current_dir(root())
        .env("CI", "1")
        .env("MNT", &mnt)
        .env("OUT", &out)
        .env("BIN", env!("CARGO_BIN_EXE_peerscope"))
        .env("FIRST", FIRST.join(" "))
        .status();
    match status {
        Ok(s) if s.success() => {}
        other => {
            eprintln!("skipped: cannot mount a small tmpfs in a private namespace here ({other:?})");
            return;
        }
    }
    let rc = |step: &str| read(&out, &format!("{step}.rc")).trim().to_string();
    assert_eq!(rc("first"), "0", "{}", read(&out, "first.err"));

    // Refused with a clear message and its own exit status, not a hang or a raw I/O error.
    let refused = read(&out, "refused.err");
    assert_eq!(rc("refused"), "3", "{refused}");
    assert!(refused.contains("no space left on the device") && refused.contains("MB free"), "{refused}");

    // While the disk is still full, readers answer from what was stored before.
    assert_eq!(rc("during"), "0", "{}", read(&out, "during.err"));
    assert_eq!(read(&out, "during.out"), read(&out, "before.out"));
    assert!(!read(&out, "before.out").is_empty());
    assert_eq!(rc("query"), "0", "{}", read(&out, "query.err"));

    // Once there is room, the same ingest completes to what a clean run holds.
    assert_eq!(rc("again"), "0", "{}", read(&out, "again.err"));
    let clean = tempfile::tempdir().unwrap();
    assert!(peerscope(clean.path()).arg("ingest").args(FIRST).status().unwrap().success());
    assert!(peerscope(clean.path()).args(["ingest", "corpus/real"]).status().unwrap().success());
    let expected = peerscope(clean.path()).args(["export", "--format", "jsonl"]).output().unwrap();
    assert_eq!(read(&out, "after.out"), String::from_utf8_lossy(&expected.stdout));
}
