//! The domain model of peerscope: what a peer-challenge document is, the findings the peer
//! team made in it, the councils involved and the themes findings are about.
//!
//! Every other crate speaks in these types. The JSON shape of [`Document`] and [`Finding`]
//! is a public contract (`peerscope extract --json`): fields may be added, never renamed.

pub mod council;
pub mod document;
pub mod error;
pub mod pattern;
pub mod text;
pub mod theme;

pub use council::{Council, CouncilRef, Councils, Mention, Names};
pub use document::{DocKind, Document, Finding, FindingKind, ReviewType, Service};
pub use error::ModelError;
pub use theme::{Axis, CqcTheme, Taxonomy, Theme};
