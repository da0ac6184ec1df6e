//! Recurring themes across councils: for each theme, how many councils and findings, split
//! by kind, with an example finding and the councils under it (`peerscope themes`). A
//! finding published in several forms of one review (text, web page, PDF) counts once.
//!
//! Two axes: the CQC assessment framework (its four themes, each counting a finding once
//! however many of its quality statements the finding touches, then the nine statements)
//! and the sector's topics. No axis has two themes for one idea, so a finding is counted
//! once per idea; the axes are shown apart and never summed.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use peerscope_model::{Document, FindingKind, Taxonomy};
use serde::Serialize;

use crate::filter::{finding_key, Filter};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RecurringTheme {
    pub theme: String,
    pub label: String,
    /// "cqc-theme" (one of the framework's four), "quality-statement" or "topic".
    pub level: &'static str,
    /// For a quality statement, the CQC theme it falls under.
    pub group: String,
    /// Councils with at least one finding on the theme, by name.
    pub councils: Vec<String>,
    pub findings: usize,
    pub strengths: usize,
    pub areas_for_development: usize,
    pub recommendations: usize,
    pub best_practice: usize,
    /// A finding on the theme (an area for development or recommendation when there is one).
    pub example: Option<Example>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Example {
    pub council: String,
    pub kind: FindingKind,
    pub text: String,
    pub year: Option<i32>,
    pub source: String,
}

/// Per theme: the councils it was found for, findings by kind, an example and how it
/// ranks as one (praise, number of themes: lower is better).
#[derive(Default)]
struct ThemeTally {
    councils: BTreeSet<String>,
    by_kind: [usize; 4],
    example: Option<Example>,
    example_rank: Option<(bool, usize)>,
}

/// How many findings [`recurring`] leaves out because a year filter is set and their
/// review's year is not known (each counted once by council and words, as the table
/// counts). Regression: `themes --since 2022` dropped Bexley's 57 without a word.
pub fn undated_left_out<'a>(documents: impl IntoIterator<Item = (&'a Document, &'a [String])>, filter: &Filter) -> usize {
    if filter.since.is_none() && filter.until.is_none() {
        return 0;
    }
    let any_year = Filter { since: None, until: None, ..filter.clone() };
    let mut seen: HashSet<String> = HashSet::new();
    for (d, _) in documents {
        if d.review_year.is_some() || !any_year.keeps_document(d) {
            continue;
        }
        let council = d.council.as_ref().map_or("", |c| c.name.as_str());
        for f in d.findings.iter().filter(|f| filter.keeps_finding(f)) {
            seen.insert(finding_key(council, d.review_year, &f.text));
        }
    }
    seen.len()
}

/// Themes in order of how many councils they recur across, then how many findings.
pub fn recurring<'a>(documents: impl IntoIterator<Item = (&'a Document, &'a [String])>, filter: &Filter, taxonomy: &Taxonomy) -> Vec<RecurringTheme> {
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut table: BTreeMap<String, ThemeTally> = BTreeMap::new();
    for (d, sources) in documents {
        if !filter.keeps_document(d) {
            continue;
        }
        // A finding of no known council is counted (the answers and the export count it) but
        // recurs across no council and is no theme's example.
        let council = d.council.as_ref().map(|c| c.name.clone());
        for f in d.findings.iter().filter(|f| filter.keeps_finding(f)) {
            let key = finding_key(council.as_deref().unwrap_or(""), d.review_year, &f.text);
            // A finding touching two statements of one CQC theme counts once for the theme.
            let mut cqc: Vec<String> = f.themes.iter().filter_map(|t| taxonomy.get(t)).filter_map(|t| taxonomy.cqc_theme(t)).map(|c| c.id.clone()).collect();
            cqc.sort();
            cqc.dedup();
            // Once per theme any of its copies carries, as a search by theme finds it (a
            // PDF copy whose tail names the budget is tagged with finance; its text copy
            // was counted first, without it, and the cell said one fewer than its search).
            for t in f.themes.iter().chain(&cqc).filter(|t| seen.insert((key.clone(), (*t).clone()))) {
                let entry = table.entry(t.clone()).or_default();
                entry.by_kind[kind_slot(f.kind)] += 1;
                let Some(council) = &council else { continue };
                entry.councils.insert(council.clone());
                // The example: a concern before praise, and the finding most about this
                // theme (fewest themes) before one tagged with everything it touches (one
                // finding of six themes was the example of nine).
                let rank = (f.kind == FindingKind::Strength, f.themes.len());
                if entry.example_rank.is_none_or(|best| rank < best) {
                    entry.example = Some(Example { council: council.clone(), kind: f.kind, text: f.text.clone(), year: d.review_year, source: sources.first().cloned().unwrap_or_default() });
                    entry.example_rank = Some(rank);
                }
            }
        }
    }
    let mut out: Vec<RecurringTheme> = table
        .into_iter()
        .map(|(id, ThemeTally { councils, by_kind: k, example, .. })| {
            let theme = taxonomy.get(&id);
            let cqc_theme = taxonomy.cqc_themes.iter().find(|c| c.id == id);
            let level = match (theme, cqc_theme) {
                (_, Some(_)) => "cqc-theme",
                (Some(t), None) if taxonomy.axis(t) == peerscope_model::Axis::Cqc => "quality-statement",
                _ => "topic",
            };
            RecurringTheme {
                label: cqc_theme.map(|c| c.label.clone()).or_else(|| theme.map(|t| t.label.clone())).unwrap_or_else(|| id.clone()),
                level,
                group: theme.filter(|_| level == "quality-statement").map(|t| t.group.clone()).unwrap_or_default(),
                theme: id,
                councils: councils.into_iter().collect(),
                findings: k.iter().sum(),
                strengths: k[0],
                areas_for_development: k[1],
                recommendations: k[2],
                best_practice: k[3],
                example,
            }
        })
        .collect();
    out.sort_by(|a, b| b.councils.len().cmp(&a.councils.len()).then(b.findings.cmp(&a.findings)).then(a.theme.cmp(&b.theme)));
    out
}

pub(crate) fn kind_slot(k: FindingKind) -> usize {
    match k {
        FindingKind::Strength => 0,
        FindingKind::AreaForDevelopment => 1,
        FindingKind::Recommendation => 2,
        FindingKind::BestPractice => 3,
    }
}

/// Findings counted by region and review year; `None`: the review's year is not known.
pub type RegionYearCells = BTreeMap<(String, Option<i32>), usize>;

/// Findings the filter keeps, counted by region and review year (the themes page's heat
/// map); each finding once however many forms of its review were published. Documents with
/// no council or region are not counted; those with no year are, under `None` (left out,
/// a region's findings looked fewer than its search found).
pub fn by_region_and_year<'a>(documents: impl IntoIterator<Item = (&'a Document, &'a [String])>, filter: &Filter) -> RegionYearCells {
    let mut seen: HashSet<String> = HashSet::new();
    let mut cells = RegionYearCells::new();
    for (d, _) in documents {
        if !filter.keeps_document(d) {
            continue;
        }
        let Some(c) = d.council.as_ref() else { continue };
        let year = d.review_year;
        let Some(region) = c.region.clone() else { continue };
        for f in d.findings.iter().filter(|f| filter.keeps_finding(f)) {
            if seen.insert(finding_key(&c.name, year, &f.text)) {
                *cells.entry((region.clone(), year)).or_default() += 1;
            }
        }
    }
    cells
}
