//! Findings from structure: walk the blocks, track the section and any list introduced by a
//! sentence ending in a colon, and decide each unit's kind from its section *and* its cues.
//!
//! A unit is a list item, or a sentence of prose.

use std::sync::LazyLock;

use peerscope_model::{Councils, Finding, FindingKind, Taxonomy};
use regex::Regex;

use crate::cues::{self, Cues};
use crate::sentences::sentences;
use crate::structure::{section_kind, table_cells, Block, BlockKind, SectionKind};

/// What the finding walk needs to know about the document.
pub struct FindingContext<'a> {
    pub councils: &'a Councils,
    pub taxonomy: &'a Taxonomy,
    /// Index of the reviewed council: never the target of a best-practice pointer.
    pub reviewed: Option<usize>,
    /// The document is the minutes of a meeting: prose counts only where it retells the
    /// review's findings (see [`crate::minutes`]).
    pub minutes: bool,
    /// The document follows up an earlier review: lines that restate its recommendations
    /// ("Recommendation 1: Reduce the number ...") name topics, they are not new findings.
    pub follow_up: bool,
    /// When set, every unit the walk weighs is recorded here with its context, whether or
    /// not the rules make it a finding: the learned reader ([`crate::reader`]) decides from
    /// these.
    pub trace: Option<&'a std::cell::RefCell<Vec<crate::reader::Unit>>>,
    /// When set, what the lexicons and the council search make of each unit, by span, so the
    /// walk and the reader's features read a unit once.
    pub memo: Option<&'a std::cell::RefCell<EvidenceMemo>>,
    /// Where the text's council names are ([`Councils::names`]), found once for all its
    /// units; without them each unit is searched.
    pub names: Option<&'a peerscope_model::Names>,
}

/// A unit's evidence by its span within one document.
pub type EvidenceMemo = rustc_hash::FxHashMap<(usize, usize), (cues::Evidence, Vec<String>)>;

/// The unit's evidence and the other councils it names, from the memo when there is one.
pub(crate) fn evidence(text: &str, (start, end): (usize, usize), ctx: &FindingContext) -> (cues::Evidence, Vec<String>) {
    let unit = &text[start..end];
    let read = || (cues::Evidence::of(unit), other_councils(text, (start, end), ctx));
    let Some(memo) = ctx.memo else { return read() };
    if let Some(e) = memo.borrow().get(&(start, end)) {
        return e.clone();
    }
    let e = read();
    memo.borrow_mut().insert((start, end), e.clone());
    e
}

/// Whether the opening of a document says it follows up an earlier review.
pub fn is_follow_up(text: &str) -> bool {
    static FOLLOW_UP: LazyLock<Regex> = LazyLock::new(|| {
        peerscope_model::pattern::compile(r"(?i)\bfollow[- ]?up\b|\brevisit\b|return visit|progress review|one year on").unwrap_or_else(|e| panic!("{e}"))
    });
    let head = text.char_indices().nth(800).map_or(text, |(i, _)| &text[..i]);
    FOLLOW_UP.is_match(head)
}

/// The walk's memory of a meeting's minutes.
#[derive(Default)]
struct Meeting {
    /// Inside the stretch where an officer goes through the findings.
    retelling: bool,
    /// Items of the lists seen so far (the "five key improvement areas") with their kinds,
    /// so "In respect of carers assessments, ..." takes the kind of the item it returns to.
    listed: Vec<(Vec<String>, FindingKind)>,
}

fn topic_words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() > 3).map(str::to_lowercase).collect()
}

impl Meeting {
    fn kind_of_topic(&self, topic: &str) -> Option<FindingKind> {
        let words = topic_words(topic);
        self.listed
            .iter()
            .find(|(item, _)| !item.is_empty() && item.iter().filter(|w| words.contains(w)).count() * 2 >= item.len())
            .map(|(_, k)| *k)
    }
}

/// A list announced by "...the following key priorities:" and the marker of its intro.
struct ListContext {
    kind: SectionKind,
    intro_marker: Option<char>,
    /// The intro says the list holds findings (not "the main points made in discussion").
    carries_findings: bool,
}

impl ListContext {
    fn new(kind: SectionKind, intro: &str, intro_marker: Option<char>) -> ListContext {
        static FINDINGS: LazyLock<Regex> = LazyLock::new(|| {
            peerscope_model::pattern::compile(r"(?i)findings|feedback|identified|highlighted|recogni[sz]ed|top tips|areas?\b|strengths?|recommend|suggest|priorities").unwrap_or_else(|e| panic!("{e}"))
        });
        let carries_findings = matches!(kind, SectionKind::Strengths | SectionKind::Development | SectionKind::Recommendations | SectionKind::BestPractice | SectionKind::DevelopmentAndRecommendations)
            || (kind == SectionKind::Neutral && FINDINGS.is_match(intro));
        let kind = if kind == SectionKind::Neutral && carries_findings { SectionKind::Findings } else { kind };
        ListContext { kind, intro_marker, carries_findings }
    }
}

