//! Filters a person types or passes as flags: council, region, year or year range, review
//! type, service, kind, theme. Documents not about an adult social care (or safeguarding
//! adults) peer review are left out unless `all_services` is set.

use peerscope_model::{Councils, DocKind, Document, Finding, FindingKind, ReviewType, Service, Taxonomy};
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
    /// Services reviewed; empty = the adult social care family (or all, with `all_services`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<Service>,
    /// Kinds of document (report, minutes …); empty = all.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub doc_kinds: Vec<DocKind>,
    /// Include reviews of children's services, corporate and other peer challenges.
    pub all_services: bool,
    pub kinds: Vec<FindingKind>,
    /// The themes asked for, each as the theme ids it stands for (a CQC theme for its
    /// quality statements): a finding must carry one id of every one of them. Asked
    /// together, themes narrow ("Leadership", then "Finance and savings" among its facets:
    /// the leadership findings about finance), as every other filter of the page does.
    pub themes: Vec<Vec<String>>,
    /// The themes as asked for, by their labels ("Leadership", which stands for its quality
    /// statements' ids): what [`Filter::describe`] says.
    #[serde(skip)]
    pub theme_labels: Vec<String>,
    /// Findings the reader is less sure of than this (0–1) are left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_confidence: Option<f32>,
}

/// Filters as a person writes them (flags on the command line, parameters of a web
/// address), before they are checked: every list may repeat.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilterParams {
    pub councils: Vec<String>,
    pub regions: Vec<String>,
    pub since: Option<i32>,
    pub until: Option<i32>,
    /// "lga", "adass", "inspection" or a type as the index writes it.
    pub review_types: Vec<String>,
    pub all_services: bool,
    pub kinds: Vec<String>,
    /// A theme of either axis, or a CQC theme standing for its quality statements.
    pub themes: Vec<String>,
    pub min_confidence: Option<f32>,
    pub services: Vec<String>,
    pub doc_kinds: Vec<String>,
}

/// Why written filters were refused, naming what would be taken.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FilterError {
    #[error("unknown kind {0:?}: use strength, area_for_development, recommendation or best_practice")]
    Kind(String),
    #[error("unknown review type {0:?}: use lga, adass or inspection")]
    ReviewType(String),
    #[error("unknown service {0:?}: use {1}")]
    Service(String, String),
    #[error("unknown document kind {0:?}: use {1}")]
    DocKind(String, String),
    #[error("unknown theme {0:?}: a CQC theme ({1}) or one of {2}")]
    Theme(String, String, String),
    #[error("a council needs a name, e.g. Walsall")]
    EmptyCouncil,
    #[error("no English council with social care duties is called {0:?}; nearest: {1}")]
    Council(String, String),
    #[error("no region is called {0:?}; the regions: {1}")]
    Region(String, String),
    #[error("reviews since {0} until {1}: the first year is after the second")]
    Years(i32, i32),
    #[error("{0} is not a year of a review (write it in full, e.g. 2019)")]
    NotAYear(i32),
    #[error("a confidence of {0} is not between 0 and 1")]
    Confidence(f32),
}

