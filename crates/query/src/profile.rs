//! A council's profile (`peerscope council NAME`): its reviews and documents, its findings
//! by theme, what was flagged again in a later review, comparator councils (same region and
//! type; most similar findings), and for each theme flagged (areas for development and
//! recommendations) the councils praised on that theme and any explicit pointers to other
//! councils' practice.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use peerscope_model::{CouncilRef, Councils, Document, FindingKind, Taxonomy};
use serde::Serialize;

use crate::filter::{finding_key, Filter};
use crate::recurring::kind_slot;

#[derive(Debug, Clone, Serialize)]
pub struct CouncilProfile {
    pub council: CouncilRef,
    pub la_type: String,
    /// For a council that no longer exists: when it was abolished and who took over.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub former: Option<String>,
    pub documents: Vec<DocumentSummary>,
    pub themes: Vec<ThemeFindings>,
    /// Themes flagged (area for development or recommendation) in more than one review year.
    pub repeated: Vec<Repeat>,
    pub comparators: Vec<Comparator>,
    pub learn_from: Vec<LearnFrom>,
    /// Other councils' reviews that point to this council's practice (best practice naming
    /// it): each with the council whose review it is. Shown even when none of this council's
    /// own reviews is held (regression: a "who to learn from" link led to "no reviews").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub named_by: Vec<Praise>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentSummary {
    pub title: String,
    pub year: Option<i32>,
    pub doc_kind: String,
    pub review_type: String,
    pub service: String,
    pub findings: usize,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProfileFinding {
    pub kind: FindingKind,
    pub text: String,
    pub year: Option<i32>,
    pub source: String,
    /// Where the finding starts in its source's extracted text (bytes).
    pub start: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThemeFindings {
    pub theme: String,
    pub label: String,
    /// Strengths, areas for development, recommendations, best practice.
    pub counts: [usize; 4],
    pub findings: Vec<ProfileFinding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Repeat {
    pub theme: String,
    pub label: String,
    pub years: Vec<i32>,
    /// "flagged again in 2018 after 2015".
    pub summary: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comparator {
    pub council: CouncilRef,
    /// "same region and type" or "similar findings".
    pub basis: String,
    /// Cosine similarity of the councils' theme-by-kind counts.
    pub similarity: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct LearnFrom {
    pub theme: String,
    pub label: String,
    pub praised: Vec<Praise>,
    pub pointers: Vec<Praise>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Praise {
    pub council: String,
    pub text: String,
    pub source: String,
    /// Where the finding starts in its source's extracted text (bytes).
    pub start: usize,
}

impl CouncilProfile {
    /// Every source the profile names: its documents', its findings', and those of the
    /// councils it points to.
    pub fn sources(&self) -> impl Iterator<Item = &str> {
        let documents = self.documents.iter().flat_map(|d| d.sources.iter());
        let findings = self.themes.iter().flat_map(|t| t.findings.iter().map(|f| &f.source));
        let praise = self.learn_from.iter().flat_map(|l| l.praised.iter().chain(&l.pointers).map(|p| &p.source));
        let named_by = self.named_by.iter().map(|p| &p.source);
        documents.chain(findings).chain(praise).chain(named_by).map(String::as_str)
    }
}

type Vector = BTreeMap<(String, usize), f32>;

/// Everything known of the council named `name` (as `Councils::lookup` reads names).
pub fn profile<'a, I>(name: &str, documents: I, filter: &Filter, councils: &Councils, taxonomy: &Taxonomy) -> Option<CouncilProfile>
where
    I: IntoIterator<Item = (&'a Document, &'a [String])> + Clone,
{
    let me = councils.lookup(name)?;
    let label = |id: &str| taxonomy.get(id).map_or_else(|| id.to_string(), |t| t.label.clone());
    let mut docs: Vec<DocumentSummary> = Vec::new();
    // The finding keys of each of `docs`, to tell one review's copies.
    let mut doc_keys: Vec<HashSet<String>> = Vec::new();
    let mut themes: BTreeMap<String, ThemeFindings> = BTreeMap::new();
    let mut flagged_years: BTreeMap<String, BTreeSet<i32>> = BTreeMap::new();
    let mut vectors: HashMap<String, Vector> = HashMap::new();
    let mut praised: HashMap<String, Vec<Praise>> = HashMap::new();
    let mut pointers: Vec<(Vec<String>, Praise)> = Vec::new();
    let mut named_by: Vec<Praise> = Vec::new();
    let mut seen = HashSet::new();
    let mut seen_in_theme: HashSet<(String, String)> = HashSet::new();
    for (d, sources) in documents {
        if !filter.keeps_document(d) {
            continue;
        }
        let Some(c) = d.council.as_ref() else { continue };
        let source = sources.first().cloned().unwrap_or_default();
        let mine = c.name == me.name;
        // The same review in another published form (text, web page, PDF, a council's copy
        // under its own title): the same title, or findings in common, in the same year.
        let keys: HashSet<String> = if mine { d.findings.iter().map(|f| finding_key(&c.name, d.review_year, &f.text)).collect() } else { HashSet::new() };
        let same = if mine { docs.iter().zip(&doc_keys).position(|(x, k): (&DocumentSummary, &HashSet<String>)| x.year == d.review_year && (x.title == d.title || !k.is_disjoint(&keys))) } else { None };
        if let Some(i) = same {
            let same = &mut docs[i];
            same.sources.extend(sources.iter().cloned());
            same.findings = same.findings.max(d.findings.len());
            doc_keys[i].extend(keys);
        } else if mine {
            doc_keys.push(keys);
            docs.push(DocumentSummary {
                title: d.title.clone(),
                year: d.review_year,
                doc_kind: d.doc_kind.as_str().into(),
                review_type: d.review_type.as_str().into(),
                service: d.service.as_str().into(),
                findings: d.findings.len(),
                sources: sources.to_vec(),
            });
        }
        for f in d.findings.iter().filter(|f| filter.keeps_finding(f)) {
            let key = finding_key(&c.name, d.review_year, &f.text);
            let first_copy = seen.insert(key.clone());
            // Under each theme any of its copies carries, as `themes` and a search count it.
            for t in f.themes.iter().filter(|t| seen_in_theme.insert((key.clone(), (*t).clone()))) {
                *vectors.entry(c.name.clone()).or_default().entry((t.clone(), kind_slot(f.kind))).or_default() += 1.0;
                if mine {
                    let entry = themes.entry(t.clone()).or_insert_with(|| ThemeFindings { theme: t.clone(), label: label(t), counts: [0; 4], findings: Vec::new() });
                    entry.counts[kind_slot(f.kind)] += 1;
                    entry.findings.push(ProfileFinding { kind: f.kind, text: f.text.clone(), year: d.review_year, source: source.clone(), start: f.start });
                    if matches!(f.kind, FindingKind::AreaForDevelopment | FindingKind::Recommendation) {
                        if let Some(y) = d.review_year {
                            flagged_years.entry(t.clone()).or_default().insert(y);
                        }
                    }
                } else if f.kind == FindingKind::Strength {
                    praised.entry(t.clone()).or_default().push(Praise { council: c.name.clone(), text: f.text.clone(), source: source.clone(), start: f.start });
                }
            }
            if first_copy && f.kind == FindingKind::BestPractice {
                let target = f.council.clone().unwrap_or_default();
                if !mine && (target == me.name || f.also.contains(&me.name)) {
                    named_by.push(Praise { council: c.name.clone(), text: f.text.clone(), source: source.clone(), start: f.start });
                }
                if target != me.name {
                    pointers.push((f.themes.clone(), Praise { council: target, text: f.text.clone(), source: source.clone(), start: f.start }));
                }
            }
        }
    }
    let mut themes: Vec<ThemeFindings> = themes.into_values().collect();
    themes.sort_by(|a, b| b.counts.iter().sum::<usize>().cmp(&a.counts.iter().sum::<usize>()).then(a.theme.cmp(&b.theme)));
    let repeated = flagged_years
        .into_iter()
        .filter(|(_, ys)| ys.len() > 1)
        .map(|(t, ys)| {
            let years: Vec<i32> = ys.into_iter().collect();
            let (last, before) = years.split_last().map_or((0, &[][..]), |(l, b)| (*l, b));
            let before: Vec<String> = before.iter().map(|y| y.to_string()).collect();
            Repeat { label: label(&t), summary: format!("flagged again in {last} after {}", before.join(", ")), theme: t, years }
        })
        .collect();
    let comparators = comparators(me, &vectors, councils);
    let learn_from = themes
        .iter()
        .filter(|t| t.counts[1] + t.counts[2] > 0)
        .map(|t| LearnFrom {
            theme: t.theme.clone(),
            label: t.label.clone(),
            praised: first_per_council(praised.get(&t.theme).cloned().unwrap_or_default(), 5),
            pointers: pointers.iter().filter(|(ts, _)| ts.contains(&t.theme)).map(|(_, p)| p.clone()).take(5).collect(),
        })
        .filter(|l| !l.praised.is_empty() || !l.pointers.is_empty())
        .collect();
    // Reviews over time; those of an unknown year after them.
    docs.sort_by(|a, b| (a.year.is_none(), a.year, &a.title).cmp(&(b.year.is_none(), b.year, &b.title)));
    Some(CouncilProfile { council: CouncilRef::from(me), la_type: me.la_type.clone(), former: me.former.clone(), documents: docs, themes, repeated, comparators, learn_from, named_by })
}

fn first_per_council(list: Vec<Praise>, n: usize) -> Vec<Praise> {
    let mut seen = HashSet::new();
    list.into_iter().filter(|p| seen.insert(p.council.clone())).take(n).collect()
}

/// Reviewed councils in the same region and of the same type, then the most similar by
/// findings (cosine of theme-by-kind counts).
fn comparators(me: &peerscope_model::Council, vectors: &HashMap<String, Vector>, councils: &Councils) -> Vec<Comparator> {
    let mine = vectors.get(&me.name).cloned().unwrap_or_default();
    let mut out: Vec<Comparator> = Vec::new();
    let mut others: Vec<(&String, f32)> = vectors.iter().filter(|(n, _)| **n != me.name).map(|(n, v)| (n, cosine(&mine, v))).collect();
    others.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    for (name, sim) in &others {
        if let Some(c) = councils.lookup(name) {
            if c.region == me.region && c.la_type == me.la_type {
                out.push(Comparator { council: CouncilRef::from(c), basis: "same region and type".into(), similarity: round(*sim) });
            }
        }
    }
    for (name, sim) in others.iter().filter(|(_, s)| *s > 0.0).take(5) {
        if out.iter().any(|c| &c.council.name == *name) {
            continue;
        }
        if let Some(c) = councils.lookup(name) {
            out.push(Comparator { council: CouncilRef::from(c), basis: "similar findings".into(), similarity: round(*sim) });
        }
    }
    out
}

/// To three places, never below zero: a cosine of counts is not, but a float sum of no
/// terms is -0.0, which was shown as "-0.00" (and `max(0.0)` may keep it).
fn round(x: f32) -> f32 {
    let r = (x * 1000.0).round() / 1000.0;
    if r <= 0.0 { 0.0 } else { r }
}

fn cosine(a: &Vector, b: &Vector) -> f32 {
    let dot: f32 = a.iter().filter_map(|(k, x)| b.get(k).map(|y| x * y)).sum();
    let norm = |v: &Vector| v.values().map(|x| x * x).sum::<f32>().sqrt();
    let n = norm(a) * norm(b);
    if n == 0.0 {
        0.0
    } else {
        dot / n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: two councils with no theme in common showed "similarity -0.00".
    #[test]
    fn no_theme_in_common_is_a_similarity_of_plain_zero() {
        let a: Vector = [(("carers".to_string(), 0), 2.0)].into_iter().collect();
        let b: Vector = [(("workforce".to_string(), 1), 3.0)].into_iter().collect();
        let s = round(cosine(&a, &b));
        assert!(s == 0.0 && s.is_sign_positive(), "{s:?}");
        assert!(round(-0.0).is_sign_positive());
        assert_eq!(round(0.64449), 0.644);
    }
}
