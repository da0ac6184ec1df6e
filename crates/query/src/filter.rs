//! Filters a person types or passes as flags: council, region, year or year range, review
//! type, service, kind, theme. Documents not about an adult social care (or safeguarding
//! adults) peer review are left out unless `all_services` is set.

use peerscope_model::{Document, Finding, FindingKind, ReviewType};
use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Filter {
    /// Council short names (case-insensitive); empty = all.
    pub councils: Vec<String>,
    /// Regions ("North East", "West Midlands"); empty = all.
    pub regions: Vec<String>,
    /// Review years, inclusive.
    pub since: Option<i32>,
    pub until: Option<i32>,
    pub review_types: Vec<ReviewType>,
    /// Include reviews of children's services, corporate and other peer challenges.
    pub all_services: bool,
    pub kinds: Vec<FindingKind>,
    /// Theme ids; a finding must carry one of them.
    pub themes: Vec<String>,
    /// Findings the reader is less sure of than this (0–1) are left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_confidence: Option<f32>,
}

fn eq(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

impl Filter {
    /// The filters in words, for "Looking for:" ("in North West", "reviews 2019–2023",
    /// "LGA peer challenge", "councils Walsall, Leicester"), so a person sees why an answer
    /// holds what it holds. Empty when nothing is filtered.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.regions.is_empty() {
            out.push(format!("in {}", self.regions.join(" or ")));
        }
        if !self.councils.is_empty() {
            out.push(format!("council{} {}", if self.councils.len() == 1 { "" } else { "s" }, self.councils.join(", ")));
        }
        match (self.since, self.until) {
            (Some(a), Some(b)) if a == b => out.push(format!("reviews of {a}")),
            (Some(a), Some(b)) => out.push(format!("reviews {a}–{b}")),
            (Some(a), None) => out.push(format!("reviews since {a}")),
            (None, Some(b)) => out.push(format!("reviews up to {b}")),
            (None, None) => {}
        }
        if !self.review_types.is_empty() {
            out.push(self.review_types.iter().map(|t| t.as_str().replace('-', " ")).collect::<Vec<_>>().join(" or "));
        }
        if !self.themes.is_empty() {
            out.push(format!("theme {}", self.themes.join(" or ")));
        }
        if let Some(c) = self.min_confidence {
            out.push(format!("confidence at least {c}"));
        }
        if self.all_services {
            out.push("all services".into());
        }
        out
    }

    pub fn keeps_document(&self, d: &Document) -> bool {
        if !self.all_services && !d.about_asc_peer_review {
            return false;
        }
        let council = d.council.as_ref();
        if !self.councils.is_empty() && !council.is_some_and(|c| self.councils.iter().any(|n| eq(n, &c.name))) {
            return false;
        }
        if !self.regions.is_empty() && !council.and_then(|c| c.region.as_deref()).is_some_and(|r| self.regions.iter().any(|n| eq(n, r))) {
            return false;
        }
        if self.since.is_some() || self.until.is_some() {
            let Some(y) = d.review_year else { return false };
            if self.since.is_some_and(|s| y < s) || self.until.is_some_and(|u| y > u) {
                return false;
            }
        }
        self.review_types.is_empty() || self.review_types.contains(&d.review_type)
    }

    pub fn keeps_finding(&self, f: &Finding) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&f.kind))
            && (self.themes.is_empty() || f.themes.iter().any(|t| self.themes.contains(t)))
            && self.min_confidence.is_none_or(|m| f.confidence >= m)
    }
}

/// A finding's identity across the published forms of one review (the letter as text, as
/// a web page, as a PDF appendix): its council and its words, ignoring layout.
pub fn finding_key(council: &str, text: &str) -> String {
    let words: String = text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).take(160).collect();
    format!("{}|{words}", council.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use peerscope_model::{CouncilRef, DocKind, Service};

    fn doc(council: &str, region: &str, year: i32, about: bool) -> Document {
        Document {
            url: None,
            source: "x".into(),
            title: "t".into(),
            council: Some(CouncilRef { name: council.into(), gss_code: None, region: Some(region.into()) }),
            doc_kind: DocKind::PeerReport,
            service: Service::AdultSocialCare,
            review_type: ReviewType::LgaPeerChallenge,
            review_year: Some(year),
            about_asc_peer_review: about,
            format: "text".into(),
            findings: vec![],
        }
    }

    #[test]
    fn documents_by_council_region_years_and_service() {
        let f = Filter { regions: vec!["west midlands".into()], since: Some(2015), until: Some(2016), ..Filter::default() };
        assert!(f.keeps_document(&doc("Walsall", "West Midlands", 2015, true)));
        assert!(!f.keeps_document(&doc("Walsall", "West Midlands", 2018, true)));
        assert!(!f.keeps_document(&doc("Leicester", "East Midlands", 2016, true)));
        assert!(!Filter::default().keeps_document(&doc("Bury", "North West", 2018, false)));
        assert!(Filter { all_services: true, ..Filter::default() }.keeps_document(&doc("Bury", "North West", 2018, false)));
        assert_eq!(finding_key("Walsall", "The  performance,\non reviews"), finding_key("walsall", "The performance on reviews"));
    }
}
