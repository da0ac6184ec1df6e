//! Damaged PDFs through the real binary: the corpus PDF with bytes flipped and cut short is
//! parsed in the isolated child process, and every outcome is either a document or a clear
//! error naming the file, never a crash of the run.

use std::path::PathBuf;

use proptest::prelude::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpus_pdf() -> Vec<u8> {
    std::fs::read(root().join("corpus/leicester_scrutiny-report_2016.pdf")).expect("the corpus PDF is shipped")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn damaged_pdfs_are_documents_or_named_errors(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..40),
        keep in 0.05f64..=1.0,
    ) {
        let mut bytes = corpus_pdf();
        for (at, byte) in flips {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        bytes.truncate(((bytes.len() as f64) * keep) as usize);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("damaged.pdf");
        std::fs::write(&file, &bytes).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_peerscope"))
            .arg("extract").arg("--json").arg(&file)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        prop_assert!(!stderr.contains("panicked"), "{}", stderr);
        match out.status.code() {
            Some(0) => {
                let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                prop_assert!(doc["findings"].is_array());
            }
            Some(1) => prop_assert!(stderr.contains("damaged.pdf"), "error does not name the file: {}", stderr),
            other => prop_assert!(false, "exit {:?}: {}", other, stderr),
        }
    }
}
