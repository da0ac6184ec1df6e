//! Content sniffing: what the bytes are, whatever the file is called.

use crate::error::ExtractError;
use crate::office::{self, OfficeKind};

/// The formats peerscope reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Html,
    Text,
    /// A Word or PowerPoint file (or a package refused when read: a spreadsheet).
    Office(OfficeKind),
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Html => "html",
            Format::Text => "text",
            Format::Office(OfficeKind::Docx) => "docx",
            Format::Office(OfficeKind::Doc) => "doc",
            Format::Office(OfficeKind::Pptx) => "pptx",
            Format::Office(OfficeKind::Ppt) => "ppt",
            Format::Office(OfficeKind::Spreadsheet | OfficeKind::Other) => "office",
        }
    }
}

/// Decide the format from the content. Binary junk is an error, not "text".
pub fn sniff(bytes: &[u8]) -> Result<Format, ExtractError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ExtractError::Empty);
    }
    let head = &bytes[..bytes.len().min(1024)];
    if find(head, b"%PDF-").is_some() {
        return Ok(Format::Pdf);
    }
    if let Some(kind) = office::kind(bytes) {
        return Ok(Format::Office(kind));
    }
    let lower: Vec<u8> = bytes[..bytes.len().min(4096)].to_ascii_lowercase();
    let start = skip_bom_and_space(&lower);
    if start.starts_with(b"<!doctype html")
        || start.starts_with(b"<html")
        || (start.starts_with(b"<") && ["<body", "<div", "<p>", "<p ", "<h1", "<head"].iter().any(|t| find(&lower, t.as_bytes()).is_some()))
    {
        return Ok(Format::Html);
    }
    if looks_binary(&bytes[..bytes.len().min(64 * 1024)]) {
        return Err(ExtractError::Binary);
    }
    Ok(Format::Text)
}

/// Decode text bytes: UTF-8 (with or without BOM), else Windows-1252, the usual fallback
/// for documents saved on council desktops.
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

/// Text saved as UTF-16 (Windows' "Unicode"), known by its byte-order mark, as UTF-8: it
/// is text, not binary, though every other byte is zero.
pub fn from_utf16(bytes: &[u8]) -> Option<String> {
    let encoding = match bytes {
        [0xFF, 0xFE, ..] => encoding_rs::UTF_16LE,
        [0xFE, 0xFF, ..] => encoding_rs::UTF_16BE,
        _ => return None,
    };
    Some(encoding.decode_with_bom_removal(bytes).0.into_owned())
}

fn skip_bom_and_space(b: &[u8]) -> &[u8] {
    let b = b.strip_prefix(b"\xef\xbb\xbf").unwrap_or(b);
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// Text has almost no control bytes and decodes mostly cleanly.
fn looks_binary(sample: &[u8]) -> bool {
    if sample.contains(&0) {
        return true;
    }
    let control = sample.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c)).count();
    if control * 100 > sample.len() {
        return true;
    }
    // Windows-1252 text is not valid UTF-8 but has few high bytes; random bytes have many.
    let high = sample.iter().filter(|&&b| b >= 0x80).count();
    if high * 4 <= sample.len() {
        return false;
    }
    let text = String::from_utf8_lossy(sample);
    let bad = text.chars().filter(|&c| c == '\u{FFFD}').count();
    bad * 10 > text.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_with_a_byte_order_mark_is_text() {
        // Regression: UTF-16 text was refused as binary (every other byte is zero).
        let text = "Areas for development\nWaiting lists are long.";
        let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let be: Vec<u8> = [0xFE, 0xFF].into_iter().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert_eq!(from_utf16(&le).as_deref(), Some(text));
        assert_eq!(from_utf16(&be).as_deref(), Some(text));
        assert_eq!(from_utf16(text.as_bytes()), None);
    }

    #[test]
    fn sniffs_content_not_names() {
        assert_eq!(sniff(b"%PDF-1.4\n...").unwrap(), Format::Pdf);
        assert_eq!(sniff(b"\n  <!DOCTYPE html><html>").unwrap(), Format::Html);
        assert_eq!(sniff(b"<div class=\"mgContent\"><p>Minutes</p></div>").unwrap(), Format::Html);
        assert_eq!(sniff("Strengths\n- Good things \u{2013} done".as_bytes()).unwrap(), Format::Text);
        assert!(matches!(sniff(b"   \n"), Err(ExtractError::Empty)));
        assert!(matches!(sniff(&[0u8, 1, 2, 3, 200, 201]), Err(ExtractError::Binary)));
    }

    #[test]
    fn decodes_windows_1252() {
        assert_eq!(decode_text(b"caf\xe9 \x93quoted\x94"), "caf\u{e9} \u{201c}quoted\u{201d}");
    }
}