impl FilterParams {
    /// Check every value against the reference data and the taxonomy: a name that matches
    /// nothing would silently answer nothing, so it is refused with what would be taken.
    pub fn filter(&self, taxonomy: &Taxonomy, councils: &Councils) -> Result<Filter, FilterError> {
        let kinds = self.kinds.iter().map(|k| FindingKind::parse(k).ok_or_else(|| FilterError::Kind(k.clone()))).collect::<Result<_, _>>()?;
        let review_types = self
            .review_types
            .iter()
            .map(|t| match t.trim().to_ascii_lowercase().as_str() {
                "lga" => Ok(ReviewType::LgaPeerChallenge),
                "adass" | "regional" => Ok(ReviewType::AdassRegionalPeerChallenge),
                other => ReviewType::parse(other).ok_or_else(|| FilterError::ReviewType(t.clone())),
            })
            .collect::<Result<_, _>>()?;
        let names = |all: Vec<&'static str>| all.join(", ");
        let services = self.services.iter().map(|x| Service::parse(x).ok_or_else(|| FilterError::Service(x.clone(), names(Service::ALL.iter().map(|s| s.as_str()).collect())))).collect::<Result<_, _>>()?;
        let doc_kinds = self.doc_kinds.iter().map(|x| DocKind::parse(x).ok_or_else(|| FilterError::DocKind(x.clone(), names(DocKind::ALL.iter().map(|s| s.as_str()).collect())))).collect::<Result<_, _>>()?;
        let mut themes = Vec::new();
        let mut theme_labels = Vec::new();
        for t in &self.themes {
            let ids = taxonomy.expand(t);
            if ids.is_empty() {
                let cqc: Vec<&str> = taxonomy.cqc_themes.iter().map(|c| c.id.as_str()).collect();
                let all: Vec<&str> = taxonomy.themes.iter().map(|t| t.id.as_str()).collect();
                return Err(FilterError::Theme(t.clone(), cqc.join(", "), all.join(", ")));
            }
            if !themes.contains(&ids) {
                themes.push(ids);
            }
            theme_labels.push(taxonomy.label_of(t).unwrap_or(t).to_string());
        }
        // Each council by its own name, however it was typed ("walsall", "City of York").
        let mut named = Vec::new();
        for c in &self.councils {
            if c.trim().is_empty() {
                return Err(FilterError::EmptyCouncil);
            }
            match councils.lookup(c) {
                Some(found) if !named.contains(&found.name) => named.push(found.name.clone()),
                Some(_) => {}
                None => return Err(FilterError::Council(c.clone(), councils.nearest(c).join(", "))),
            }
        }
        let regions = self
            .regions
            .iter()
            .map(|r| councils.region_named(r).map(str::to_string).ok_or_else(|| FilterError::Region(r.clone(), councils.regions().join(", "))))
            .collect::<Result<Vec<String>, _>>()?;
        // "--since 20" is not the year 20.
        if let Some(y) = [self.since, self.until].into_iter().flatten().find(|y| !(1900..=2200).contains(y)) {
            return Err(FilterError::NotAYear(y));
        }
        if let (Some(s), Some(u)) = (self.since, self.until) {
            if s > u {
                return Err(FilterError::Years(s, u));
            }
        }
        if let Some(m) = self.min_confidence.filter(|m| !(0.0..=1.0).contains(m)) {
            return Err(FilterError::Confidence(m));
        }
        Ok(Filter {
            councils: named,
            regions,
            since: self.since,
            until: self.until,
            review_types,
            services,
            doc_kinds,
            all_services: self.all_services,
            kinds,
            themes,
            theme_labels,
            min_confidence: self.min_confidence,
        })
    }
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
        if !self.services.is_empty() {
            out.push(self.services.iter().map(|s| s.label()).collect::<Vec<_>>().join(" or "));
        }
        if !self.doc_kinds.is_empty() {
            out.push(format!("in {}", self.doc_kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join(" or ")));
        }
        if !self.themes.is_empty() {
            let ids: Vec<String> = self.themes.iter().map(|g| g.join(" or ")).collect();
            let named = if self.theme_labels.is_empty() { &ids } else { &self.theme_labels };
            out.push(format!("theme {}", named.join(" and ")));
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
        if !self.all_services && self.services.is_empty() && !d.about_asc_peer_review {
            return false;
        }
        if !self.services.is_empty() && !self.services.contains(&d.service) {
            return false;
        }
        if !self.doc_kinds.is_empty() && !self.doc_kinds.contains(&d.doc_kind) {
            return false;
        }
        let council = d.council.as_ref();
        if !self.councils.is_empty() && !council.is_some_and(|c| self.councils.iter().any(|n| eq(n, &c.name))) {
            return false;
        }
        if !self.regions.is_empty() && !council.and_then(|c| c.region.as_deref()).is_some_and(|r| self.regions.iter().any(|n| eq(n, r))) {
            return false;
        }
        self.keeps_year(d.review_year) && (self.review_types.is_empty() || self.review_types.contains(&d.review_type))
    }

