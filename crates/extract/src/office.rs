//! Word and PowerPoint files: which of them the bytes are, and their content as HTML.
//!
//! Councils publish peer-team letters and action plans as `.docx` (older ModernGov sites as
//! `.doc`) and feedback presentations as `.pptx`. `office_oxide` (already built as
//! pdf_oxide's dependency) reads all four under its strict limits for untrusted packages
//! (a part's and the package's inflated size, inflate ratio, entries, nesting, text). Its
//! HTML keeps the headings, lists and tables the reader's structure rests on, so a Word
//! file is read from there as a web page is. Spreadsheets are told apart and refused.

use std::io::Cursor;

use memchr::memmem;
use office_oxide::options::ParseOptions;
use office_oxide::{Document, DocumentFormat};

use crate::error::ExtractError;

const ZIP: &[u8] = b"PK\x03\x04";
const CFB: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// What an Office file is, by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfficeKind {
    Docx,
    Doc,
    Pptx,
    Ppt,
    /// A workbook: not this genre's form, refused with a clear message.
    Spreadsheet,
    /// A zip or compound file that is none of the above (or is password-protected).
    Other,
}

/// The Office kind of `bytes`, or None when they are not a zip package or a compound file.
/// A zip's entry names are stored uncompressed, as are a compound file's stream names (in
/// UTF-16), so the parts a package holds can be seen without opening it.
pub fn kind(bytes: &[u8]) -> Option<OfficeKind> {
    if bytes.starts_with(ZIP) {
        let has = |name: &[u8]| memmem::find(bytes, name).is_some();
        return Some(if has(b"word/document") {
            OfficeKind::Docx
        } else if has(b"ppt/presentation") || has(b"ppt/slides/") {
            OfficeKind::Pptx
        } else if has(b"xl/workbook") {
            OfficeKind::Spreadsheet
        } else {
            OfficeKind::Other
        });
    }
    if bytes.starts_with(CFB) {
        let has = |name: &str| {
            let wide: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
            memmem::find(bytes, &wide).is_some()
        };
        return Some(if has("WordDocument") {
            OfficeKind::Doc
        } else if has("PowerPoint Document") {
            OfficeKind::Ppt
        } else if has("Workbook") || has("Book") {
            OfficeKind::Spreadsheet
        } else {
            OfficeKind::Other
        });
    }
    None
}

/// The content of a Word or PowerPoint file as an HTML fragment. Limits, damage and
/// panics inside the parser are errors naming what was wrong, never a crash.
pub fn office_html(bytes: &[u8], kind: OfficeKind) -> Result<String, ExtractError> {
    let format = match kind {
        OfficeKind::Docx => DocumentFormat::Docx,
        OfficeKind::Doc => DocumentFormat::Doc,
        OfficeKind::Pptx => DocumentFormat::Pptx,
        OfficeKind::Ppt => DocumentFormat::Ppt,
        OfficeKind::Spreadsheet => return Err(ExtractError::Spreadsheet),
        OfficeKind::Other => return Err(ExtractError::Office("a zip package or compound file that is neither a Word nor a PowerPoint file (password-protected?)".into())),
    };
    if matches!(kind, OfficeKind::Docx | OfficeKind::Pptx) && !has_zip_end(bytes) {
        return Err(ExtractError::OfficeTruncated);
    }
    let owned = bytes.to_vec();
    let parsed = std::panic::catch_unwind(move || -> Result<String, String> {
        let doc = Document::from_reader_with(Cursor::new(owned), format, &ParseOptions::strict()).map_err(|e| e.to_string())?;
        Ok(doc.to_html())
    });
    match parsed {
        Ok(Ok(html)) => Ok(html),
        Ok(Err(why)) => Err(ExtractError::Office(why)),
        Err(_) => Err(ExtractError::Office("the parser failed on this file".into())),
    }
}

/// Whether a zip package has its end-of-directory record, which every complete zip ends
/// with (followed by a comment of at most 64 KiB): half a download lacks it.
fn has_zip_end(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(22 + 0xFFFF)..];
    memmem::rfind(tail, b"PK\x05\x06").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_are_told_apart_by_their_parts() {
        assert_eq!(kind(b"PK\x03\x04....word/document.xml...."), Some(OfficeKind::Docx));
        assert_eq!(kind(b"PK\x03\x04....ppt/presentation.xml...."), Some(OfficeKind::Pptx));
        assert_eq!(kind(b"PK\x03\x04....xl/workbook.xml...."), Some(OfficeKind::Spreadsheet));
        assert_eq!(kind(b"PK\x03\x04....mimetype...."), Some(OfficeKind::Other));
        let mut doc = CFB.to_vec();
        doc.extend("WordDocument".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(kind(&doc), Some(OfficeKind::Doc));
        assert_eq!(kind(b"%PDF-1.4"), None);
        assert_eq!(kind(b"PK"), None);
    }

    #[test]
    fn a_broken_package_is_an_error_not_a_panic() {
        for bytes in [&b"PK\x03\x04word/document.xml"[..], b"PK\x03\x04\x00\x00ppt/slides/", &CFB[..]] {
            let kind = kind(bytes).unwrap_or(OfficeKind::Other);
            assert!(office_html(bytes, kind).is_err(), "{bytes:?}");
        }
    }
}
