//! The extract crate's one error type. Every variant says what was wrong with the input so
//! the caller can report it next to the file or URL.

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("empty file")]
    Empty,
    #[error("too large: {size} bytes (limit {limit})")]
    TooLarge { size: usize, limit: usize },
    #[error("not a document: binary content that is neither PDF, Word, PowerPoint, HTML nor text")]
    Binary,
    #[error("unreadable Word or PowerPoint file: {0}")]
    Office(String),
    #[error("Word or PowerPoint file cut short (its zip directory is missing): fetch or save it again")]
    OfficeTruncated,
    #[error("a spreadsheet: peerscope reads reports, letters, minutes and slides (PDF, Word, PowerPoint, HTML, text), not workbooks")]
    Spreadsheet,
    #[error("unreadable PDF: {0}")]
    Pdf(String),
    #[error("PDF has no extractable text (scanned images?)")]
    PdfNoText,
    #[error("PDF is encrypted and no text could be read from it: it needs a password to open, or holds scanned images")]
    PdfPassword,
    #[error("PDF is cut short (it has no end-of-file marker): fetch or save it again")]
    PdfTruncated,
    #[error("PDF extraction timed out after {0} s")]
    PdfTimeout(u64),
    #[error("PDF extractor failed: {0}")]
    PdfChild(String),
    #[error("no text in document")]
    NoText,
    #[error("{lines} lines of text, more than the {limit} a report, letter or set of minutes holds: not read")]
    TooManyLines { lines: usize, limit: usize },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("reference data: {0}")]
    Model(#[from] peerscope_model::ModelError),
    #[error("the reader's weights: {0}")]
    Head(#[from] crate::reader::HeadError),
    #[error("the encoder reader's weights: {0}")]
    Encoder(#[from] crate::encoder::EncoderError),
    #[error("the sentence embeddings: {0}")]
    Embeddings(#[from] crate::embed::EmbedError),
}
