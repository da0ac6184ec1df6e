//! Questions to answers: read the intent, search the findings index, rank councils by the
//! evidence, and add best-practice pointers (explicit pointers to other councils' practice,
//! and councils with strengths on the same topic). No HTTP, no terminal: callers render.

pub mod export;
pub mod facets;
pub mod filter;
pub mod intent;
pub mod profile;
pub mod recurring;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use peerscope_index::{Candidate, FindingIndex, Hit, IndexError, Search};
use peerscope_model::{CouncilRef, Councils, FindingKind, Taxonomy};
use serde::Serialize;

pub use facets::{Facet, FacetValue};
pub use filter::Filter;
pub use intent::{parse, Intent};

/// Flags add to what was typed.
fn merge(into: &mut Filter, flags: &Filter) {
    let add = |into: &mut Vec<String>, from: &[String]| into.extend(from.iter().filter(|x| !into.contains(x)).cloned().collect::<Vec<_>>());
    add(&mut into.councils, &flags.councils);
    add(&mut into.regions, &flags.regions);
    for group in &flags.themes {
        if !into.themes.contains(group) {
            into.themes.push(group.clone());
        }
    }
    add(&mut into.theme_labels, &flags.theme_labels);
    into.since = flags.since.or(into.since);
    into.until = flags.until.or(into.until);
    for t in &flags.review_types {
        if !into.review_types.contains(t) {
            into.review_types.push(*t);
        }
    }
    for s in &flags.services {
        if !into.services.contains(s) {
            into.services.push(*s);
        }
    }
    for k in &flags.doc_kinds {
        if !into.doc_kinds.contains(k) {
            into.doc_kinds.push(*k);
        }
    }
    into.all_services |= flags.all_services;
    into.min_confidence = flags.min_confidence.or(into.min_confidence);
}

/// A council's findings past those shown ([`Answer::more_of`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct More {
    /// Matching findings not shown.
    pub more: usize,
    /// Matching findings in all.
    pub all: usize,
    /// The question is about this council alone: a page shows [`OF_ONE_COUNCIL`] of its
    /// findings, the best first, and the next page the next ones.
    pub alone: bool,
    /// Matching findings on earlier pages (asked about alone).
    pub before: usize,
    /// Asked about alone, all of them would be shown.
    pub all_when_alone: bool,
}

/// Findings fetched from the index before grouping by council.
pub const CANDIDATES: usize = 1000;
/// Best-practice and strength findings fetched for the "who to learn from" list.
const POINTER_CANDIDATES: usize = 100;
/// Findings shown per council, and the number of a council's best findings its score sums.
const PER_COUNCIL: usize = 5;
/// Findings shown when the question names one council: all of them, up to this many.
pub const OF_ONE_COUNCIL: usize = 50;

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("empty query: say what you are looking for, e.g. \"councils flagged for review performance\"")]
    Empty,
    #[error("nothing to look for in {0:?}: name a topic (\"carers\", \"review performance\"), a \"quoted phrase\", or a filter such as a council or a region")]
    NoTopic(String),
    #[error("reviews from {0} to {1}: the first year is after the second")]
    YearsReversed(i32, i32),
}

/// The answer to one query (the `query --json` contract).
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub query: String,
    pub intent: Intent,
    pub councils: Vec<CouncilEvidence>,
    /// How many councils have matching findings (`councils` is one page of them).
    pub councils_total: usize,
    /// How many of them come before this page.
    pub offset: usize,
    /// The matching findings counted by region, council, year, kind, theme, review type,
    /// service and document kind: each value a filter that narrows the answer.
    pub facets: Vec<Facet>,
    /// How many matching findings the facets count: the best [`CANDIDATES`] at most.
    pub findings_counted: usize,
    pub best_practice: Vec<Pointer>,
    /// Words of the question that no finding holds and no theme stands for ("payroll"):
    /// then nothing is listed rather than councils matched on the question's other words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmatched: Vec<String>,
    /// Words no theme stands for that findings hold, but none together with the rest of
    /// the question ("benefit" in "housing benefit backlog").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_together: Vec<String>,
    /// Councils an unmatched word, or one that matches nothing together with the rest, is
    /// nearly the name of ("torbey" → Torbay, "walsal" → Walsall).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub did_you_mean: Vec<String>,
    /// Words that matched nothing as the themes' words nearly spell them ("safegaurding" →
    /// "safeguarding"), so a mistyped topic gets a question to try, not only a no.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub respelt: Vec<Respelling>,
    /// Findings that match but whose review's year is not known, left out by a year filter
    /// (`--since`, `--until`, "since 2020"): said, so they do not vanish without a word.
    #[serde(skip_serializing_if = "is_zero")]
    pub undated_left_out: usize,
    /// Councils the question asks about of which no finding is held (no document of their
    /// reviews has been read).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_held: Vec<String>,
    /// Councils the question asks about whose documents are held but hold no finding (a
    /// copy cut short, a page that only mentions the review). Regression: they were said
    /// to have no document ingested.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub held_without_findings: Vec<String>,
    /// Matching findings of documents whose reviewed council is not known: counted in
    /// `findings_counted` and the facets, in the downloads, but under no council here.
    /// Regression: the page counted 7 and listed 5 without a word.
    #[serde(skip_serializing_if = "is_zero")]
    pub without_council: usize,
}

