//! Document metadata: the reviewed council, when the team was on site, who ran the review,
//! what was reviewed, what kind of document this is, and its title.
//!
//! Each decision weighs evidence from the whole text; when the evidence is thin or split
//! the answer is "unknown" (`None`), never a guess presented as fact.

use rustc_hash::FxHashMap as HashMap;
use std::sync::LazyLock;

use peerscope_model::{Councils, DocKind, Names, ReviewType, Service};
use regex::Regex;

use crate::lexicon::METADATA;

fn re(p: &str) -> Regex {
    peerscope_model::pattern::compile(p).unwrap_or_else(|e| panic!("metadata pattern {p}: {e}"))
}

/// What the page around a document said (HTML title, site name).
#[derive(Debug, Default, Clone)]
pub struct Hints {
    pub title: Option<String>,
    pub site: Option<String>,
    /// Where the document was published (what `fetch` fetched, or a `sources.toml` beside
    /// a file names): its host can name the council.
    pub url: Option<String>,
    /// The council the source is known to belong to (a ModernGov site in the sources file).
    pub council: Option<String>,
}

/// Lines naming people's roles: the peer team, signatures, addresses. Councils named there
/// are where the peers came from, not the reviewed council.
static ROLE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:directors?\b|lead peer|member peer|peer challenge manager|head of|manager|advisor|adviser|councillor|cllr|cabinet member|chief executive|expert by experience|officer|lead\b|deputy|principal|yours sincerely|shirehall|county hall|telephone|e-?mail)")
});

/// The reviewed council: the most-mentioned council outside role lines, with the title and
/// the page's own name counting more. `None` when no council clearly leads.
pub fn reviewed_council(text: &str, title: &str, hints: &Hints, councils: &Councils) -> Option<usize> {
    reviewed_council_named(text, &councils.names(text), title, hints, councils)
}

/// [`reviewed_council`] with the `names` of `text` found already ([`Councils::names`]).
pub fn reviewed_council_named(text: &str, names: &Names, title: &str, hints: &Hints, councils: &Councils) -> Option<usize> {
    let mut score: HashMap<usize, f32> = HashMap::default();
    for line in text.lines() {
        // A short line naming a role is a team list, a signature or an address; in prose
        // the role sentence alone is (the team was led by X, Director, Gateshead Council).
        let units: Vec<&str> = if line.len() < 200 { vec![line] } else { line.split(". ").collect() };
        for unit in units {
            // Each unit is a slice of `text`: its place there is its offset from the start.
            let start = unit.as_ptr() as usize - text.as_ptr() as usize;
            let mentions = councils.mentions_within(text, names, start..start + unit.len());
            if mentions.is_empty() {
                continue;
            }
            let weight = mention_weight(unit);
            for m in mentions {
                *score.entry(m.council).or_default() += weight;
            }
        }
    }
    for (extra, weight) in [(Some(title), 3.0), (hints.site.as_deref(), 5.0), (hints.title.as_deref(), 3.0)] {
        for m in extra.map(|t| councils.mentions(t)).unwrap_or_default() {
            *score.entry(m.council).or_default() += weight;
        }
    }
    add_implied_mentions(text, councils, &mut score);
    add_domain_mentions(text, councils, &mut score);
    add_origin_mentions(hints, councils, &mut score);
    let mut ranked: Vec<(usize, f32)> = score.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    match ranked.as_slice() {
        [] => None,
        [(c, s)] => (*s >= 1.0).then_some(*c),
        [(c, s), (_, s2), ..] => (*s >= 1.0 && *s > s2 * 1.5).then_some(*c),
    }
}

/// How much a mention in `unit` says "this council was reviewed".
fn mention_weight(unit: &str) -> f32 {
    static INVITED: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(?i)\binvit\w* (?:us|the (?:peer )?team|the lga|peers)\b|\bpeer (?:challenge|review) (?:of|in|at|for)\b|\b(?:challenge|review) of (?:its |their )?(?:adult|children)|\bwelcome (?:we received|to)\b")
    });
    if INVITED.is_match(unit) {
        3.0
    } else if ROLE_LINE.is_match(unit) || crate::cues::is_pointer(unit) {
        // Where the peers came from, or another council's practice worth learning from.
        0.2
    } else {
        1.0
    }
}

/// "amanda.evans@kirklees.gov.uk", "www.kirklees.gov.uk": a council's own address names it,
/// also where the name itself is only in a logo. The LGA's (local.gov.uk) names none.
fn add_domain_mentions(text: &str, councils: &Councils, score: &mut HashMap<usize, f32>) {
    static DOMAIN: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)(?:@|\bwww\.)([a-z][a-z-]{2,40})\.gov\.uk\b"));
    for cap in DOMAIN.captures_iter(text).take(50) {
        if let Some(i) = stem_council(&cap[1].to_lowercase(), councils) {
            *score.entry(i).or_default() += 1.0;
        }
    }
}

/// Council web sites whose host is not one of the council's names (corpus/council_hosts.csv):
/// stem → GSS code.
static HOST_STEMS: LazyLock<HashMap<String, String>> = LazyLock::new(|| host_stems(include_str!("../../../corpus/council_hosts.csv")));

