//! Extraction: bytes to a [`Document`] with its findings and metadata.
//!
//! The flow is the same for every format: sniff the content ([`sniff`]), turn it into text
//! ([`html`], [`pdf`], or decoding), normalise that text so one line is one block
//! ([`normalize`]), recover structure ([`structure`]), read the metadata ([`metadata`]) and
//! the findings ([`findings`], using the lexicons in [`cues`] and sentence splitting in
//! [`sentences`]). Finding offsets point into the normalised text, which callers keep.

pub mod cues;
pub mod error;
pub mod findings;
pub mod html;
pub mod metadata;
pub mod minutes;
pub mod normalize;
pub mod pdf;
pub mod sentences;
pub mod sniff;
pub mod structure;

use std::time::Duration;

pub use error::ExtractError;
pub use pdf::PdfBackend;
pub use sniff::Format;

use peerscope_model::{CouncilRef, Councils, Document, Service, Taxonomy};

/// Bumped whenever extraction changes what it produces: stored documents extracted by an
/// older version are extracted again from their raw bytes.
pub const EXTRACTOR_VERSION: u32 = 3;

/// The default cap on a document's size.
pub const DEFAULT_MAX_BYTES: usize = 64 << 20;

/// A document and the normalised text its finding offsets point into.
#[derive(Debug, Clone)]
pub struct Extracted {
    pub document: Document,
    pub text: String,
}

/// Turns bytes into documents. Build once, use for many files.
#[derive(Debug, Clone)]
pub struct Extractor {
    councils: Councils,
    taxonomy: Taxonomy,
    pdf: PdfBackend,
    max_bytes: usize,
}

impl Extractor {
    /// An extractor with the shipped councils and themes, parsing PDFs in-process.
    pub fn new() -> Result<Extractor, ExtractError> {
        Ok(Extractor {
            councils: Councils::builtin()?,
            taxonomy: Taxonomy::builtin()?,
            pdf: PdfBackend::InProcess,
            max_bytes: DEFAULT_MAX_BYTES,
        })
    }

    pub fn pdf_backend(mut self, backend: PdfBackend) -> Extractor {
        self.pdf = backend;
        self
    }

    /// Parse PDFs in a child process: `program args...` (see [`pdf::child_main`]).
    pub fn isolated_pdf(self, program: std::path::PathBuf, args: Vec<String>, timeout: Duration) -> Extractor {
        self.pdf_backend(PdfBackend::Isolated { program, args, timeout })
    }

    pub fn max_bytes(mut self, max: usize) -> Extractor {
        self.max_bytes = max;
        self
    }

    pub fn taxonomy(mut self, taxonomy: Taxonomy) -> Extractor {
        self.taxonomy = taxonomy;
        self
    }

    pub fn councils(&self) -> &Councils {
        &self.councils
    }

    pub fn themes(&self) -> &Taxonomy {
        &self.taxonomy
    }

    /// The normalised text of `bytes`, the format it was read as, and page hints.
    pub fn text(&self, bytes: &[u8]) -> Result<(String, Format, metadata::Hints), ExtractError> {
        if bytes.len() > self.max_bytes {
            return Err(ExtractError::TooLarge { size: bytes.len(), limit: self.max_bytes });
        }
        let format = sniff::sniff(bytes)?;
        let (raw, hints, wrapped) = match format {
            Format::Pdf => (pdf::pdf_text(bytes, &self.pdf)?, metadata::Hints::default(), true),
            Format::Html => {
                let source = sniff::decode_text(bytes);
                let depth = html::nesting_depth(&source);
                if depth > html::MAX_DEPTH {
                    return Err(ExtractError::HtmlTooDeep { depth, limit: html::MAX_DEPTH });
                }
                let h = html::html_to_text(&source);
                (h.text, metadata::Hints { title: h.title, site: h.site }, false)
            }
            Format::Text => (sniff::decode_text(bytes), metadata::Hints::default(), false),
        };
        let text = normalize::normalize(&raw, wrapped);
        if text.trim().is_empty() {
            return Err(ExtractError::NoText);
        }
        Ok((text, format, hints))
    }

    /// Extract one document. `source` is its path or URL, recorded as provenance.
    pub fn extract(&self, source: &str, bytes: &[u8]) -> Result<Extracted, ExtractError> {
        let (text, format, hints) = self.text(bytes)?;
        let found_title = metadata::title(&text, &hints);
        let reviewed = metadata::reviewed_council(&text, found_title.as_deref().unwrap_or(""), &hints, &self.councils);
        let blocks = structure::blocks(&text);
        let doc_kind = metadata::doc_kind(&text);
        let minutes = doc_kind == peerscope_model::DocKind::ScrutinyMinutes;
        let follow_up = findings::is_follow_up(&text);
        let ctx = findings::FindingContext { councils: &self.councils, taxonomy: &self.taxonomy, reviewed, minutes, follow_up };
        let found = findings::findings(&text, &blocks, &ctx);
        let review_type = metadata::review_type(&text);
        let service = metadata::service(&text, found_title.as_deref().unwrap_or(""));
        let review_year = metadata::review_year(&text, found_title.as_deref().unwrap_or(""));
        let council = reviewed.map(|i| CouncilRef::from(self.councils.get(i)));
        let title = found_title.unwrap_or_else(|| {
            metadata::composed_title(council.as_ref().map(|c| c.name.as_str()), review_type, doc_kind, review_year)
        });
        let about = matches!(service, Service::AdultSocialCare | Service::SafeguardingAdults)
            && matches!(review_type, peerscope_model::ReviewType::LgaPeerChallenge | peerscope_model::ReviewType::AdassRegionalPeerChallenge | peerscope_model::ReviewType::Unknown);
        let document = Document {
            source: source.to_string(),
            council,
            doc_kind,
            service,
            review_type,
            review_year,
            about_asc_peer_review: about,
            format: format.as_str().to_string(),
            title,
            findings: found,
        };
        Ok(Extracted { document, text })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_html_is_refused_quickly() {
        let x = Extractor::new().unwrap();
        let page = format!("<html><body>{}x{}</body></html>", "<div>".repeat(1_000_000), "</div>".repeat(1_000_000));
        let err = x.extract("deep.html", page.as_bytes()).unwrap_err();
        assert!(matches!(err, ExtractError::HtmlTooDeep { depth: 1_000_000, .. }), "{err}");
    }

    #[test]
    fn oversized_input_is_refused() {
        let x = Extractor::new().unwrap().max_bytes(10);
        assert!(matches!(x.extract("big.txt", b"more than ten bytes"), Err(ExtractError::TooLarge { size: 19, limit: 10 })));
    }
}