pub fn findings(text: &str, blocks: &[Block], ctx: &FindingContext) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut section = SectionKind::Neutral;
    let mut section_name: Option<String> = None;
    let mut list: Option<ListContext> = None;
    let mut meeting = Meeting::default();
    let mut table: Option<Vec<Option<SectionKind>>> = None;
    for b in blocks {
        let content = &text[b.start..b.end];
        if ctx.follow_up && b.kind != BlockKind::TableRow && RESTATED.is_match(content) {
            section = SectionKind::Neutral;
            section_name = Some(content.trim_end_matches([':', '-', ' ']).to_string());
            list = None;
            continue;
        }
        if b.kind != BlockKind::TableRow {
            table = None;
        }
        match b.kind {
            BlockKind::TableRow => {
                let cells = table_cells(text, b.start, b.end);
                if cells.is_empty() {
                    continue;
                }
                match &table {
                    None => table = Some(column_kinds(text, &cells, section)),
                    Some(columns) => {
                        for (i, cell) in cells.into_iter().enumerate() {
                            let Some(kind) = columns.get(i).copied().flatten() else { continue };
                            for part in cell_parts(text, cell) {
                                for span in sentences(text, part.0, part.1) {
                                    push_unit(&mut out, text, span, kind, true, &section_name, ctx);
                                }
                            }
                        }
                    }
                }
            }
            BlockKind::Heading if holds_findings(section) && is_lost_bullet(content) => {
                // A slide's bullet whose glyph was lost reads like a short heading.
                push_unit(&mut out, text, (b.start, b.end), list.as_ref().map_or(section, |l| l.kind), true, &section_name, ctx);
            }
            BlockKind::Heading => {
                list = None;
                section = match section_kind(content) {
                    Some(k) => k,
                    None if section == SectionKind::NotFindings => section,
                    None => SectionKind::Neutral,
                };
                section_name = Some(content.trim_end_matches([':', '-', ' ']).to_string());
                if let Some(k) = list_kind_from_intro(content).filter(|_| is_intro(content)) {
                    list = Some(ListContext::new(k, content, None));
                }
            }
            BlockKind::Item { marker } => {
                if list.as_ref().is_some_and(|l| l.intro_marker == Some(marker)) {
                    list = None;
                }
                let effective = list.as_ref().map_or(section, |l| l.kind);
                if is_intro(content) {
                    if let Some(k) = list_kind_from_intro(content) {
                        list = Some(ListContext::new(k, content, Some(marker)));
                    }
                    continue;
                }
                if ctx.minutes && !list.as_ref().is_some_and(|l| l.carries_findings) {
                    // A bullet of discussion: its sentences are judged like prose.
                    minutes_prose(&mut out, text, (b.start, b.end), section, &section_name, ctx, &mut meeting);
                    continue;
                }
                if list.is_none() && is_numbered_paragraph(text, b) {
                    prose(&mut out, text, (b.start, b.end), section, &section_name, ctx);
                    continue;
                }
                let before = out.len();
                push_unit(&mut out, text, (b.start, without_trailing_quotes(text, b.start, b.end)), effective, true, &section_name, ctx);
                // Only minutes return to a listed item by its topic (`minutes_prose`).
                if let Some(f) = out.get(before).filter(|_| ctx.minutes) {
                    meeting.listed.push((topic_words(&f.text), f.kind));
                }
            }
            BlockKind::Paragraph => {
                // A list whose bullets were lost (a PDF's glyphs without text, a careless
                // export): short one-sentence lines after an intro are its items.
                if let Some(l) = list.as_ref().filter(|l| l.intro_marker.is_none() && !is_intro(content) && is_bare_item(text, b.start, b.end)) {
                    let kind = l.kind;
                    if !ctx.minutes || l.carries_findings {
                        push_unit(&mut out, text, (b.start, b.end), kind, true, &section_name, ctx);
                        continue;
                    }
                }
                list = None;
                if is_intro(content) {
                    list = list_kind_from_intro(content).map(|k| ListContext::new(k, content, None));
                    // The sentences before the colon can still be findings.
                }
                if ctx.minutes {
                    minutes_prose(&mut out, text, (b.start, b.end), section, &section_name, ctx, &mut meeting);
                    continue;
                }
                if let Some((skip, kind)) = inline_label(content) {
                    // "What could be better: Around 1,800 people are waiting ...".
                    prose(&mut out, text, (b.start + skip, b.end), kind, &section_name, ctx);
                    continue;
                }
                prose(&mut out, text, (b.start, b.end), section, &section_name, ctx);
            }
        }
    }
    out
}

/// A paragraph opening with a label that names a kind ("Strengths: ...", "What could be
/// better: ...", "Recommendation: ..."): the byte length of the label and the kind it names.
fn inline_label(paragraph: &str) -> Option<(usize, SectionKind)> {
    static LABEL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^([A-Z][^:.]{2,45}):\s+").unwrap_or_else(|e| panic!("{e}")));
    let m = LABEL.captures(paragraph)?;
    let label = m.get(1)?.as_str();
    if label.split_whitespace().count() > 6 {
        return None;
    }
    match section_kind(label)? {
        k @ (SectionKind::Strengths | SectionKind::Development | SectionKind::Recommendations | SectionKind::DevelopmentAndRecommendations) => Some((m.get(0)?.end(), k)),
        _ => None,
    }
}