fn host_stems(csv: &str) -> HashMap<String, String> {
    csv.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("stem,"))
        .filter_map(|l| {
            let mut cols = l.splitn(3, ',');
            Some((cols.next()?.trim().to_lowercase(), cols.next()?.trim().to_string()))
        })
        .collect()
}

/// What the source says of itself: the council it is known to belong to (strong: the user
/// said so), and the council whose domain published it. A council publishes its minutes,
/// reports and news under `<name>.gov.uk` (or a hosted `<name>.moderngov.co.uk`), often
/// writing only "the Council"; the LGA's, the CQC's and aggregators' hosts name none.
fn add_origin_mentions(hints: &Hints, councils: &Councils, score: &mut HashMap<usize, f32>) {
    if let Some(i) = hints.council.as_deref().and_then(|c| councils.lookup(c)).and_then(|c| index_of(councils, c)) {
        *score.entry(i).or_default() += 10.0;
    }
    if let Some(i) = hints.url.as_deref().and_then(host_stem).and_then(|s| stem_council(&s, councils)) {
        *score.entry(i).or_default() += 5.0;
    }
}

/// The council part of a URL's host: the label before `.gov.uk` or `.moderngov.co.uk`
/// ("democracy.telford.gov.uk" → "telford"); `None` for other hosts.
fn host_stem(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next()?.split(':').next()?.to_lowercase();
    let base = host.strip_suffix(".gov.uk").or_else(|| host.strip_suffix(".moderngov.co.uk"))?;
    base.rsplit('.').next().filter(|s| !s.is_empty()).map(str::to_string)
}

/// The council a domain stem names: the table of stems that are no name of the council, a
/// name as written ("bexley", "telford"), or a name run together ("eastsussex",
/// "redcar-cleveland" for Redcar and Cleveland).
fn stem_council(stem: &str, councils: &Councils) -> Option<usize> {
    if let Some(gss) = HOST_STEMS.get(stem) {
        return councils.all().iter().position(|c| &c.gss_code == gss);
    }
    if let Some(i) = councils.lookup(&stem.replace('-', " ")).and_then(|c| index_of(councils, c)) {
        return Some(i);
    }
    let key = compact(stem);
    councils.all().iter().position(|c| c.variants.iter().any(|v| compact(v) == key || compact(&v.replace(" and ", " ")) == key))
}

/// Letters and digits only, lower-cased: how a name is written in a host.
fn compact(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

fn index_of(councils: &Councils, c: &peerscope_model::Council) -> Option<usize> {
    councils.all().iter().position(|x| x.gss_code == c.gss_code)
}

/// Councils already mentioned gain what the text says of them without their name: their
/// initials ("HCC" for Hertfordshire County Council, "RMBC"), and "the City Council" /
/// "the County Council" when that is the kind of council they are. Shared initials are
/// split between the councils that share them.
fn add_implied_mentions(text: &str, councils: &Councils, score: &mut HashMap<usize, f32>) {
    let candidates: Vec<usize> = score.keys().copied().collect();
    let initials = |i: usize| -> String {
        councils.get(i).official_name.split_whitespace().filter_map(|w| w.chars().next()).filter(|c| c.is_uppercase()).collect()
    };
    let mut by_initials: HashMap<String, Vec<usize>> = HashMap::default();
    for &c in &candidates {
        let abbr = initials(c);
        if abbr.len() >= 3 {
            by_initials.entry(abbr).or_default().push(c);
        }
    }
    let words: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() >= 3 && w.chars().all(|c| c.is_ascii_uppercase())).collect();
    for (abbr, owners) in &by_initials {
        let n = words.iter().filter(|w| *w == abbr).count().min(10) as f32;
        for &c in owners {
            *score.entry(c).or_default() += n / owners.len() as f32;
        }
    }
    // The phrases are ASCII: ASCII lower case finds them, at a fraction of Unicode's cost
    // over a whole document.
    let lower = text.to_ascii_lowercase();
    for (phrase, kind) in [("the city council", "City Council"), ("the county council", "County Council")] {
        let n = lower.matches(phrase).count().min(10) as f32;
        let owners: Vec<usize> = candidates.iter().copied().filter(|&c| councils.get(c).official_name.contains(kind)).collect();
        for &c in &owners {
            *score.entry(c).or_default() += 0.5 * n / owners.len() as f32;
        }
    }
}

static DAY_SPAN: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b\d{1,2}(?:st|nd|rd|th)?\s*(?:[-–—]|to|and|until)\s*\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:january|february|march|april|may|june|july|august|september|october|november|december),?\s+(20[0-3]\d)\b")
});
/// "2023/24", "2023-24": a financial year, not a date.
static FINANCIAL_YEAR: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*[/–-]\s*(?:20)?\d\d\b"));