/// A word of the question that matched nothing, and the theme word it nearly is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Respelling {
    pub typed: String,
    pub meant: String,
}

impl Respelling {
    /// The question asked again with the word respelt (whole words, in any case).
    pub fn question(&self, query: &str) -> String {
        query.split_inclusive(|c: char| !c.is_alphanumeric()).map(|w| {
            let word = w.trim_end_matches(|c: char| !c.is_alphanumeric());
            if word.eq_ignore_ascii_case(&self.typed) { format!("{}{}", self.meant, &w[word.len()..]) } else { w.to_string() }
        }).collect()
    }
}

/// What is said of the `n` matching findings listed under no council.
pub fn without_council(n: usize) -> String {
    let (s, are) = if n == 1 { ("", "is") } else { ("s", "are") };
    format!("{n} matching finding{s} of documents whose council is not known {are} counted but listed under no council; the downloads hold them.")
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// What is said of the `n` findings of no known review year a year filter left out, `how`
/// ("by the year filter", "by --since/--until").
pub fn undated_left_out(n: usize, how: &str) -> String {
    let (s, are) = if n == 1 { ("", "is") } else { ("s", "are") };
    format!("{n} matching finding{s} of no known review year {are} left out {how}.")
}

/// The suggested councils a word of the question names exactly ("kent" → Kent).
fn typed_exactly<'a>(suggested: &'a [String], words: &'a [String]) -> impl Iterator<Item = &'a String> {
    suggested.iter().filter(|name| words.iter().any(|w| w.eq_ignore_ascii_case(name)))
}

/// What an answer says of the councils a question names or nearly names ([`Answer::suggestions`]).
pub struct Suggestions<'a> {
    /// Named, and no document of theirs is held.
    pub not_held: Vec<&'a str>,
    /// Named, and their documents are held but hold no finding.
    pub without_findings: Vec<&'a str>,
    /// Nearly named by a word that matched nothing.
    pub near: Vec<&'a str>,
}

/// Said of a council whose documents are held but hold no finding.
pub fn held_without_findings(name: &str) -> String {
    format!("{name}'s documents are held, but no finding was read from them (a copy cut short, or a page that only mentions the review)")
}

impl Answer {
    /// The councils asked about of which nothing is held, and those suggested for a word
    /// that matched nothing ("walsal" → Walsall; "kent" → Kent when Kent's findings are
    /// held): "Did you mean Kent?" to someone who typed "kent" and of which nothing is held
    /// helped no one.
    pub fn suggestions(&self) -> Suggestions<'_> {
        let near = self.did_you_mean.iter().filter(|n| !self.not_held.contains(n) && !self.held_without_findings.contains(n)).map(String::as_str).collect();
        Suggestions { not_held: self.not_held.iter().map(String::as_str).collect(), without_findings: self.held_without_findings.iter().map(String::as_str).collect(), near }
    }

    /// Whether to send the asker to the themes table: the question asks for recurring
    /// themes and its words found nothing together.
    /// What is said of a council's findings past those shown: how many more, and whether
    /// asking about it alone shows them all or only the best [`OF_ONE_COUNCIL`].
    pub fn more_of(&self, c: &CouncilEvidence) -> Option<More> {
        let shown = c.findings.len();
        if c.matched <= shown {
            return None;
        }
        let alone = self.intent.filter.councils.len() == 1 && self.intent.filter.councils[0] == c.council.name;
        Some(More { more: c.matched - shown, all: c.matched, alone, before: c.first, all_when_alone: c.matched <= OF_ONE_COUNCIL })
    }

    /// Whether a next page holds more: more councils, or, asked about one council, more of
    /// its findings.
    pub fn more_pages(&self) -> bool {
        self.offset + self.councils.len() < self.councils_total || self.councils.iter().any(|c| c.first + c.findings.len() < c.matched && self.intent.filter.councils.len() == 1)
    }

    pub fn points_to_themes(&self) -> bool {
        self.intent.asks_for_themes() && (!self.unmatched.is_empty() || !self.not_together.is_empty())
    }
}