/// The sentences of a paragraph of prose, each a unit, except that a sentence finishing the
/// advice before it ("This should include ...") joins it.
fn prose(out: &mut Vec<Finding>, text: &str, (start, end): (usize, usize), section: SectionKind, section_name: &Option<String>, ctx: &FindingContext) {
    let mut previous: Option<usize> = None;
    for sentence in sentences(text, start, end) {
        if is_intro(&text[sentence.0..sentence.1]) {
            previous = None;
            continue;
        }
        if let Some(f) = previous.and_then(|i| out.get_mut(i)).filter(|_| continues_advice(&text[sentence.0..sentence.1])) {
            f.end = sentence.1;
            f.text = text[f.start..f.end].to_string();
            f.themes = themes(&f.text, ctx);
            continue;
        }
        let example_of = previous.and_then(|i| out.get(i)).map(|f| f.kind).filter(|_| is_example(&text[sentence.0..sentence.1]));
        previous = None;
        for span in split_contrast(text, sentence) {
            let before = out.len();
            push_unit(out, text, span, section, false, section_name, ctx);
            if let (Some(kind), true) = (example_of, out.len() == before) {
                // "As an example of this, the leader spent a whole day with the sector.": an
                // example carries no cue of its own but is evidence of the finding before it.
                push_example(out, text, span, kind, section_name, ctx);
            }
            previous = (out.len() > before).then_some(before);
        }
    }
}

fn is_example(sentence: &str) -> bool {
    static EXAMPLE: LazyLock<Regex> = LazyLock::new(|| {
        peerscope_model::pattern::compile(r"(?i)^(?:as an example(?: of this)?|an example of this (?:is|was)|to give an example|by way of example),?\s").unwrap_or_else(|e| panic!("{e}"))
    });
    EXAMPLE.is_match(sentence.trim_start())
}

/// An example sentence as a finding of the kind it exemplifies, unless it is process.
fn push_example(out: &mut Vec<Finding>, text: &str, (start, end): (usize, usize), kind: FindingKind, section_name: &Option<String>, ctx: &FindingContext) {
    let unit = &text[start..end];
    if unit.split_whitespace().count() < 5 || cues::is_not_finding(unit) {
        return;
    }
    out.push(Finding { kind, text: unit.to_string(), section: section_name.clone(), themes: themes(unit, ctx), start, end, council: None, also: Vec::new(), confidence: 1.0 });
}

/// "Recommendation 1: Reduce the number of people waiting for a review."
static RESTATED: LazyLock<Regex> = LazyLock::new(|| {
    peerscope_model::pattern::compile(r"(?i)^(?:original |previous )?recommendations? \d{1,2}\s*[:.–-]").unwrap_or_else(|e| panic!("{e}"))
});

/// "Providers reported little commissioning support. “There is too much focus on today”":
/// a quotation after the finding in a bullet is evidence, not part of the finding. The end
/// of the bullet without the quotations that close it.
fn without_trailing_quotes(text: &str, start: usize, end: usize) -> usize {
    let spans = sentences(text, start, end);
    let kept = spans.iter().rposition(|&(s, e)| !cues::is_quotation(&text[s..e]));
    match kept {
        Some(i) if i + 1 < spans.len() => spans[i].1,
        _ => end,
    }
}

fn holds_findings(section: SectionKind) -> bool {
    use SectionKind::*;
    matches!(section, Strengths | Development | DevelopmentAndRecommendations | Recommendations | BestPractice | Findings)
}

/// "Staff are loyal, caring and know the borough well", "Publish a clear description of the
/// front door": under a findings heading, a short line without a full stop that reads as a
/// sentence (a verb, mostly lower-case words) or opens with an instruction is a list item
/// whose bullet was lost, not a heading. Title-like lines ("Prevention and Demand
/// Management") and lines naming a section stay headings.
fn is_lost_bullet(line: &str) -> bool {
    static VERB: LazyLock<Regex> = LazyLock::new(|| {
        peerscope_model::pattern::compile(r"(?i)\b(?:is|are|was|were|has|have|had|be|been|being|can|could|should|will|would|may|might|must|not|no|too|do|does|did|know|knows|feel|feels|told|reported|need|needs|remains?|lacks?)\b|\w+(?:ed|es)\b")
            .unwrap_or_else(|e| panic!("{e}"))
    });
    let line = line.trim();
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.len() < 5 || line.ends_with(':') || line.ends_with('?') || section_kind(line).is_some_and(|k| k != SectionKind::Neutral) {
        return false;
    }
    let capitalised = words[1..].iter().filter(|w| w.starts_with(char::is_uppercase)).count();
    let lower_case = capitalised * 10 < (words.len() - 1) * 4;
    lower_case && (VERB.is_match(line) || cues::opens_with_imperative(line))
}

