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

/// Regression (issue 11, item 7): half of a real PDF was "no extractable text (scanned
/// images?)"; it is a PDF cut short, and the message says so and names the file.
#[test]
fn half_a_pdf_is_reported_as_cut_short() {
    let bytes = corpus_pdf();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("half.pdf");
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_peerscope")).arg("extract").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("half.pdf") && stderr.contains("cut short"), "{stderr}");
}

/// Regression (issue 11, item 7): UTF-16 text with a byte-order mark was refused as binary.
#[test]
fn utf16_text_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("unicode.txt");
    let text = "Walsall Council adult social care peer challenge 2019\n\nAreas for development\n\nPerformance on reviews remains concerning and many reviews are overdue.\n";
    let bytes: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    std::fs::write(&file, bytes).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_peerscope")).arg("extract").arg("--json").arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["findings"].as_array().unwrap().iter().any(|f| f["text"].as_str().unwrap().starts_with("Performance on reviews")), "{doc}");
}

/// Regression: PDFs encrypted with an empty user password (RC4 or AES-128: what councils
/// publish to stop editing, and any viewer opens) were "no extractable text (scanned
/// images?)"; they read as the unencrypted file does. One that needs a password says so.
#[test]
fn encrypted_pdfs_that_open_without_a_password_are_read() {
    let summary = |path: &std::path::Path| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_peerscope")).arg("extract").arg("--json").arg(path).output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned(), serde_json::from_slice::<serde_json::Value>(&out.stdout).ok())
    };
    let (_, _, plain) = summary(&root().join("corpus/leicester_scrutiny-report_2016.pdf"));
    let plain = plain.unwrap();
    for name in ["encrypted_rc4_no_password.pdf", "encrypted_aes128_no_password.pdf"] {
        let (code, err, doc) = summary(&root().join("tests/hostile").join(name));
        assert_eq!(code, Some(0), "{name}: {err}");
        let doc = doc.unwrap();
        assert_eq!(doc["findings"], plain["findings"], "{name}");
    }
    let (code, err, _) = summary(&root().join("tests/hostile/encrypted_needs_password.pdf"));
    assert_eq!(code, Some(1));
    assert!(err.contains("encrypted_needs_password.pdf") && err.contains("needs a password"), "{err}");
}