/// A council and the findings that put it in the answer.
#[derive(Debug, Clone, Serialize)]
pub struct CouncilEvidence {
    pub council: CouncilRef,
    pub score: f32,
    /// How many findings matched in all (more than are listed).
    pub matched: usize,
    /// How many of them come before those listed (on earlier pages: asked about one
    /// council, pages go through its findings).
    #[serde(skip_serializing_if = "is_zero")]
    pub first: usize,
    pub findings: Vec<Evidence>,
}

/// One finding with its provenance.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    /// The id of the document it is from, and its number there: where to read it in place.
    pub document: String,
    pub finding: u64,
    pub kind: FindingKind,
    pub text: String,
    /// The text with matched words marked `**like this**`.
    pub highlighted: String,
    pub section: String,
    pub themes: Vec<String>,
    pub title: String,
    pub year: Option<u64>,
    pub source: String,
    pub start: u64,
    pub end: u64,
    /// How sure the reader is that this is a finding of this kind (0–1).
    pub confidence: f32,
    /// The same finding in other published forms of the document (HTML, PDF, text).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_in: Vec<String>,
}

/// A council worth learning from, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Pointer {
    pub council: CouncilRef,
    pub text: String,
    /// "pointer": another council's review named it; "strength": its own review praised it.
    pub basis: &'static str,
    /// The reviewed council of the document the text is from.
    pub from: String,
    pub title: String,
    pub year: Option<u64>,
    pub source: String,
    /// The id of the document it is from, its number and where it starts there.
    pub document: String,
    pub finding: u64,
    pub start: u64,
}

/// Which of a council's distinct findings, best first, an answer lists.
#[derive(Debug, Clone, Copy)]
struct Window {
    skip: usize,
    take: usize,
}

/// Which councils of the ranking an answer lists. Asked about one council, an answer lists
/// the page's [`OF_ONE_COUNCIL`] of its findings instead (`offset / limit` pages in).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Page {
    /// Councils skipped (those of earlier pages).
    pub offset: usize,
    /// Councils listed.
    pub limit: usize,
}

pub struct Engine<'a> {
    pub index: &'a FindingIndex,
    pub councils: &'a Councils,
    pub taxonomy: &'a Taxonomy,
}