/// "5.2. The peer team also found ... There was no single view ...": a report's numbered
/// paragraph of several sentences is prose, not a list item of one finding.
fn is_numbered_paragraph(text: &str, b: &Block) -> bool {
    static DECIMAL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*\d{1,2}\.\d{1,2}").unwrap_or_else(|e| panic!("{e}")));
    let line_start = text[..b.start].rfind('\n').map_or(0, |i| i + 1);
    DECIMAL.is_match(&text[line_start..b.start]) && sentences(text, b.start, b.end).len() > 1
}

/// The sentences of a paragraph (or a discussion bullet) of minutes that retell findings.
fn minutes_prose(
    out: &mut Vec<Finding>,
    text: &str,
    (start, end): (usize, usize),
    section: SectionKind,
    section_name: &Option<String>,
    ctx: &FindingContext,
    meeting: &mut Meeting,
) {
    let mut carried = None;
    for (i, span) in sentences(text, start, end).into_iter().enumerate() {
        let sentence = &text[span.0..span.1];
        if crate::minutes::ends_retelling(sentence) {
            meeting.retelling = false;
        }
        if crate::minutes::starts_retelling(sentence) {
            meeting.retelling = true;
            continue;
        }
        if i == 0 && meeting.retelling {
            carried = crate::minutes::topic(sentence).and_then(|t| meeting.kind_of_topic(t));
        }
        if is_intro(sentence) || !crate::minutes::retells_finding(sentence, meeting.retelling || carried.is_some()) && carried.is_none() {
            continue;
        }
        if carried.is_some() && (crate::minutes::is_council_action(sentence) || crate::minutes::is_own_voice(sentence)) {
            continue;
        }
        let section = if section == SectionKind::NotFindings { SectionKind::Neutral } else { section };
        let before = out.len();
        push_unit_as(out, text, span, section, false, section_name, ctx, true);
        if let (Some(kind), Some(f)) = (carried, out.get_mut(before)) {
            f.kind = kind;
        }
    }
}

/// A table cell holding several points ("• A strong front door • Good reablement", or lines
/// joined by "<br>" in a Markdown export): each point, trimmed, as a byte range of `text`.
fn cell_parts(text: &str, (start, end): (usize, usize)) -> Vec<(usize, usize)> {
    static BREAK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)<br\s*/?>|(?:^|\s)[•●▪◦❖►]\s").unwrap_or_else(|e| panic!("{e}")));
    let cell = &text[start..end];
    let breaks: Vec<(usize, usize)> = BREAK.find_iter(cell).map(|m| (m.start(), m.end())).chain([(cell.len(), cell.len())]).collect();
    let mut parts = Vec::new();
    let mut from = 0;
    for (b_start, b_end) in breaks {
        let raw = &cell[from..b_start];
        let lead = raw.len() - raw.trim_start().len();
        let trimmed = raw.trim();
        if !trimmed.is_empty() {
            parts.push((start + from + lead, start + from + lead + trimmed.len()));
        }
        from = b_end;
    }
    parts
}

/// What each column of a table holds, from its header row: "Strengths | Areas for
/// development" name kinds, "Findings" a column of findings of any kind. A table whose header
/// names none (the CQC framework's themes, a list of team members) holds no findings, unless
/// it sits in a findings section and its header row is itself content.
fn column_kinds(text: &str, header: &[(usize, usize)], section: SectionKind) -> Vec<Option<SectionKind>> {
    static FINDINGS: LazyLock<Regex> = LazyLock::new(|| {
        peerscope_model::pattern::compile(r"(?i)^(?:key )?(?:findings?|feedback|comments?|observations?|evidence)$").unwrap_or_else(|e| panic!("{e}"))
    });
    let kinds: Vec<Option<SectionKind>> = header
        .iter()
        .map(|&(s, e)| {
            let cell = &text[s..e];
            match section_kind(cell) {
                Some(k) if k != SectionKind::Neutral && k != SectionKind::NotFindings && cell.split_whitespace().count() <= 8 => Some(k),
                _ if FINDINGS.is_match(cell) => Some(SectionKind::Findings),
                _ => None,
            }
        })
        .collect();
    if kinds.iter().any(Option::is_some) {
        return kinds;
    }
    let findings_section = !matches!(section, SectionKind::Neutral | SectionKind::NotFindings);
    header.iter().map(|&(s, e)| (findings_section && text[s..e].split_whitespace().count() >= 4).then_some(section)).collect()
}