/// The year the peer team was on site: years in sentences about the visit weigh most.
pub fn review_year(text: &str, title: &str, hints: &Hints) -> Option<i32> {
    static YEAR: LazyLock<Regex> = LazyLock::new(|| re(r"\b(20[0-3]\d)\b"));
    static VISIT: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(?i)took place|on[- ]site|\bvisit|conducted|undertaken|carried out|between the|spent (?:three|two|four|\d) days|commissioned|\b(?:team|peers|reviewers?) (?:were|was) with\b|\bfor (?:one|two|three|four|five|a|\d) (?:weeks?|days)\b")
    });
    static REVIEW: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)peer (?:challenge|review)|the (?:challenge|review)\b"));
    // The next review, or the last one: a sentence dating another review than this one.
    static FUTURE: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(?i)\b(?:in readiness for|next|future|will|upcoming|planned|due to)\b|\b(?:last|previous|earlier|prior) (?:\w+ )?(?:peer )?(?:review|challenge)")
    });
    let mut score: HashMap<i32, f32> = HashMap::default();
    // A span of days ("12–15 October 2021", "26th - 28th November 2018") is the visit: a
    // letter or a meeting is dated by a single day.
    for c in DAY_SPAN.captures_iter(text) {
        if let Some(y) = c.get(1).and_then(|m| m.as_str().parse::<i32>().ok()) {
            *score.entry(y).or_default() += 3.0;
        }
    }
    for sentence in text.split(['.', '\n']) {
        // Only a sentence naming a year can score one: the others skip the two searches
        // for a visit and a review (most sentences, and most of this function's time).
        if memchr::memmem::find(sentence.as_bytes(), b"20").is_none() {
            continue;
        }
        let visit = VISIT.is_match(sentence);
        let review = REVIEW.is_match(sentence);
        if !visit && !review {
            continue;
        }
        let weight = if FUTURE.is_match(sentence) { 0.3 } else { 1.0 } * (if visit { 2.0 } else { 0.0 } + if review { 1.0 } else { 0.0 });
        // A sentence naming several years is weaker evidence for each of them.
        let years: Vec<i32> = YEAR
            .captures_iter(sentence)
            .filter(|c| c.get(0).is_some_and(|m| !FINANCIAL_YEAR.is_match(&sentence[m.end()..]) && !names_a_statute(&sentence[..m.start()])))
            .filter_map(|c| c[1].parse::<i32>().ok())
            .collect();
        for &y in &years {
            *score.entry(y).or_default() += weight / years.len() as f32;
        }
    }
    for y in YEAR.captures_iter(title).filter_map(|c| c[1].parse::<i32>().ok()) {
        *score.entry(y).or_default() += 3.0;
    }
    for y in report_dates(text).into_iter().chain(url_year(hints)) {
        *score.entry(y).or_default() += 3.0;
    }
    if score.is_empty() {
        return most_frequent_year(text);
    }
    score.into_iter().max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0))).map(|(y, _)| y)
}

/// When no sentence dates the visit: the year the document names most, a full date ("7 March
/// 2019", a press release's or a presentation's date) counting twice, since a bare year in
/// prose as often dates what came before or what is planned ("introduced in 2017", "to start
/// in 2019"); of years as strong, the earliest. Neither a span of years ("Strategy 2021/25",
/// "in 2019/20") nor a statute's year dates a visit.
fn most_frequent_year(text: &str) -> Option<i32> {
    static YEAR: LazyLock<Regex> = LazyLock::new(|| re(r"\b(20[0-3]\d)\b"));
    static DAY_MONTH: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(?i)\b\d{1,2}(?:st|nd|rd|th)?\s+(?:january|february|march|april|may|june|july|august|september|october|november|december),?\s+$")
    });
    let mut score: HashMap<i32, u32> = HashMap::default();
    for m in YEAR.find_iter(text).filter(|m| !names_a_statute(&text[..m.start()]) && !FINANCIAL_YEAR.is_match(&text[m.end()..])) {
        let from = (m.start().saturating_sub(24)..m.start()).find(|&i| text.is_char_boundary(i)).unwrap_or(m.start());
        let before = &text[from..m.start()];
        // The end of a span ("Strategy 2021/2025") dates no more than its start.
        if ends_a_span(before) {
            continue;
        }
        if let Ok(y) = m.as_str().parse::<i32>() {
            *score.entry(y).or_default() += if DAY_MONTH.is_match(before) { 2 } else { 1 };
        }
    }
    score.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(y, _)| y)
}

/// Whether the text before a year is a year and a span's separator ("2021/", "2019 – ").
fn ends_a_span(before: &str) -> bool {
    let t = before.trim_end();
    let Some(t) = t.strip_suffix(['/', '-', '–']) else { return false };
    let t = t.trim_end();
    t.len() >= 4 && t.is_char_boundary(t.len() - 4) && t[t.len() - 4..].chars().all(|c| c.is_ascii_digit())
}

/// "the Care Act 2014", "the Local Government Act 1999": a year in a statute's name dates
/// the law, not the visit.
fn names_a_statute(before: &str) -> bool {
    before.trim_end().ends_with(" Act")
}

