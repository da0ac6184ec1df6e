//! Property tests: extraction never panics, and what it returns is consistent, whatever the
//! bytes. Inputs are drawn three ways: raw bytes; text assembled from the genre's building
//! blocks (headings, bullets, numbering, tables, quotes, abbreviations, odd Unicode) so the
//! structure and cue code paths are exercised deeply; and HTML with random nesting.
//!
//! `PROPTEST_CASES=5000 cargo test -p peerscope-extract --test robustness --release` runs a
//! longer soak.

use peerscope_extract::{ExtractError, Extractor};
use proptest::prelude::*;
use std::sync::LazyLock;

static EXTRACTOR: LazyLock<Extractor> = LazyLock::new(|| Extractor::new().expect("builtin councils and themes load"));

/// Everything a finding claims about the text holds.
fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    match EXTRACTOR.extract("prop", bytes) {
        Ok(x) => {
            for f in &x.document.findings {
                prop_assert!(f.start <= f.end && f.end <= x.text.len(), "span {}..{} outside {}", f.start, f.end, x.text.len());
                prop_assert!(x.text.is_char_boundary(f.start) && x.text.is_char_boundary(f.end));
                prop_assert_eq!(&x.text[f.start..f.end], f.text.as_str());
                prop_assert!(!f.text.trim().is_empty());
            }
            Ok(())
        }
        Err(ExtractError::Empty | ExtractError::Binary | ExtractError::NoText | ExtractError::Pdf(_) | ExtractError::PdfNoText | ExtractError::PdfTruncated | ExtractError::TooLarge { .. }) => Ok(()),
        Err(e) => Err(TestCaseError::fail(format!("unexpected error kind: {e}"))),
    }
}

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Strengths\n".to_string()),
        Just("Areas for Consideration and Recommendations\n".to_string()),
        Just("RECOMMENDATIONS:\n".to_string()),
        Just("Some Ideas for Best Practice Development\n".to_string()),
        Just("The key findings were:-\n".to_string()),
        Just("- ".to_string()),
        Just("• ".to_string()),
        Just("❖ ".to_string()),
        Just("o ".to_string()),
        Just("1. ".to_string()),
        Just("(a) ".to_string()),
        Just("iv. ".to_string()),
        Just("3.2 ".to_string()),
        Just(" | ".to_string()),
        Just("---|---|\n".to_string()),
        Just("Cllr. Smith asked whether e.g. No. 5 was agreed. ".to_string()),
        Just("The council should consider Shropshire or Stoke for best practice. ".to_string()),
        Just("There is a lack of clarity; however, staff are proud. ".to_string()),
        Just("“We were told this,” said J. Bloggs. ".to_string()),
        Just("In respect of carers, ".to_string()),
        Just("The Assistant Director summarised the findings of the peer review. ".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just(":".to_string()),
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        Just("strong>".to_string()),
        "[a-zA-Z ]{0,40}",
        "\\PC{0,20}",
        any::<char>().prop_map(String::from),
    ]
}

fn genre_text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..80).prop_map(|v| v.concat())
}

fn html() -> impl Strategy<Value = String> {
    let tag = prop_oneof![Just("div"), Just("p"), Just("ul"), Just("li"), Just("table"), Just("tr"), Just("td"), Just("h2"), Just("nav"), Just("main"), Just("script"), Just("b")];
    let node = (tag, genre_text(), any::<bool>()).prop_map(|(t, body, close)| if close { format!("<{t}>{body}</{t}>") } else { format!("<{t}>{body}") });
    prop::collection::vec(node, 0..30).prop_map(|v| format!("<!doctype html><html><body>{}</body></html>", v.concat()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        check(&bytes)?;
    }

    #[test]
    fn genre_shaped_text(text in genre_text()) {
        check(text.as_bytes())?;
    }

    #[test]
    fn html_pages(page in html()) {
        check(page.as_bytes())?;
    }

    #[test]
    fn pdf_like_bytes(body in prop::collection::vec(any::<u8>(), 0..2048)) {
        let mut bytes = b"%PDF-1.7\n".to_vec();
        bytes.extend(body);
        check(&bytes)?;
    }
}

/// Large inputs of a pathological shape finish (no quadratic path): a 4 MB line without a
/// full stop, 200,000 one-word bullets, 100,000 abbreviations in a row.
#[test]
fn pathological_shapes_finish() {
    let one_line = "word ".repeat(800_000);
    let bullets = "- x\n".repeat(200_000);
    let abbreviations = "Cllr. e.g. No. ".repeat(100_000);
    let colons = "Strengths:\n".repeat(100_000);
    for input in [one_line, bullets, abbreviations, colons] {
        let _ = EXTRACTOR.extract("big", input.as_bytes());
    }
}