/// A sentence that only carries the one before it further ("This should include ...", "As
/// part of this work, it might help to ...", "They should engage ..."): GUIDELINES count it
/// in the same finding.
fn continues_advice(sentence: &str) -> bool {
    static CONTINUES: LazyLock<Regex> = LazyLock::new(|| {
        peerscope_model::pattern::compile(r"(?i)^(?:examples? (?:here |of this )?include|for example,|for instance,|(?:this|these|they|it|such \w+)(?: \w+){0,2} (?:should|can|could|would|might|may|must|is (?:critical|essential|important|vital|key))\b|as part of (?:this|these|that)\b|all of (?:the|this) above\b|in doing so\b)").unwrap_or_else(|e| panic!("{e}"))
    });
    // "It may be helpful for the council to ...": an anticipatory "it" opens new advice.
    static NEW_ADVICE: LazyLock<Regex> = LazyLock::new(|| {
        peerscope_model::pattern::compile(r"(?i)^it (?:may|might|would|could|will|is|should) (?:also )?be (?:helpful|useful|important|worth|beneficial|valuable|essential|vital|key|sensible|timely)\b").unwrap_or_else(|e| panic!("{e}"))
    });
    let s = sentence.trim_start();
    CONTINUES.is_match(s) && !NEW_ADVICE.is_match(s)
}

/// A sentence that praises and then turns ("...; however, improvement is needed around
/// direct payments") holds two findings of opposite kinds: split it at the turn when each
/// side carries its own cue of one polarity.
fn split_contrast(text: &str, (start, end): (usize, usize)) -> Vec<(usize, usize)> {
    static TURN: LazyLock<Regex> = LazyLock::new(|| {
        peerscope_model::pattern::compile(r"(?i)(?:;\s*|,\s+)(?:however,?|but(?: also)?)\s+").unwrap_or_else(|e| panic!("{e}"))
    });
    let sentence = &text[start..end];
    let Some(m) = TURN.find(sentence) else { return vec![(start, end)] };
    let (left, right) = (&sentence[..m.start()], &sentence[m.end()..]);
    if left.split_whitespace().count() < 5 || right.split_whitespace().count() < 5 {
        return vec![(start, end)];
    }
    let (l, r) = (cues::weigh(left), cues::weigh(right));
    let praising = |c: &Cues| c.praise >= 1.0 && c.concern == 0.0 && c.need == 0.0 && c.advice == 0.0;
    let critical = |c: &Cues| c.praise == 0.0 && (c.concern > 0.0 || c.need > 0.0);
    if (praising(&l) && critical(&r)) || (critical(&l) && praising(&r)) {
        vec![(start, start + m.start()), (start + m.end(), end)]
    } else {
        vec![(start, end)]
    }
}

/// One short sentence on its own line, the shape of a list item without its bullet.
fn is_bare_item(text: &str, start: usize, end: usize) -> bool {
    let line = text[start..end].trim();
    let words = line.split_whitespace().count();
    sentences(text, start, end).len() == 1 && (words <= 20 || !line.ends_with(['.', '!', '?']) && words <= 40)
}

pub(crate) fn is_intro(s: &str) -> bool {
    let s = s.trim_end();
    s.ends_with(':') || s.ends_with(":-") || s.ends_with(": -")
}

/// "We asked the team to assess our strengths and weaknesses regarding:": what the council
/// asked the peers to look at, not what they found.
static REQUEST: LazyLock<Regex> = LazyLock::new(|| {
    peerscope_model::pattern::compile(r"(?i)\b(?:wanted|asked|invited|requested|commissioned) (?:them|the (?:peer |review )?team|the peers|peers|the lga|adass)\b|\bto (?:assess|examine|look at|explore|test|consider) (?:our|the council's|how|whether)\b").unwrap_or_else(|e| panic!("{e}"))
});

/// What the list after an introducing sentence holds, from the cue nearest its colon.
fn list_kind_from_intro(intro: &str) -> Option<SectionKind> {
    static CUES: LazyLock<Vec<(Regex, SectionKind)>> = LazyLock::new(|| {
        use SectionKind::*;
        [
            (r"(?i)strengths?|performing well|working well|positives?|good practice|praised", Strengths),
            (r"(?i)improvement areas?|areas? (?:for|of) (?:further |continued )?(?:development|improvement|consideration)|concerns?|weakness\w*|challenges|risks|gaps", Development),
            (r"(?i)recommend\w*|top tips|priorities|next steps|suggest\w*|actions?\b", Recommendations),
            (r"(?i)best practice|ideas for|learn from", BestPractice),
            (r"(?i)findings|feedback|summarised|highlighted|identified|noted|following points|main points|as follows", Neutral),
            (r"(?i)key lines? of enquiry|\bkloe\b|questions|asked (?:us|the team|for)|areas? of focus|focus(?:ed)? on|team (?:comprised|consisted|was|were|members)|\bpeers (?:were|are|included|comprised)|consisted of|\b(?:wanted|asked|invited|requested) (?:them|the (?:peer |review )?team|the peers|peers|us)\b|\bmet\b|spoke with|included|^that\b|membership|purpose", NotFindings),
        ]
        .into_iter()
        .map(|(p, k)| (peerscope_model::pattern::compile(p).unwrap_or_else(|e| panic!("{e}")), k))
        .collect()
    });
    // Only the sentence that ends in the colon introduces the list: in "Peer challenges are
    // delivered by peers. The peers were:" the first sentence says nothing about the list.
    let intro = [". ", "? ", "! "].iter().filter_map(|end| intro.rfind(end)).max().map_or(intro, |i| &intro[i + 2..]);
    // A specific kind named nearest the colon wins; process words next; "findings" last.
    let last_end = |kind: SectionKind| {
        CUES.iter().filter(|(_, k)| *k == kind).filter_map(|(re, _)| re.find_iter(intro).last()).map(|m| m.end()).max()
    };
    use SectionKind::*;
    if REQUEST.is_match(intro) {
        return Some(NotFindings);
    }
    let specific = [Strengths, Development, Recommendations, BestPractice]
        .into_iter()
        .filter_map(|k| last_end(k).map(|e| (e, k)))
        .max_by_key(|(e, _)| *e);
    if let Some((_, k)) = specific {
        return Some(k);
    }
    [NotFindings, Neutral].into_iter().find(|k| last_end(*k).is_some())
}