/// The date line of a peer team's report ("Final report: February 2024", "Feedback report:
/// 6 - 8 June 2023"): the report follows the visit by weeks, so when no sentence dates the
/// visit the report's own date is the best evidence of it.
fn report_dates(text: &str) -> Vec<i32> {
    static DATELINE: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(?im)^(?:final |feedback |draft )?report:?\s+(?:\d{1,2}(?:st|nd|rd|th)?\s*(?:[-–]\s*\d{1,2}(?:st|nd|rd|th)?\s+)?)?(?:january|february|march|april|may|june|july|august|september|october|november|december),?\s+(20[0-3]\d)\s*$")
    });
    DATELINE.captures_iter(text).take(3).filter_map(|c| c[1].parse().ok()).collect()
}

/// A page's address often carries the review's year in its slug ("/lga-peer-challenge-2024/"):
/// a year in a path segment that names the review.
fn url_year(hints: &Hints) -> Option<i32> {
    static SEGMENT_YEAR: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)(?:peer|review|challenge)[\w-]*?[-_](20[0-3]\d)\b|\b(20[0-3]\d)[-_][\w-]*?(?:peer|review|challenge)"));
    let url = hints.url.as_deref()?;
    let path = url.split_once("://").map_or(url, |(_, r)| r).split_once('/')?.1;
    path.split('/').find_map(|seg| SEGMENT_YEAR.captures(seg)).and_then(|c| c.get(1).or_else(|| c.get(2))).and_then(|m| m.as_str().parse().ok())
}

/// Who ran the review, by the weight of each programme's vocabulary.
pub fn review_type(text: &str) -> ReviewType {
    static LGA: LazyLock<Regex> = LazyLock::new(|| METADATA.regex("lga_programme"));
    static ADASS: LazyLock<Regex> = LazyLock::new(|| METADATA.regex("adass_programme"));
    static INSPECTION: LazyLock<Regex> = LazyLock::new(|| METADATA.regex("inspection"));
    static PEER: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)peer (?:challenge|review)"));
    // Each search runs only as far as the decision needs: whether a peer review is named at
    // all; which body is named more often only when one is; two signs of an inspection.
    if !PEER.is_match(text) {
        return if INSPECTION.find_iter(text).take(2).count() >= 2 { ReviewType::Inspection } else { ReviewType::None };
    }
    let lga = LGA.find_iter(text).count();
    let adass = ADASS.find_iter(text).count();
    if lga > 0 || adass > 0 {
        return if lga > adass { ReviewType::LgaPeerChallenge } else { ReviewType::AdassRegionalPeerChallenge };
    }
    ReviewType::Unknown
}

/// Minutes, an officer's report, the peer team's own report, a press release, or a page.
pub fn doc_kind(text: &str) -> DocKind {
    static MINUTES: LazyLock<Regex> = LazyLock::new(|| METADATA.regex("minutes_signs"));
    static REPORT: LazyLock<Regex> = LazyLock::new(|| METADATA.regex("officer_report_signs"));
    static PRESS: LazyLock<Regex> = LazyLock::new(|| METADATA.regex("press_release_signs"));
    // A spokesperson quoted. Its bounded gap makes the lazy DFA slow wherever a title
    // ("director", "leader") starts a candidate, which is every few lines of a letter, so it
    // runs only on texts holding its one fixed part (a quarter of doc_kind's time before).
    static QUOTED: LazyLock<Regex> = LazyLock::new(|| re(r#"(?i)(?:councillor|cllr|cabinet member|leader|director|chief executive)\b[^.\n]{0,80}, said:?\s*["“]"#));
    static SAID: LazyLock<Regex> = LazyLock::new(|| re(r"(?i), said"));
    static PEER: LazyLock<Regex> = LazyLock::new(|| METADATA.regex("peer_report_signs"));
    let minutes = MINUTES.find_iter(text).count();
    let report = REPORT.find_iter(text).count();
    if minutes >= 2 && minutes >= report {
        DocKind::ScrutinyMinutes
    } else if report >= 2 {
        DocKind::ScrutinyReport
    } else if PRESS.is_match(text) || (SAID.is_match(text) && QUOTED.is_match(text)) {
        DocKind::PressRelease
    } else if PEER.is_match(text) {
        DocKind::PeerReport
    } else {
        DocKind::WebPage
    }
}

/// [`doc_kind`], with where the document was published: a council's newsroom (`news.` host,
/// `/news/` or `/press-release` path) publishes press releases, whatever their wording.
pub fn doc_kind_at(text: &str, hints: &Hints) -> DocKind {
    let kind = doc_kind(text);
    let newsroom = hints.url.as_deref().is_some_and(|u| {
        let rest = u.split_once("://").map_or(u, |(_, r)| r).to_lowercase();
        rest.starts_with("news.") || rest.starts_with("newsroom.") || rest.contains("/news/") || rest.contains("/press-release") || rest.contains("/newsroom/")
    });
    if newsroom && matches!(kind, DocKind::PeerReport | DocKind::WebPage) {
        DocKind::PressRelease
    } else {
        kind
    }
}

/// What was reviewed: the title decides when it says; otherwise the balance of the text.
pub fn service(text: &str, title: &str) -> Service {
    static CHILDREN: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)children(?:.?s)? (?:services|social care)|\bofsted\b|\bSEND\b|children and young people|early help|looked after children"));
    static CORPORATE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)corporate peer challenge"));
    static SAFEGUARDING: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)safeguarding adults (?:board )?(?:peer|review)|adults?(?:'|’)? safeguarding (?:peer|review|challenge)|making safeguarding personal (?:peer|review)"));
    static HWB: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)health and well-?being (?:board )?peer"));
    static FINANCE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)financ\w* (?:resilience )?(?:peer )?(?:challenge|review)"));
    static ADULTS: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)adult (?:social )?care|adults?(?:'|’)? services|adults with|\bASC\b|adult social services|adults and (?:communities|health|social care|wellbeing|housing)|social care for adults|care and support (?:peer|review)"));
    for (pattern, service) in [
        (&*SAFEGUARDING, Service::SafeguardingAdults),
        (&*CHILDREN, Service::ChildrensServices),
        (&*CORPORATE, Service::Corporate),
        (&*HWB, Service::HealthAndWellbeing),
        (&*FINANCE, Service::Finance),
    ] {
        if pattern.is_match(title) {
            return service;
        }
    }
    if ADULTS.is_match(title) {
        return Service::AdultSocialCare;
    }
    let adults = ADULTS.find_iter(text).count();
    let children = CHILDREN.find_iter(text).count();
    // A "Safeguarding Peer Review" that says not whose safeguarding is the children's where
    // the text speaks more of children than of adults.
    let unqualified_safeguarding = if children > adults { Service::ChildrensServices } else { Service::SafeguardingAdults };
    if let Some(named) = service_named_by_review(text, unqualified_safeguarding) {
        return named;
    }
    let corporate = CORPORATE.find_iter(text).count();
    if adults == 0 && children == 0 && corporate == 0 {
        return Service::Other;
    }
    if children > adults && children >= corporate {
        Service::ChildrensServices
    } else if corporate > adults {
        Service::Corporate
    } else {
        Service::AdultSocialCare
    }
}