impl Engine<'_> {
    pub fn answer(&self, query: &str, limit: usize) -> Result<Answer, QueryError> {
        self.answer_filtered(query, &Filter::default(), limit)
    }

    /// Answer `query` with the filters typed in it and those in `flags` (flags add to them;
    /// kinds in `flags` replace the intent's).
    pub fn answer_filtered(&self, query: &str, flags: &Filter, limit: usize) -> Result<Answer, QueryError> {
        self.answer_page(query, flags, Page { offset: 0, limit })
    }

    /// [`Engine::answer_filtered`], listing the councils of one `page` of the ranking.
    pub fn answer_page(&self, query: &str, flags: &Filter, page: Page) -> Result<Answer, QueryError> {
        Ok(self.answer_and_candidates(query, flags, Some(page))?.0)
    }

    /// The findings of a search as export rows, best first: the web page's downloads and
    /// feed. Every kind asked for, best practice too (which `findings_counted` does not
    /// count: it ranks no council); the best [`CANDIDATES`].
    pub fn matching_rows(&self, query: &str, flags: &Filter) -> Result<Vec<export::FindingRow>, QueryError> {
        // Rows only: no ranking, facets or pointers are worked out for them.
        let (_, candidates) = self.answer_and_candidates(query, flags, None)?;
        let all: Vec<&Candidate> = candidates.iter().collect();
        let hits = self.index.load(&all)?;
        let mut rows: Vec<export::FindingRow> = candidates.iter().zip(&hits).map(|(c, h)| export::FindingRow::found(c, h)).collect();
        // Each document's published address, read once per document.
        let mut urls: HashMap<String, String> = HashMap::default();
        for r in &mut rows {
            if !urls.contains_key(&r.document_id) {
                let url = export::published_at(self.index.document_url(&r.document_id)?.as_deref(), &r.source);
                urls.insert(r.document_id.clone(), url);
            }
            r.url = urls.get(&r.document_id).cloned().unwrap_or_default();
        }
        Ok(export::fold_copies(rows, false))
    }

    /// The answer and the candidates it ranked; with no `page`, the candidates alone (the
    /// answer then lists nothing).
    fn answer_and_candidates(&self, query: &str, flags: &Filter, page: Option<Page>) -> Result<(Answer, Vec<Candidate>), QueryError> {
        // Filters alone are a question ("every finding in the North West in 2019"); nothing
        // at all is not.
        if query.trim().is_empty() && *flags == Filter::default() {
            return Err(QueryError::Empty);
        }
        let mut intent = intent::parse_with(query, self.taxonomy, Some(self.councils));
        merge(&mut intent.filter, flags);
        if let (Some(since), Some(until)) = (intent.filter.since, intent.filter.until) {
            if since > until {
                return Err(QueryError::YearsReversed(since, until));
            }
        }
        if !flags.kinds.is_empty() {
            intent.kinds = flags.kinds.clone();
        }
        // A kind alone ("areas for development", `--kind strength`) is something to list.
        let some_kinds = intent.kinds.len() < FindingKind::ALL.len();
        if intent.topic.is_empty() && intent.phrases.is_empty() && intent.filter.themes.is_empty() && intent.filter == Filter::default() && !some_kinds {
            return Err(QueryError::NoTopic(query.to_string()));
        }
        // A word that names no theme must be in what is listed, and if no finding holds it
        // the answer is that: "payroll audit" is not answered by audit findings.
        let words = intent::content_words(&intent.topic);
        let themes_of = |w: &String| self.themes_for_word(w, &words);
        let distinctive: Vec<String> = words.iter().filter(|w| themes_of(w).is_empty()).cloned().collect();
        let unmatched: Vec<String> = distinctive.iter().filter(|w| peerscope_index::analyzer::terms(w).iter().all(|t| self.index.doc_freq(t) == 0)).cloned().collect();
        if !unmatched.is_empty() {
            let did_you_mean = self.councils_near(&unmatched);
            let respelt = unmatched.iter().filter_map(|w| self.taxonomy.nearly_worded(w).map(|meant| Respelling { typed: w.clone(), meant })).collect();
            let (not_held, held_without_findings) = self.not_held(typed_exactly(&did_you_mean, &unmatched).collect())?;
            let answer = Answer { query: query.to_string(), intent, councils: Vec::new(), councils_total: 0, offset: 0, facets: Vec::new(), findings_counted: 0, best_practice: Vec::new(), did_you_mean, respelt, unmatched, not_together: Vec::new(), undated_left_out: 0, not_held, held_without_findings, without_council: 0 };
            return Ok((answer, Vec::new()));
        }
        let f = &intent.filter;
        let search = |kinds: Vec<FindingKind>| Search {
            text: intent.topic.clone(),
            // The question's themes put a finding on its topic; a theme filter ("--theme
            // carers", a facet) keeps only findings carrying it and puts none on the topic:
            // "councils flagged for waiting lists" narrowed to finance is the waiting-list
            // findings about finance, not every finance finding.
            themes: intent.themes.clone(),
            only_themes: f.themes.clone(),
            kinds,
            // A service asked for by name is asked for whether or not it is adult social care.
            all_documents: f.all_services || !f.services.is_empty(),
            phrases: intent.phrases.clone(),
            councils: f.councils.clone(),
            regions: f.regions.clone(),
            years: (f.since.is_some() || f.until.is_some()).then(|| (f.since.unwrap_or(1990).max(0) as u64, f.until.unwrap_or(2100).max(0) as u64)),
            review_types: f.review_types.iter().map(|t| t.as_str().to_string()).collect(),
            services: f.services.iter().map(|t| t.as_str().to_string()).collect(),
            doc_kinds: f.doc_kinds.iter().map(|t| t.as_str().to_string()).collect(),
            min_confidence: f.min_confidence,
            required: Vec::new(),
            limit: CANDIDATES,
        };
        // With a word no theme stands for, every word must be met, by itself or its theme:
        // "housing benefit backlog" is not answered by any finding about backlogs.
        let required: Vec<(String, Vec<String>)> = if distinctive.is_empty() {
            Vec::new()
        } else {
            words.iter().map(|w| (w.clone(), themes_of(w))).collect()
        };
        let search = |kinds: Vec<FindingKind>| Search { required: required.clone(), ..search(kinds) };
        // Pointers name other councils: they are findings of the review that made them, so
        // they are counted and listed under its council (as the themes table and a
        // council's page count them), but add nothing to its rank unless they are all
        // that is asked for ([`kind_weight`]).
        let ranking_kinds = intent.kinds.clone();
        let terms = peerscope_index::analyzer::terms(&intent.topic);
        let Some(page) = page else {
            // The rows of a download: every kind asked for, best practice too (it ranks no
            // council, but a download holds what the page shows under "who to learn from").
            let candidates = self.index.candidates(&search(intent.kinds.clone()))?;
            let answer = Answer { query: query.to_string(), intent, councils: Vec::new(), councils_total: 0, offset: 0, facets: Vec::new(), findings_counted: candidates.len(), best_practice: Vec::new(), unmatched: Vec::new(), not_together: Vec::new(), did_you_mean: Vec::new(), respelt: Vec::new(), undated_left_out: 0, not_held: Vec::new(), held_without_findings: Vec::new(), without_council: 0 };
            return Ok((answer, candidates));
        };
        // One pass finds what the answer ranks and what it points to: best practice on the
        // topic and, when the question is not about praise, the councils praised for it
        // (anywhere: a question's council or region filter does not hold for them, so they
        // share the pass only when there is none).
        let praised = intent.kinds != [FindingKind::Strength] && !intent.topic.is_empty();
        let praised_here = praised && f.councils.is_empty() && f.regions.is_empty();
        let mut buckets = vec![(ranking_kinds.clone(), CANDIDATES), (vec![FindingKind::BestPractice], POINTER_CANDIDATES)];
        if praised_here {
            buckets.push((vec![FindingKind::Strength], POINTER_CANDIDATES));
        }
        let (found, undated_seen) = self.index.candidates_by_kind_and_undated(&search(Vec::new()), &buckets)?;
        let mut found = found.into_iter();
        let candidates = found.next().unwrap_or_default();
        let pointing = found.next().unwrap_or_default();
        let strengths = match (praised, found.next()) {
            (false, _) => Vec::new(),
            (true, Some(shared)) => shared,
            (true, None) => {
                let anywhere = Search { councils: Vec::new(), regions: Vec::new(), limit: POINTER_CANDIDATES, ..search(vec![FindingKind::Strength]) };
                self.index.candidates(&anywhere)?
            }
        };
        // Asked about one council, the answer lists its findings, not only the best five,
        // and its pages go through them (regression: the 51st was out of reach).
        let (page, shown) = if f.councils.len() == 1 {
            (Page { offset: 0, ..page }, Window { skip: page.offset / page.limit.max(1) * OF_ONE_COUNCIL, take: OF_ONE_COUNCIL })
        } else {
            (page, Window { skip: 0, take: PER_COUNCIL })
        };
        let (councils, councils_total) = self.rank(&candidates, &ranking_kinds, &terms, page, shown)?;
        let distinct = facets::distinct(&candidates);
        let facets = facets::count(&candidates, &distinct, self.taxonomy);
        let findings_counted = distinct.len();
        let without_council = distinct.iter().filter(|c| c.council.is_empty()).count();
        let mut best_practice = self.pointers(&pointing, &strengths, &terms, page.limit)?;
        // A council flagged in this answer is not who to learn from on the same topic.
        best_practice.retain(|p| p.basis != "strength" || !councils.iter().any(|c| c.council.name == p.council.name));
        let not_together = if councils.is_empty() && best_practice.is_empty() { distinctive } else { Vec::new() };
        // A misspelt council may still match some words ("Walsal" stems as "Walsall" does).
        let did_you_mean = self.councils_near(&not_together);
        // A council asked about whose findings none are held is said to be so, not only
        // that nothing matches ("carers in Kent" with no Kent document read).
        let asked: Vec<&String> = if councils.is_empty() { f.councils.iter().chain(typed_exactly(&did_you_mean, &not_together)).collect() } else { Vec::new() };
        let (not_held, held_without_findings) = self.not_held(asked)?;
        // Gathered as the search went (the ranked kinds' matches without a year).
        let undated_left_out = undated_seen;
        let answer = Answer { query: query.to_string(), intent, councils, councils_total, offset: page.offset, facets, findings_counted, best_practice, unmatched: Vec::new(), not_together, did_you_mean, respelt: Vec::new(), undated_left_out, not_held, held_without_findings, without_council };
        Ok((answer, candidates))
    }

    /// The themes that stand for `word` of a question's `words`: those it names, and those
    /// the question names whose label holds it ("shaping" in "market shaping").
    fn themes_for_word(&self, word: &String, words: &[String]) -> Vec<String> {
        let mut themes: Vec<String> = self.taxonomy.themes_named_by(std::slice::from_ref(word)).into_iter().map(|t| t.id.clone()).collect();
        for t in self.taxonomy.themes_named_by(words) {
            let in_label = t.label.to_lowercase().split(|c: char| !c.is_alphanumeric() && c != '-').any(|l| l == word);
            if in_label && !themes.contains(&t.id) {
                themes.push(t.id.clone());
            }
        }
        themes
    }

    fn council_ref(&self, name: &str) -> CouncilRef {
        self.councils.lookup(name).map(CouncilRef::from).unwrap_or_else(|| CouncilRef { name: name.to_string(), gss_code: None, region: None })
    }

    /// The councils some words are nearly the names of: a misspelt council is a word no
    /// finding holds.
    /// Of the councils `names`, those of which the index holds no finding: first those of
    /// which it holds no document, then those whose documents hold no finding.
    fn not_held(&self, names: Vec<&String>) -> Result<(Vec<String>, Vec<String>), QueryError> {
        let (mut none, mut empty): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
        for name in names {
            let any = Search { councils: vec![name.clone()], all_documents: true, limit: 1, ..Search::default() };
            if none.contains(name) || empty.contains(name) || !self.index.candidates(&any)?.is_empty() {
                continue;
            }
            if self.index.holds_document_of(name)? { empty.push(name.clone()) } else { none.push(name.clone()) }
        }
        Ok((none, empty))
    }

    fn councils_near(&self, words: &[String]) -> Vec<String> {
        let mut near: Vec<String> = words.iter().filter_map(|w| self.councils.nearly_named(w)).map(|c| c.name.clone()).collect();
        near.dedup();
        near
    }

    /// Group candidates by reviewed council; a council's score is its best distinct findings'
    /// scores summed. Only the findings shown are read from the index's store.
    /// Returns one page of councils and how many there are in all.
    fn rank(&self, candidates: &[Candidate], kinds: &[FindingKind], terms: &[String], page: Page, window: Window) -> Result<(Vec<CouncilEvidence>, usize), QueryError> {
        let weight = |c: &Candidate| c.score * kind_weight(kinds, &c.kind) * recency(c.year);
        let mut by_council: HashMap<&str, Vec<&Candidate>> = HashMap::default();
        for c in candidates.iter().filter(|c| !c.council.is_empty()) {
            by_council.entry(&*c.council).or_default().push(c);
        }
        // A council's pointers after its own findings: they are shown when it has few.
        for cs in by_council.values_mut() {
            cs.sort_by_key(|c| kind_weight(kinds, &c.kind) == 0.0);
        }
        // The same finding in several published forms (a report's PDF and its HTML) has one
        // text key: count it once. Not by score: with no words to rank by, every finding
        // scores the same, and a council's findings counted as one.
        let copy_of = |c: &Candidate| c.copy_key().map_or((false, u64::from(c.score.to_bits()), None), |(k, year)| (true, k, year));
        let distinct = |cs: &[&Candidate]| {
            let mut seen = HashSet::default();
            cs.iter().filter(|c| seen.insert(copy_of(c))).count()
        };
        let mut ranked: Vec<(&str, f32, usize)> = by_council
            .iter()
            .map(|(name, cs)| {
                let mut seen = HashSet::default();
                let mut weights: Vec<f32> = cs.iter().filter(|c| seen.insert(copy_of(c))).map(|c| weight(c)).collect();
                weights.sort_by(|a, b| b.total_cmp(a));
                let score: f32 = weights.iter().take(PER_COUNCIL).sum();
                (*name, score, distinct(cs))
            })
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let total = ranked.len();
        ranked.drain(..page.offset.min(total));
        ranked.truncate(page.limit);
        let shown = self.shown(ranked.iter().map(|(name, _, _)| by_council[name].as_slice()), window)?;
        let mut out = Vec::with_capacity(ranked.len());
        for ((name, score, matched), findings) in ranked.into_iter().zip(shown) {
            out.push(CouncilEvidence {
                council: self.council_ref(name),
                score: (score * 100.0).round() / 100.0,
                matched,
                first: window.skip.min(matched),
                findings: findings
                    .into_iter()
                    .map(|mut e| {
                        // Highlighting stems every word: only for the findings shown.
                        e.highlighted = highlight(&e.text, terms);
                        e
                    })
                    .collect(),
            });
        }
        Ok((out, total))
    }

    /// For each council's `ranked` candidates, the `window` of its distinct findings, best
    /// first, each with the other sources that publish it ("also in"). Copies of a finding
    /// share a text key, so only the findings shown are read (reading one decompresses its
    /// document's text); the copies' sources come from a column, all councils' in one read.
    /// Looks no further than four times as many candidates of a council as the window reaches.
    fn shown<'c>(&self, councils: impl Iterator<Item = &'c [&'c Candidate]>, window: Window) -> Result<Vec<Vec<Evidence>>, QueryError> {
        let all: Vec<Vec<Copies>> = councils
            .map(|c| {
                let mut groups = copies_of(c, window.skip + window.take);
                groups.drain(..window.skip.min(groups.len()));
                groups
            })
            .collect();
        let best: Vec<&Candidate> = all.iter().flatten().map(|g| g.best).collect();
        let copies: Vec<&Candidate> = all.iter().flatten().flat_map(|g| g.others.iter().copied()).collect();
        let mut hits = self.index.load(&best)?.into_iter();
        let mut sources = self.index.sources(&copies)?.into_iter();
        let mut out = Vec::with_capacity(all.len());
        for groups in &all {
            let mut findings = Vec::with_capacity(groups.len());
            for group in groups {
                let Some(h) = hits.next() else { break };
                let mut e = evidence(&h, &[]);
                for source in sources.by_ref().take(group.others.len()) {
                    if source != e.source && !e.also_in.contains(&source) {
                        e.also_in.push(source);
                    }
                }
                findings.push(e);
            }
            out.push(findings);
        }
        Ok(out)
    }

    /// Who to learn from: the councils best practice on the topic points to, then the
    /// councils praised for it (`pointing` and `praised`, best first).
    fn pointers(&self, pointing: &[Candidate], praised: &[Candidate], terms: &[String], limit: usize) -> Result<Vec<Pointer>, QueryError> {
        let most = limit.max(5);
        let mut out = Vec::new();
        // One entry per council and wording; findings are read only until enough are shown.
        let mut seen = HashSet::default();
        let mut add = |out: &mut Vec<Pointer>, p: Pointer| {
            if out.len() < most && seen.insert((p.council.name.clone(), peerscope_model::text::squash(&p.text))) {
                out.push(p);
            }
        };
        for c in pointing {
            if out.len() >= most {
                break;
            }
            if self.index.pointers_of(c)?.is_empty() {
                continue;
            }
            let Some(h) = self.index.load(&[c])?.pop() else { continue };
            for name in &h.pointers {
                add(&mut out, pointer(self.council_ref(name), &h, "pointer"));
            }
        }
        let mut councils = HashSet::default();
        for c in praised {
            if out.len() >= most {
                break;
            }
            if c.council.is_empty() || !councils.insert(c.council.clone()) {
                continue;
            }
            if let Some(h) = self.index.load(&[c])?.pop() {
                add(&mut out, pointer(self.council_ref(&h.council), &h, "strength"));
            }
        }
        // Highlighting stems every word: only for the praise shown.
        for p in out.iter_mut().filter(|p| p.basis == "strength") {
            p.text = highlight(&p.text, terms);
        }
        Ok(out)
    }
}