fn push_unit(
    out: &mut Vec<Finding>,
    text: &str,
    span: (usize, usize),
    section: SectionKind,
    is_item: bool,
    section_name: &Option<String>,
    ctx: &FindingContext,
) {
    push_unit_as(out, text, span, section, is_item, section_name, ctx, false)
}

/// `retold`: a sentence of minutes already known to retell the review, where a question
/// or a reply can carry a finding.
#[allow(clippy::too_many_arguments)]
fn push_unit_as(
    out: &mut Vec<Finding>,
    text: &str,
    (start, end): (usize, usize),
    section: SectionKind,
    is_item: bool,
    section_name: &Option<String>,
    ctx: &FindingContext,
    retold: bool,
) {
    // "1.1 We recently ..." inside a bullet: the paragraph number is not part of the finding.
    let start = start + paragraph_number_len(&text[start..end]);
    let before = out.len();
    push_decided(out, text, (start, end), section, is_item, section_name, ctx, retold);
    if let Some(trace) = ctx.trace {
        let rule = out.get(before).map(|f| f.kind);
        trace.borrow_mut().push(crate::reader::Unit::weighed(start, end, section, section_name.clone(), is_item, retold, rule));
    }
}

/// The rules' decision on one unit: a finding pushed onto `out`, or nothing.
#[allow(clippy::too_many_arguments)]
fn push_decided(
    out: &mut Vec<Finding>,
    text: &str,
    (start, end): (usize, usize),
    section: SectionKind,
    is_item: bool,
    section_name: &Option<String>,
    ctx: &FindingContext,
    retold: bool,
) {
    let unit = &text[start..end];
    let words = unit.split_whitespace().count();
    // Questions are lines of enquiry, not findings.
    if words < if is_item { 2 } else { 5 } || unit.trim_end().ends_with('?') {
        return;
    }
    let (evidence, others) = if ctx.memo.is_some() {
        evidence(text, (start, end), ctx)
    } else {
        // The rules alone: read only as far as the decision needs.
        if if retold { cues::is_process(unit) } else { cues::is_not_finding(unit) } {
            return;
        }
        (cues::Evidence { cues: cues::weigh(unit), pointer: cues::is_pointer(unit), ..Default::default() }, other_councils(text, (start, end), ctx))
    };
    if if retold { evidence.process } else { evidence.not_finding } {
        return;
    }
    let kind = if section == SectionKind::BestPractice {
        if others.is_empty() { Some(FindingKind::Recommendation) } else { Some(FindingKind::BestPractice) }
    } else if !others.is_empty() && evidence.pointer && section != SectionKind::NotFindings {
        Some(FindingKind::BestPractice)
    } else {
        decide(section, evidence.cues, is_item)
    };
    let Some(kind) = kind else { return };
    let (council, also) = if kind == FindingKind::BestPractice {
        let mut it = others.into_iter();
        (it.next(), it.collect())
    } else {
        (None, Vec::new())
    };
    out.push(Finding {
        kind,
        text: unit.to_string(),
        section: section_name.clone(),
        themes: themes(unit, ctx),
        start,
        end,
        council,
        also,
        confidence: 1.0,
    });
}

/// Length of a leading paragraph number such as "3.4 " (digits and dots, then a space).
fn paragraph_number_len(unit: &str) -> usize {
    static NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\d{1,2}(?:\.\d{1,2})+\.?\s+").unwrap_or_else(|e| panic!("{e}")));
    NUMBER.find(unit).map_or(0, |m| m.end())
}

/// A finding's themes, unless the learned reader decides (it tags only what it keeps:
/// tagging is a fifth of the walk's time).
fn themes(unit: &str, ctx: &FindingContext) -> Vec<String> {
    if ctx.trace.is_some() {
        return Vec::new();
    }
    ctx.taxonomy.themes_of(unit)
}