/// The service a review's own name gives, where the text names the review ("the Children
/// Services Safeguarding Peer Review", "the LGA Finance Peer Challenge", "a Peer Review which
/// focussed on Adult Safeguarding", "local authority assessment"): the most often named wins;
/// `None` when no name says, or two say equally often. A safeguarding review named without
/// saying whose counts as `unqualified_safeguarding`.
fn service_named_by_review(text: &str, unqualified_safeguarding: Service) -> Option<Service> {
    static NAMES: LazyLock<Vec<(Option<Service>, Regex)>> = LazyLock::new(|| {
        [
            (Some(Service::ChildrensServices), r"(?i)child(?:ren)?(?:'|’)?s?(?: services)?(?: safeguarding)? peer (?:review|challenge)|peer (?:review|challenge)s? (?:of|into|on|focus(?:s)?ed on) children"),
            (Some(Service::SafeguardingAdults), r"(?i)adults?(?:'|’)? safeguarding(?: board)? peer (?:review|challenge)|safeguarding adults(?: board)? peer (?:review|challenge)|peer (?:review|challenge)s? (?:which |that )?(?:of|into|on|focus(?:s)?ed on) adults?(?:'|’)? safeguarding|peer (?:review|challenge)s? (?:which |that )?(?:of|into|on|focus(?:s)?ed on) safeguarding adults"),
            (None, r"(?i)safeguarding(?: board)? peer (?:review|challenge)"),
            (Some(Service::Corporate), r"(?i)corporate peer (?:review|challenge)"),
            (Some(Service::Finance), r"(?i)financ\w* (?:resilience |improvement )?peer (?:review|challenge)"),
            (Some(Service::HealthAndWellbeing), r"(?i)health and well-?being (?:board )?peer"),
            (Some(Service::AdultSocialCare), r"(?i)adult social care (?:peer|preparation for assurance)|local authority assessment"),
        ]
        .into_iter()
        .map(|(service, pattern)| (service, re(pattern)))
        .collect()
    });
    // A name inside a longer, earlier-listed one is not a second name: "Children Services
    // Safeguarding Peer Review" is a children's review, not also a safeguarding one.
    let mut claimed: Vec<std::ops::Range<usize>> = Vec::new();
    let mut counts: Vec<(Service, usize)> = Vec::new();
    for (named, pattern) in NAMES.iter() {
        let service = named.unwrap_or(unqualified_safeguarding);
        let mut n = 0;
        for m in pattern.find_iter(text).take(20) {
            if !claimed.iter().any(|r| r.start < m.end() && m.start() < r.end) {
                claimed.push(m.range());
                n += 1;
            }
        }
        if n > 0 {
            match counts.iter_mut().find(|(s, _)| *s == service) {
                Some((_, total)) => *total += n,
                None => counts.push((service, n)),
            }
        }
    }
    let best = counts.iter().map(|(_, n)| *n).max()?;
    let mut leaders = counts.iter().filter(|(_, n)| *n == best);
    let first = leaders.next()?.0;
    leaders.next().is_none().then_some(first)
}