/// One finding among a council's candidates: its best-ranked copy and the others.
struct Copies<'c> {
    /// Equal for copies ([`Candidate::copy_key`]); a candidate without one is a finding of
    /// its own.
    key: Option<(u64, Option<u64>)>,
    best: &'c Candidate,
    others: Vec<&'c Candidate>,
}

/// A council's best `per_council` distinct findings among its first four times as many
/// candidates, each with its copies.
fn copies_of<'c>(ranked: &'c [&'c Candidate], per_council: usize) -> Vec<Copies<'c>> {
    let mut groups: Vec<Copies> = Vec::new();
    for &c in &ranked[..ranked.len().min(per_council * 4)] {
        match groups.iter().position(|g| g.key.is_some() && g.key == c.copy_key()) {
            Some(i) => groups[i].others.push(c),
            None if groups.len() < per_council => groups.push(Copies { key: c.copy_key(), best: c, others: Vec::new() }),
            None => {}
        }
    }
    groups
}

/// The kind the intent names first counts fully, the others a little less ("flagged for"
/// asks first for areas for development, then recommendations).
/// A pointer to another council's practice adds nothing to the rank of the council whose
/// review made it, unless pointers are all that is asked for.
fn kind_weight(kinds: &[FindingKind], kind: &str) -> f32 {
    if kind == FindingKind::BestPractice.as_str() && kinds.iter().any(|k| *k != FindingKind::BestPractice) {
        return 0.0;
    }
    match kinds.iter().position(|k| k.as_str() == kind) {
        Some(0) | None => 1.0,
        Some(_) => 0.85,
    }
}

/// Recent findings count a little more: 2% a year since 2010.
fn recency(year: Option<u64>) -> f32 {
    year.map_or(1.0, |y| 1.0 + 0.02 * (y.saturating_sub(2010).min(20)) as f32)
}

fn pointer(council: CouncilRef, h: &Hit, basis: &'static str) -> Pointer {
    Pointer { council, text: shown(&h.text), basis, from: h.council.clone(), title: shown(&h.title), year: h.year, source: h.source.clone(), document: h.doc_id.clone(), finding: h.finding, start: h.start }
}

/// The most of one text an answer prints, in bytes. Extraction caps findings at 3,000
/// bytes; an index built before that (or a stranger's 50 MB title) must not make an answer
/// megabytes long.
const SHOWN_BYTES: usize = 3000;

/// `text`, cut at [`SHOWN_BYTES`] with an ellipsis.
fn shown(text: &str) -> String {
    peerscope_model::text::clip_bytes(text, SHOWN_BYTES)
}

fn evidence(h: &Hit, terms: &[String]) -> Evidence {
    Evidence {
        document: h.doc_id.clone(),
        finding: h.finding,
        kind: FindingKind::parse(&h.kind).unwrap_or(FindingKind::AreaForDevelopment),
        text: shown(&h.text),
        highlighted: highlight(&shown(&h.text), terms),
        section: shown(&h.section),
        themes: h.themes.clone(),
        title: shown(&h.title),
        year: h.year,
        source: h.source.clone(),
        start: h.start,
        end: h.end,
        confidence: h.confidence,
        also_in: Vec::new(),
    }
}

/// Mark the words of `text` whose stem is one of `terms`.
pub fn highlight(text: &str, terms: &[String]) -> String {
    if terms.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut last = 0;
    // One pass of the index's own analyzer: its words are runs of alphanumerics, and it
    // drops the over-long ones, which no question's term matches anyway.
    for (start, end, term) in peerscope_index::analyzer::term_spans(text) {
        if terms.contains(&term) && start >= last {
            out.push_str(&text[last..start]);
            out.push_str("**");
            out.push_str(&text[start..end]);
            out.push_str("**");
            last = end;
        }
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn highlights_stemmed_matches() {
        let terms = vec!["review".to_string()];
        assert_eq!(super::highlight("The performance on reviews remains", &terms), "The performance on **reviews** remains");
    }
}
