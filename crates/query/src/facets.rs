//! Facets: an answer's matching findings counted by region, council, year, kind, theme,
//! review type, service and document kind. Each value names the filter that narrows the
//! answer to it (`field` is the filter's parameter in the web page's address), so a person
//! sees where the evidence lies and can follow it. Counted from the index's columns for the
//! candidates the answer ranked; no stored text is read.

use rustc_hash::FxHashMap;

use peerscope_index::Candidate;
use peerscope_model::{DocKind, FindingKind, ReviewType, Service, Taxonomy};
use serde::Serialize;

/// Values listed per facet, the most frequent first.
const VALUES_PER_FACET: usize = 20;

/// The matching findings counted by one property.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Facet {
    /// The filter's parameter: `region`, `council`, `year`, `kind`, `theme`,
    /// `review_type`, `service` or `doc_kind`.
    pub field: &'static str,
    /// The property in words.
    pub label: &'static str,
    pub values: Vec<FacetValue>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FacetValue {
    /// The value as the filter takes it ("North West", "2019", "area_for_development").
    pub value: String,
    /// The value in words.
    pub label: String,
    /// Matching findings with this value.
    pub count: usize,
}

/// What each facet reads from a candidate: its values, and how a value reads to people.
struct Property {
    field: &'static str,
    label: &'static str,
    /// Calls its argument with each of the candidate's values (borrowed: an answer counts a
    /// thousand candidates by eight properties).
    values: EachValue,
}

/// Calls its second argument with each of a candidate's values of one property.
type EachValue = fn(&Candidate, &mut dyn FnMut(&str));

const PROPERTIES: [Property; 8] = [
    Property { field: "kind", label: "Kind of finding", values: |c, f| f(&c.kind) },
    Property { field: "region", label: "Region", values: |c, f| f(&c.region) },
    Property { field: "council", label: "Council", values: |c, f| f(&c.council) },
    Property { field: "year", label: "Year of review", values: |c, f| {
            if let Some(y) = c.year {
                f(&y.to_string())
            }
        }
    },
    Property { field: "theme", label: "Theme", values: |c, f| c.themes.iter().for_each(|t| f(t)) },
    Property { field: "review_type", label: "Review type", values: |c, f| f(&c.review_type) },
    Property { field: "service", label: "Service", values: |c, f| f(&c.service) },
    Property { field: "doc_kind", label: "Document", values: |c, f| f(&c.doc_kind) },
];

/// Count an answer's `candidates` by every property; a facet with no value is left out.
/// Copies of a finding (a report's PDF and its web page) count once, as the answer's
/// councils count them: `distinct` holds one copy of each. A finding counts under every
/// theme any of its copies carries, as narrowing the answer to that theme keeps it.
pub fn count(candidates: &[Candidate], distinct: &[&Candidate], taxonomy: &Taxonomy) -> Vec<Facet> {
    PROPERTIES
        .iter()
        .filter_map(|p| {
            let mut counts: FxHashMap<String, usize> = FxHashMap::default();
            let mut add = |v: &str| {
                if v.is_empty() {
                    return;
                }
                match counts.get_mut(v) {
                    Some(n) => *n += 1,
                    None => {
                        counts.insert(v.to_string(), 1);
                    }
                }
            };
            if p.field == "theme" {
                each_theme_once(candidates, &mut add);
            } else {
                for c in distinct {
                    (p.values)(c, &mut add);
                }
            }
            let mut values: Vec<FacetValue> = counts.into_iter().map(|(value, count)| FacetValue { label: label(p.field, &value, taxonomy), value, count }).collect();
            // Years read in order; everything else by how much evidence it holds.
            if p.field == "year" {
                values.sort_by(|a, b| b.value.cmp(&a.value));
            } else {
                values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
            }
            values.truncate(VALUES_PER_FACET);
            (!values.is_empty()).then_some(Facet { field: p.field, label: p.label, values })
        })
        .collect()
}

/// `candidates` without the copies of a finding already among them (a candidate without a
/// text key is a finding of its own).
pub fn distinct<'c>(candidates: impl IntoIterator<Item = &'c Candidate>) -> Vec<&'c Candidate> {
    let mut seen = rustc_hash::FxHashSet::default();
    candidates.into_iter().filter(|c| c.copy_key().is_none_or(|k| seen.insert((&*c.council, k)))).collect()
}

/// Calls `f` with each theme of each finding once, whichever of its copies carries it.
fn each_theme_once(candidates: &[Candidate], f: &mut dyn FnMut(&str)) {
    let mut seen = rustc_hash::FxHashSet::default();
    for c in candidates {
        for t in &c.themes {
            if c.copy_key().is_none_or(|k| seen.insert((&*c.council, k, &**t))) {
                f(t)
            }
        }
    }
}

/// A filter's parameter as people read it ("kind" → "Kind of finding"), for the filters
/// in force; an unknown one as written.
pub fn field_label(field: &str) -> &str {
    match field {
        "since" => "Reviewed since",
        "until" => "Reviewed until",
        "min_confidence" => "Reader at least this sure",
        "all_services" => "Services besides adult social care",
        _ => PROPERTIES.iter().find(|p| p.field == field).map_or(field, |p| p.label),
    }
}

/// A value as people read it: kinds, review types, services and document kinds by their
/// labels, themes by the taxonomy's (by id or label, in any case).
pub fn label(field: &str, value: &str, taxonomy: &Taxonomy) -> String {
    if field == "theme" {
        if let Some(label) = taxonomy.label_of(value) {
            return label.to_string();
        }
    }
    let known = match field {
        "kind" => FindingKind::parse(value).map(|k| k.label().to_string()),
        "review_type" => ReviewType::parse(value).map(|k| k.label().to_string()),
        "service" => Service::parse(value).map(|k| k.label().to_string()),
        "doc_kind" => DocKind::parse(value).map(|k| k.label().to_string()),
        "theme" => taxonomy.themes.iter().find(|t| t.id == value).map(|t| t.label.clone()),
        _ => None,
    };
    known.unwrap_or_else(|| value.to_string())
}