/// A short heading near the top that names the review, else the page's own title.
pub fn title(text: &str, hints: &Hints) -> Option<String> {
    static NAMES_REVIEW: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)peer (?:challenge|review)|preparation for assurance"));
    static NAMES_PROGRAMME: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)sector[- ]led"));
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).take(60).collect();
    // A letter's subject line ("RE: SUFFOLK ADULT SOCIAL CARE PEER CHALLENGE, 6th - 8th
    // November 2017") or a heading naming the review, before one naming only the programme.
    let titled = |re: &Regex, l: &str| re.is_match(l) && crate::structure::is_heading(l) && !l.to_lowercase().contains("team");
    let found = lines
        .iter()
        .find_map(|l| subject(l).filter(|s| NAMES_REVIEW.is_match(s)))
        .or_else(|| lines.iter().copied().find(|l| titled(&NAMES_REVIEW, l)))
        .or_else(|| lines.iter().copied().find(|l| titled(&NAMES_PROGRAMME, l)));
    if let Some(l) = found {
        return Some(l.trim_end_matches(':').to_string());
    }
    let page = hints.title.as_deref().map(|t| t.split(" | ").next().unwrap_or(t).trim()).filter(|t| !t.is_empty());
    page.map(str::to_string)
}

/// The subject of a letter's "RE: ..." line.
fn subject(line: &str) -> Option<&str> {
    ["RE: ", "Re: ", "Subject: "].iter().find_map(|p| line.strip_prefix(p))
}