    /// Whether a review of `year` is within `since`/`until` (one of no known year is not,
    /// when either is set).
    pub fn keeps_year(&self, year: Option<i32>) -> bool {
        if self.since.is_none() && self.until.is_none() {
            return true;
        }
        year.is_some_and(|y| !self.since.is_some_and(|s| y < s) && !self.until.is_some_and(|u| y > u))
    }

    pub fn keeps_finding(&self, f: &Finding) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&f.kind))
            && self.themes.iter().all(|group| f.themes.iter().any(|t| group.contains(t)))
            && self.min_confidence.is_none_or(|m| f.confidence >= m)
    }
}

/// A finding's identity across the published forms of one review (the letter as text, as
/// a web page, as a PDF appendix): its council, its review's year and the first
/// [`KEY_CHARS`](peerscope_model::text::KEY_CHARS) letters and digits of its words, ignoring
/// layout. The index's text key reads the same words, so `export`, `themes`, `council` and
/// the answers count one finding alike. The year keeps apart a finding made again in a
/// later review, which is a finding of its own.
pub fn finding_key(council: &str, year: Option<i32>, text: &str) -> String {
    use std::fmt::Write;
    let mut key = council.to_lowercase();
    key.reserve(8 + text.len().min(peerscope_model::text::KEY_CHARS));
    match year {
        Some(y) => {
            let _ = write!(key, "|{y}|");
        }
        None => key.push_str("||"),
    }
    peerscope_model::text::squash_prefix_into(text, peerscope_model::text::KEY_CHARS, &mut key);
    key
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
    fn a_year_must_be_written_in_full_and_a_council_is_read_by_any_name() {
        let (t, c) = (Taxonomy::builtin().unwrap(), Councils::builtin().unwrap());
        let p = FilterParams { since: Some(20), ..FilterParams::default() };
        assert!(matches!(p.filter(&t, &c), Err(FilterError::NotAYear(20))));
        let p = FilterParams { councils: vec!["walsall".into(), "Walsall Council".into(), "City of York".into()], themes: vec!["Workforce and recruitment".into()], ..FilterParams::default() };
        let f = p.filter(&t, &c).unwrap();
        assert_eq!(f.councils, ["Walsall", "York"]);
        assert_eq!(f.themes, [["workforce"]]);
        // Regression: a CQC theme was described by its statements' ids ("theme governance
        // or learning" for Leadership).
        assert!(f.describe().contains(&"theme Workforce and recruitment".to_string()), "{:?}", f.describe());
        let cqc = &t.cqc_themes[0];
        let f = FilterParams { themes: vec![cqc.id.clone()], ..FilterParams::default() }.filter(&t, &c).unwrap();
        assert!(f.describe().contains(&format!("theme {}", cqc.label)), "{:?}", f.describe());
    }

    #[test]
    fn documents_by_council_region_years_and_service() {
        let f = Filter { regions: vec!["west midlands".into()], since: Some(2015), until: Some(2016), ..Filter::default() };
        assert!(f.keeps_document(&doc("Walsall", "West Midlands", 2015, true)));
        assert!(!f.keeps_document(&doc("Walsall", "West Midlands", 2018, true)));
        assert!(!f.keeps_document(&doc("Leicester", "East Midlands", 2016, true)));
        assert!(!Filter::default().keeps_document(&doc("Bury", "North West", 2018, false)));
        assert!(Filter { all_services: true, ..Filter::default() }.keeps_document(&doc("Bury", "North West", 2018, false)));
        assert_eq!(finding_key("Walsall", Some(2015), "The  performance,\non reviews"), finding_key("walsall", Some(2015), "The performance on reviews"));
        assert_ne!(finding_key("Walsall", Some(2015), "The performance on reviews"), finding_key("Walsall", Some(2019), "The performance on reviews"));
    }
}