pub(crate) fn other_councils(text: &str, (start, end): (usize, usize), ctx: &FindingContext) -> Vec<String> {
    let mentions = match ctx.names {
        Some(names) => ctx.councils.mentions_within(text, names, start..end),
        None => ctx.councils.mentions(text.get(start..end).unwrap_or("")),
    };
    let mut names: Vec<String> = Vec::new();
    for m in mentions {
        if Some(m.council) == ctx.reviewed {
            continue;
        }
        let name = ctx.councils.get(m.council).name.clone();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The kind of a unit from its section and its cues (see shared/gold/GUIDELINES.md).
fn decide(section: SectionKind, c: Cues, is_item: bool) -> Option<FindingKind> {
    use FindingKind::*;
    use SectionKind as S;
    let only_praise = c.praise > 0.0 && c.concern == 0.0 && c.need == 0.0 && c.advice == 0.0;
    match section {
        S::NotFindings | S::BestPractice => None,
        S::Strengths => Some(if c.praise == 0.0 && c.explicit > 0.0 {
            // "We would suggest that this is made a priority": advice wherever it stands.
            Recommendation
        } else if c.praise == 0.0 && (c.concern > 0.0 || c.need > 0.0) {
            AreaForDevelopment
        } else {
            Strength
        }),
        S::Development => Some(if only_praise {
            Strength
        } else if (c.explicit > 0.0 || c.advice > 0.0 && c.concern == 0.0) && c.need == 0.0 && !c.concern_then_advice {
            Recommendation
        } else {
            AreaForDevelopment
        }),
        S::DevelopmentAndRecommendations => Some(if only_praise {
            Strength
        } else if c.advice > 0.0 || c.need > 0.0 {
            Recommendation
        } else {
            AreaForDevelopment
        }),
        S::Recommendations => Some(if !is_item && only_praise { Strength } else { Recommendation }),
        S::Neutral => neutral(c),
        S::Findings => neutral(c).or(Some(AreaForDevelopment)),
    }
}

/// Outside a findings section a unit must carry its own cue. Explicit advice makes a
/// recommendation unless praise outweighs it ("should be celebrated"); a stated need is an
/// area for development (GUIDELINES: a weakness with its remedy, outside a recommendations
/// section); otherwise praise against concern.
fn neutral(c: Cues) -> Option<FindingKind> {
    if c.none() || !c.outside_asides {
        return None;
    }
    if c.concern_then_advice {
        Some(FindingKind::AreaForDevelopment)
    } else if c.explicit > 0.0 || (c.advice > 0.0 && !(c.praise > c.advice && c.concern == 0.0)) {
        Some(FindingKind::Recommendation)
    } else if c.need > 0.0 || c.concern > c.praise || (c.concern == c.praise && !c.praise_first) {
        Some(FindingKind::AreaForDevelopment)
    } else {
        Some(FindingKind::Strength)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;
    use crate::structure::blocks;

    /// Findings of `raw` (normalised) as if Walsall were the reviewed council, and the text.
    fn extract(raw: &str) -> (Vec<Finding>, String) {
        let councils = Councils::builtin().unwrap();
        let taxonomy = Taxonomy::builtin().unwrap();
        let text = normalize(raw, false);
        let reviewed = councils.all().iter().position(|c| c.name == "Walsall");
        let ctx = FindingContext { councils: &councils, taxonomy: &taxonomy, reviewed, minutes: false, follow_up: false, trace: None, memo: None, names: None };
        (findings(&text, &blocks(&text), &ctx), text)
    }

    fn run(raw: &str) -> Vec<(FindingKind, String)> {
        extract(raw).0.into_iter().map(|f| (f.kind, f.text)).collect()
    }

    #[test]
    fn kind_comes_from_section_and_sentence() {
        let got = run("Strengths\n\n- The workforce demonstrated creativity\n\nAreas for Consideration\n\n- The morale of staff is low\n- The team was impressed by the new portal\n\nRecommendations\n\n- The council should set a clear target\n");
        assert_eq!(
            got,
            [
                (FindingKind::Strength, "The workforce demonstrated creativity".to_string()),
                (FindingKind::AreaForDevelopment, "The morale of staff is low".to_string()),
                (FindingKind::Strength, "The team was impressed by the new portal".to_string()),
                (FindingKind::Recommendation, "The council should set a clear target".to_string()),
            ]
        );
    }

    #[test]
    fn pointers_name_other_councils() {
        let (f, text) = extract("Some Ideas for Best Practice Development\n\n- Consider exploring the Shropshire or Stoke for community led social work\n");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind, FindingKind::BestPractice);
        assert_eq!(f[0].council.as_deref(), Some("Shropshire"));
        assert_eq!(f[0].also, ["Stoke-on-Trent"]);
        assert_eq!(&text[f[0].start..f[0].end], f[0].text);
    }

    #[test]
    fn lists_take_their_kind_from_the_intro() {
        let got = run("They noted that there were five key improvement areas identified:-\n\n1. Feedback and communication.\n2. Carers Assessments.\n\nThe key lines of enquiry were:\n\n- How well is the council prepared?\n\nRecommendations:\n\nThat:\n\n- Scrutiny note the findings of the Peer Challenge\n");
        assert_eq!(
            got,
            [
                (FindingKind::AreaForDevelopment, "Feedback and communication.".to_string()),
                (FindingKind::AreaForDevelopment, "Carers Assessments.".to_string()),
            ]
        );
    }

    #[test]
    fn only_the_sentence_before_the_colon_introduces_a_list() {
        // "Peer challenges" in the first sentence once made the team list areas for development.
        let got = run("2. The peer challenge team\n\nPeer challenges are delivered by experienced peers. The peers were:\n\n- Jane Smith, Director of Adult Social Services, Trafford Council\n\nThe areas for further development identified by the team were:\n\n- consistency in the application of thresholds\n");
        assert_eq!(got, [(FindingKind::AreaForDevelopment, "consistency in the application of thresholds".to_string())]);
    }

    #[test]
    fn slide_bullets_that_lost_their_glyph_are_items_not_headings() {
        let got = run("Key strengths\nStaff are loyal, caring and know the borough well\nKey areas for consideration\nThe market for home care in the north of the borough is fragile\nRecommendations\nPublish a clear description of the front door for partners\nPrevention and Demand Management\n");
        assert_eq!(
            got,
            [
                (FindingKind::Strength, "Staff are loyal, caring and know the borough well".to_string()),
                (FindingKind::AreaForDevelopment, "The market for home care in the north of the borough is fragile".to_string()),
                (FindingKind::Recommendation, "Publish a clear description of the front door for partners".to_string()),
            ]
        );
    }

    #[test]
    fn a_follow_up_restating_a_recommendation_names_a_topic() {
        let councils = Councils::builtin().unwrap();
        let taxonomy = Taxonomy::builtin().unwrap();
        let text = normalize("Progress since the review\n\nRecommendation 1: Reduce the number of people waiting for a review.\nThe team saw real progress: the number waiting has fallen by a third. However, the number waiting longer than a year has not changed.\n", false);
        let ctx = FindingContext { councils: &councils, taxonomy: &taxonomy, reviewed: None, minutes: false, follow_up: true, trace: None, memo: None, names: None };
        let got: Vec<_> = findings(&text, &blocks(&text), &ctx).into_iter().map(|f| f.kind).collect();
        assert_eq!(got, [FindingKind::Strength, FindingKind::AreaForDevelopment]);
        assert!(is_follow_up("South West ADASS\nPeer Review Follow-up: Cornwall Council"));
        assert!(!is_follow_up("Adult Social Care Peer Challenge\nFeedback report"));
    }

    #[test]
    fn an_anticipatory_it_opens_new_advice_but_this_should_continues() {
        let got = run("Summary\n\nIt is not yet clear how the savings will be delivered. It may be helpful for the council to set out a single narrative. This should include the financial plan.\n");
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[1], (FindingKind::Recommendation, "It may be helpful for the council to set out a single narrative. This should include the financial plan.".to_string()));
        // "without the need for a referral" states no need.
        let got = run("Summary\n\nPeople receive a prompt and friendly response without the need for a referral.\n");
        assert_eq!(got[0].0, FindingKind::Strength);
    }

    #[test]
    fn an_inline_label_names_the_kind_of_its_paragraph() {
        let got = run("Theme 1: Working with people\n\nStrengths: Practitioners have a good understanding of strengths-based practice.\nWhat could be better: Information about the cost of care is hard to find.\n");
        assert_eq!(
            got,
            [
                (FindingKind::Strength, "Practitioners have a good understanding of strengths-based practice.".to_string()),
                (FindingKind::AreaForDevelopment, "Information about the cost of care is hard to find.".to_string()),
            ]
        );
    }

    #[test]
    fn a_table_cell_of_several_points_holds_several_findings() {
        let (f, text) = extract("| Theme | Strengths | Areas for development |\n|---|---|---|\n| Working with people | • A strong and responsive front door • Reablement outcomes are good | Leadership is visible.<br>Performance data is not used well by managers. |\n");
        let got: Vec<_> = f.iter().map(|f| (f.kind, f.text.as_str())).collect();
        assert_eq!(
            got,
            [
                (FindingKind::Strength, "A strong and responsive front door"),
                (FindingKind::Strength, "Reablement outcomes are good"),
                (FindingKind::Strength, "Leadership is visible."),
                (FindingKind::AreaForDevelopment, "Performance data is not used well by managers."),
            ]
        );
        assert!(f.iter().all(|f| text[f.start..f.end] == f.text));
    }

    #[test]
    fn an_example_is_evidence_of_the_finding_before_it() {
        let got = run("Leadership\n\nThe leader is visible and well respected across the sector. As an example of this, the leader spent a whole day with providers during the development of the plan.\n");
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got.iter().all(|(k, _)| *k == FindingKind::Strength), "{got:?}");
    }

    #[test]
    fn a_numbered_paragraph_of_several_sentences_is_prose() {
        let got = run("5.2. The peer team found that thresholds were not applied consistently. There was no single view of performance data, and managers found it difficult to get timely reports.\n");
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got.iter().all(|(k, _)| *k == FindingKind::AreaForDevelopment), "{got:?}");
    }
}
