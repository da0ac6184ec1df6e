//! A document as peerscope understands it: metadata about the review it reports on, and
//! the findings in it, each with a byte span into the document's extracted text.

use serde::{Deserialize, Serialize};

use crate::council::CouncilRef;

/// What a finding says about the reviewed council (see shared/gold/GUIDELINES.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// Something the reviewers found working well.
    Strength,
    /// A weakness, risk, concern or gap, stated as a finding.
    AreaForDevelopment,
    /// An action the reviewers advise.
    Recommendation,
    /// A pointer to another council's (or body's) practice worth learning from.
    BestPractice,
}

impl FindingKind {
    pub const ALL: [FindingKind; 4] = [
        FindingKind::Strength,
        FindingKind::AreaForDevelopment,
        FindingKind::Recommendation,
        FindingKind::BestPractice,
    ];

    /// The name used in JSON, the index and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Strength => "strength",
            FindingKind::AreaForDevelopment => "area_for_development",
            FindingKind::Recommendation => "recommendation",
            FindingKind::BestPractice => "best_practice",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            FindingKind::Strength => "strength",
            FindingKind::AreaForDevelopment => "area for development",
            FindingKind::Recommendation => "recommendation",
            FindingKind::BestPractice => "best practice",
        }
    }

    pub fn parse(s: &str) -> Option<FindingKind> {
        let s = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        FindingKind::ALL.into_iter().find(|k| k.as_str() == s).or(match s.as_str() {
            "afd" | "area" | "areas_for_development" | "weakness" | "concern" => {
                Some(FindingKind::AreaForDevelopment)
            }
            "strengths" => Some(FindingKind::Strength),
            "recommendations" => Some(FindingKind::Recommendation),
            _ => None,
        })
    }
}

/// What kind of document this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocKind {
    /// The peer team's own report, letter or slides, published on its own.
    PeerReport,
    /// An officer's report to a committee, usually with the peer team's letter appended.
    ScrutinyReport,
    /// Minutes or decision record of a meeting that discussed the review.
    ScrutinyMinutes,
    PressRelease,
    WebPage,
}

impl DocKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::PeerReport => "peer-report",
            DocKind::ScrutinyReport => "scrutiny-report",
            DocKind::ScrutinyMinutes => "scrutiny-minutes",
            DocKind::PressRelease => "press-release",
            DocKind::WebPage => "web-page",
        }
    }

    pub const ALL: [DocKind; 5] = [DocKind::PeerReport, DocKind::ScrutinyReport, DocKind::ScrutinyMinutes, DocKind::PressRelease, DocKind::WebPage];

    /// The kind written as [`DocKind::as_str`] writes it.
    pub fn parse(s: &str) -> Option<DocKind> {
        Self::ALL.into_iter().find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// The kind in words, for people.
    pub fn label(self) -> &'static str {
        match self {
            DocKind::PeerReport => "peer team's report or letter",
            DocKind::ScrutinyReport => "report to a committee",
            DocKind::ScrutinyMinutes => "minutes or decision",
            DocKind::PressRelease => "press release",
            DocKind::WebPage => "web page",
        }
    }
}

/// The service the review looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Service {
    AdultSocialCare,
    SafeguardingAdults,
    ChildrensServices,
    Corporate,
    HealthAndWellbeing,
    Finance,
    Other,
}

impl Service {
    pub fn as_str(self) -> &'static str {
        match self {
            Service::AdultSocialCare => "adult-social-care",
            Service::SafeguardingAdults => "safeguarding-adults",
            Service::ChildrensServices => "childrens-services",
            Service::Corporate => "corporate",
            Service::HealthAndWellbeing => "health-and-wellbeing",
            Service::Finance => "finance",
            Service::Other => "other",
        }
    }

    pub const ALL: [Service; 7] = [Service::AdultSocialCare, Service::SafeguardingAdults, Service::ChildrensServices, Service::Corporate, Service::HealthAndWellbeing, Service::Finance, Service::Other];

    /// The service written as [`Service::as_str`] writes it.
    pub fn parse(s: &str) -> Option<Service> {
        Self::ALL.into_iter().find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// The service in words, for people.
    pub fn label(self) -> &'static str {
        match self {
            Service::AdultSocialCare => "adult social care",
            Service::SafeguardingAdults => "safeguarding adults",
            Service::ChildrensServices => "children's services",
            Service::Corporate => "corporate",
            Service::HealthAndWellbeing => "health and wellbeing",
            Service::Finance => "finance",
            Service::Other => "other",
        }
    }

    /// Services that default answers include (the adult social care family).
    pub fn is_adult_care(self) -> bool {
        matches!(self, Service::AdultSocialCare | Service::SafeguardingAdults)
    }
}

