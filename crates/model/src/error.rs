//! The model crate's one error type.

/// What can go wrong loading reference data (councils, themes).
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("councils table: {0}")]
    Csv(#[from] csv::Error),
    #[error("theme taxonomy: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("theme taxonomy (as built in): {0}")]
    Json(#[from] serde_json::Error),
    #[error("theme {theme}: bad pattern {pattern:?}: {reason}")]
    Pattern { theme: String, pattern: String, reason: String },
    #[error("councils table: {0}")]
    Regex(#[from] regex::Error),
    #[error("council name matcher: {0}")]
    Names(String),
}