/// A title made from what is known, for documents that carry none; it says so, so that
/// no one cites it as the document's own (regression: it read like a publisher's title).
/// No year: wherever a title is shown, the review's year is shown beside it.
pub fn composed_title(council: Option<&str>, review_type: ReviewType, doc_kind: DocKind) -> String {
    let review = match review_type {
        ReviewType::LgaPeerChallenge => "LGA peer challenge",
        ReviewType::AdassRegionalPeerChallenge => "regional ADASS peer challenge",
        ReviewType::Inspection => "inspection",
        ReviewType::None | ReviewType::Unknown => "document",
    };
    format!("{} – {review}, {} (untitled: described by peerscope)", council.unwrap_or("Unknown council"), doc_kind.label())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_is_when_the_team_was_on_site() {
        let t = "Date: 3rd May 2016\nThe adult social care peer challenge took place between the 21st and 23rd March 2016.\nThe letter is dated 5 April 2016.";
        assert_eq!(review_year(t, "Adult Social Care Peer Challenge", &Hints::default()), Some(2016));
        let t = "the findings of the LGA peer review report commissioned by the service in December 2023. In readiness for a peer review by ADASS in January 2025.";
        assert_eq!(review_year(t, "", &Hints::default()), Some(2023));
        let t = "The Peer Review took place in February 2020. The plans as a result of the Peer Review and the Business Plan 2018-2022 (discussed in January 2019) were undertaken.";
        assert_eq!(review_year(t, "", &Hints::default()), Some(2020));
        // Regression: Croydon's press release (visit "in November last year") was dated 2021
        // by its only year, that of a strategy: no year is better than a wrong one.
        let t = "Peers met 140 people across the service in November last year. This is supported by the Adult Social Care and Health Strategy 2021/25.";
        assert_eq!(review_year(t, "", &Hints::default()), None);
        // A full date outweighs a bare year in prose (a plan or a history), which alone ties.
        let t = "Press release, 2 August 2024\nThe council began its transformation in April 2023.";
        assert_eq!(review_year(t, "", &Hints::default()), Some(2024));
        let t = "Feedback presentation – 7 March 2019\nThe practice model introduced in 2017. Fees will rise in 2019/20.";
        assert_eq!(review_year(t, "", &Hints::default()), Some(2019));
        // Nor does a span's end ("2021/2025", "2016 - 2021").
        let t = "Peers met staff in November last year, guided by the Strategy 2021/2025 and the plan 2016 - 2021.";
        assert_eq!(review_year(t, "", &Hints::default()), None);
        let t = "Feedback presentation – 7 March 2019\nThe practice model introduced in 2017.";
        assert_eq!(review_year(t, "", &Hints::default()), Some(2019));
    }

    #[test]
    fn review_type_by_programme_vocabulary() {
        assert_eq!(review_type("The LGA peer review report. A peer review by ADASS next year. LGA"), ReviewType::LgaPeerChallenge);
        assert_eq!(review_type("The peer challenge forms part of ADASS's programme of sector led improvement"), ReviewType::AdassRegionalPeerChallenge);
        assert_eq!(review_type("The budget was set."), ReviewType::None);
        // A region's name alone is not a regional ADASS programme.
        assert_eq!(review_type("The West Midlands Quality Review Service peer review of stroke services."), ReviewType::Unknown);
        assert_eq!(review_type("A Partners in Care and Health peer challenge."), ReviewType::LgaPeerChallenge);
        assert_eq!(review_type("A TEASC peer challenge of adult social care."), ReviewType::AdassRegionalPeerChallenge);
        assert_eq!(review_type("The team came from around the West Midlands for the peer review."), ReviewType::AdassRegionalPeerChallenge);
    }

    #[test]
    fn the_service_under_its_many_names() {
        for (title, want) in [
            ("Adults and Communities Peer Challenge", Service::AdultSocialCare),
            ("Peer Challenge of Adults' Services", Service::AdultSocialCare),
            ("Care and Support Peer Review", Service::AdultSocialCare),
            ("Making Safeguarding Personal peer review", Service::SafeguardingAdults),
            ("Financial Resilience Peer Review", Service::Finance),
            ("Children's Services Peer Review", Service::ChildrensServices),
        ] {
            assert_eq!(service(&format!("{title}\nThe peer team found a committed workforce."), title), want, "{title}");
        }
    }

    #[test]
    fn a_council_address_names_the_council() {
        let councils = Councils::builtin().unwrap();
        let t = "It also suggested that the council speaks to Barnsley, whose framework has widened choice.\nContact officer: amanda.evans@kirklees.gov.uk\nSee www.kirklees.gov.uk and www.local.gov.uk";
        let c = reviewed_council(t, "", &Hints::default(), &councils).map(|i| councils.get(i).name.clone());
        assert_eq!(c.as_deref(), Some("Kirklees"));
    }

    fn url(u: &str) -> Hints {
        Hints { url: Some(u.to_string()), ..Hints::default() }
    }

    fn council_of(t: &str, hints: &Hints) -> Option<String> {
        let councils = Councils::builtin().unwrap();
        reviewed_council(t, "", hints, &councils).map(|i| councils.get(i).name.clone())
    }

    #[test]
    fn the_publishing_host_names_the_council() {
        let t = "The peer challenge team were asked to examine how the Council was progressing.";
        for (u, want) in [
            ("https://democracy.telford.gov.uk/ieIssueDetails.aspx?IId=6986", "Telford and Wrekin"),
            ("http://egenda.stockton.gov.uk/aksstockton/users/public/admin/kab10.pl", "Stockton-on-Tees"),
            ("https://www.eastsussex.gov.uk/news", "East Sussex"),
            ("https://www.redcar-cleveland.gov.uk/x", "Redcar and Cleveland"),
            ("https://lbhf.moderngov.co.uk/mgAi.aspx?ID=1", "Hammersmith and Fulham"),
        ] {
            assert_eq!(council_of(t, &url(u)).as_deref(), Some(want), "{u}");
        }
        // The LGA's, the CQC's and aggregators' hosts name no council.
        for u in ["https://www.local.gov.uk/our-support/x", "https://www.cqc.org.uk/x", "https://docslib.org/doc/1"] {
            assert_eq!(council_of(t, &url(u)), None, "{u}");
        }
        let known = Hints { council: Some("York".into()), ..Hints::default() };
        assert_eq!(council_of(t, &known).as_deref(), Some("York"));
    }

    #[test]
    fn every_host_stem_names_a_council() {
        let councils = Councils::builtin().unwrap();
        for (stem, gss) in HOST_STEMS.iter() {
            assert!(councils.all().iter().any(|c| &c.gss_code == gss), "{stem} → {gss}");
        }
        assert!(HOST_STEMS.len() >= 20);
    }

    #[test]
    fn a_directorate_is_no_role() {
        assert_eq!(council_of("Examine how York was progressing as a Peoples Directorate.", &Hints::default()).as_deref(), Some("York"));
    }

    #[test]
    fn years_that_are_not_the_visit() {
        // A statute's year; the report's date line when no sentence dates the visit.
        let t = "Final Report: February 2024\nThe primary objective of the peer challenge was to test duties under Part 1 of the Care Act 2014.";
        assert_eq!(review_year(t, "", &Hints::default()), Some(2024));
        let t = "Final report: August 2023\nOn 10th June 2021 commissioners were appointed. The Best Value report was published on 24th March 2021.";
        assert_eq!(review_year(t, "", &Hints::default()), Some(2023));
        // The page's slug names the review's year.
        let h = url("https://torbay.gov.uk/adult-social-care/lga-peer-challenge-2024/lga-peer-review-report");
        assert_eq!(review_year("The peer team met staff (in March 25).", "", &h), Some(2024));
        assert_eq!(url_year(&url("https://democracy.york.gov.uk/mgAi.aspx?ID=2019")), None);
        // Time with the council is the visit; the audit before it and the last review are not.
        let t = "The team were with the council, virtually, for one week during March 2021. The process also included a case audit during November 2020.";
        assert_eq!(review_year(t, "", &Hints::default()), Some(2021));
        let t = "The Director was commissioning a Peer Review which focussed on Adult Safeguarding for 2020. The last Peer Review in the borough was in 2018 and focussed on resources.";
        assert_eq!(review_year(t, "", &Hints::default()), Some(2020));
    }

    #[test]
    fn records_of_meetings_are_minutes() {
        for t in [
            "Issue - meetings\nAdult Social Care Peer Challenge Feedback\nMeeting: 27/05/2021 - Cabinet (Item 75)\nRESOLVED that the findings be noted.",
            "View Cabinet Decision Record\nCabinet Decision: 24th April 2014\nRecord of the Decision\nConsideration was given to a report that summarised the peer review.",
            "Agenda item\nThe Scrutiny Board considered a briefing note on the Peer Challenge. Councillor Abbott attended the meeting for this item.",
            "Agenda item\nMembers received a presentation on the peer challenge. The Corporate Director was in attendance.",
            "Issue - decisions\nImprovement Plan for Adult Social Care\nRESOLVED: That the advice of the Advisory Panel be accepted.",
            "Corporate Peer Challenge - Report of Assistant Chief Executive\nThe Cabinet considered a report of the Assistant Chief Executive.\nThat the recommendations contained in the report be approved.",
            "Agenda item\nThe Cabinet member for health and wellbeing introduced the report on the peer challenge.",
            // A ModernGov decision page (mgDecisionDetails.aspx) writes its fields one to a line.
            "Decision details\nPeer Challenge - Outcome\nDecision Maker: Executive\nDecision status: Recommendations Approved\nIs Key decision?: No\nReasons for the decision:\nThe peer team found strong leadership.",
        ] {
            assert_eq!(doc_kind(t), DocKind::ScrutinyMinutes, "{t}");
        }
    }

    #[test]
    fn an_officers_report_to_a_committee() {
        let t = "Local Members' Interest\nN/A\nPeer Challenge of Adult Social Care\nRecommendations\nI recommend that the Select Committee:\na. Notes the findings.\nReport of Cllr Alan Whitehouse, Cabinet Member for Health\nWhat is the Select Committee being asked to do and why?\nThe peer team found a committed workforce.";
        assert_eq!(doc_kind(t), DocKind::ScrutinyReport);
    }

    #[test]
    fn press_releases_by_voice_and_by_newsroom() {
        let t = "Peer review praises adult care\nThe peer team found strong partnerships.\nCllr Jane Smith, Cabinet Member for Adults, said: “We are delighted.”";
        assert_eq!(doc_kind(t), DocKind::PressRelease);
        // The voice is looked for only where ", said" is: in any case, as the voice itself.
        assert_eq!(doc_kind(&t.to_uppercase()), DocKind::PressRelease);
        assert_eq!(doc_kind(&t.replace(", said", " said")), DocKind::PeerReport);
        let t = "Peer review praises adult care. The peer team found strong partnerships.";
        assert_eq!(doc_kind_at(t, &url("https://news.croydon.gov.uk/peer-review")), DocKind::PressRelease);
        assert_eq!(doc_kind_at(t, &url("https://www.local.gov.uk/our-support/peer-report")), DocKind::PeerReport);
    }

    #[test]
    fn programmes_by_their_full_names() {
        assert_eq!(review_type("Association Of Directors Of Adult Social Services - Peer Challenge Of Telford"), ReviewType::AdassRegionalPeerChallenge);
        assert_eq!(review_type("Devon County Council adult social care preparation for assurance peer challenge"), ReviewType::LgaPeerChallenge);
        assert_eq!(review_type("Cathie Williams, London Councils, reported the Peer Review's findings."), ReviewType::AdassRegionalPeerChallenge);
        assert_eq!(review_type("The peer challenge was supported by a sector-led regional board."), ReviewType::AdassRegionalPeerChallenge);
        assert_eq!(service("Adults Safeguarding Peer Challenge\nThe review was on site.", "Adults Safeguarding Peer Challenge"), Service::SafeguardingAdults);
    }

    #[test]
    fn the_review_named_in_the_text_says_what_was_reviewed() {
        for (text, want) in [
            ("The Committee considered the report of the Children Services Safeguarding Peer Review by the LGA.", Service::ChildrensServices),
            ("The Director was commissioning a Peer Review which focussed on Adult Safeguarding for 2020.", Service::SafeguardingAdults),
            ("Recommendations arising from the LGA Finance Peer Challenge 21 to 24 January 2025", Service::Finance),
            ("Hertfordshire County Council: local authority assessment. Overall summary.", Service::AdultSocialCare),
            ("Progress on the Corporate Peer Challenge action plan was noted.", Service::Corporate),
        ] {
            assert_eq!(service(text, ""), want, "{text}");
        }
        // Two names as often as each other say nothing; the balance of the text decides.
        assert_eq!(service_named_by_review("a corporate peer challenge and a finance peer challenge", Service::SafeguardingAdults), None);
        // A safeguarding review that does not say whose: the children's where children are
        // spoken of more than adults.
        let t = "105 Safeguarding Peer Review\nTo consider the Safeguarding Peer Review.\nThe report of the Children Services Safeguarding Peer Review. The Deputy Director of Children Services attended.";
        assert_eq!(service(t, ""), Service::ChildrensServices);
        let t = "Update on the Safeguarding Peer Review\nThe review of adult social care safeguarding was welcomed by adult social care staff.";
        assert_eq!(service(t, ""), Service::SafeguardingAdults);
    }

    #[test]
    fn peer_team_councils_do_not_win() {
        let councils = Councils::builtin().unwrap();
        let t = "Joy Hollister, Strategic Director of Adult Care, Derbyshire County Council\nLeicester City Council Adult Social Care Peer Review\nOur time in Leicester was useful.";
        let c = reviewed_council(t, "", &Hints::default(), &councils).map(|i| councils.get(i).name.clone());
        assert_eq!(c.as_deref(), Some("Leicester"));
        assert_eq!(reviewed_council("Nothing named here.", "", &Hints::default(), &councils), None);
    }
}