/// Who ran the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewType {
    /// Run by the Local Government Association (including "Preparation for Assurance").
    LgaPeerChallenge,
    /// A regional ADASS / sector-led improvement programme.
    AdassRegionalPeerChallenge,
    /// A regulator: CQC, CSCI, Ofsted.
    Inspection,
    /// The document is about no external review.
    None,
    Unknown,
}

impl ReviewType {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewType::LgaPeerChallenge => "lga-peer-challenge",
            ReviewType::AdassRegionalPeerChallenge => "adass-regional-peer-challenge",
            ReviewType::Inspection => "inspection",
            ReviewType::None => "none",
            ReviewType::Unknown => "unknown",
        }
    }

    pub const ALL: [ReviewType; 5] = [ReviewType::LgaPeerChallenge, ReviewType::AdassRegionalPeerChallenge, ReviewType::Inspection, ReviewType::None, ReviewType::Unknown];

    /// The type written as [`ReviewType::as_str`] writes it.
    pub fn parse(s: &str) -> Option<ReviewType> {
        Self::ALL.into_iter().find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// The type in words, for people.
    pub fn label(self) -> &'static str {
        match self {
            ReviewType::LgaPeerChallenge => "LGA peer challenge",
            ReviewType::AdassRegionalPeerChallenge => "regional ADASS peer challenge",
            ReviewType::Inspection => "inspection",
            ReviewType::None => "no external review",
            ReviewType::Unknown => "review type unknown",
        }
    }
}

/// One finding of the peer team, verbatim, with where it stands in the extracted text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: FindingKind,
    /// Exactly `text[start..end]` of the document's extracted text.
    pub text: String,
    /// The heading the finding sits under, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    #[serde(default)]
    pub themes: Vec<String>,
    pub start: usize,
    pub end: usize,
    /// For `best_practice`: the council pointed to (short name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub council: Option<String>,
    /// For `best_practice`: further councils the same pointer names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
    /// How sure the reader is that this passage is a finding of this kind (0–1): the learned
    /// reader's probability, 1 for the cue rules. Records stored before it existed read as 1.
    #[serde(default = "certain")]
    pub confidence: f32,
}

fn certain() -> f32 {
    1.0
}

/// A document and what was extracted from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Where the bytes came from: a path or a URL.
    pub source: String,
    /// Where the document was published, when known and not already `source` (a file
    /// whose `sources.toml` names its URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub title: String,
    /// The reviewed council; `None` when it could not be told.
    pub council: Option<CouncilRef>,
    pub doc_kind: DocKind,
    pub service: Service,
    pub review_type: ReviewType,
    /// The year the peer team was on site.
    pub review_year: Option<i32>,
    /// False when the document is not about an adult social care peer review: kept, but
    /// left out of default answers.
    #[serde(default = "yes")]
    pub about_asc_peer_review: bool,
    /// "text", "html" or "pdf": what the bytes were read as.
    #[serde(default)]
    pub format: String,
    pub findings: Vec<Finding>,
}

fn yes() -> bool {
    true
}

impl Document {
    /// How many findings of each kind, in [`FindingKind::ALL`] order.
    pub fn kind_counts(&self) -> [usize; 4] {
        let mut out = [0; 4];
        for f in &self.findings {
            if let Some(i) = FindingKind::ALL.iter().position(|k| *k == f.kind) {
                out[i] += 1;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_serialise_as_the_contract_says() {
        let j = serde_json::to_string(&FindingKind::AreaForDevelopment).unwrap();
        assert_eq!(j, "\"area_for_development\"");
        assert_eq!(serde_json::to_string(&DocKind::ScrutinyReport).unwrap(), "\"scrutiny-report\"");
        assert_eq!(
            serde_json::to_string(&ReviewType::AdassRegionalPeerChallenge).unwrap(),
            "\"adass-regional-peer-challenge\""
        );
        assert_eq!(FindingKind::parse("area-for-development"), Some(FindingKind::AreaForDevelopment));
        assert_eq!(FindingKind::parse("strengths"), Some(FindingKind::Strength));
        assert_eq!(FindingKind::parse("nonsense"), None);
    }
}
