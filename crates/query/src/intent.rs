//! What a person typed, read as an intent (which kinds of finding) and a topic.
//!
//! "councils flagged for review performance" → weaknesses and recommendations about
//! "review performance"; "praised for carers support" → strengths about carers.

use std::sync::LazyLock;

use peerscope_model::{Councils, FindingKind, ReviewType, Taxonomy};

use crate::filter::Filter;
use regex_lite::Regex;
use serde::Serialize;

use FindingKind::*;

/// The intent of a query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Intent {
    pub kinds: Vec<FindingKind>,
    pub topic: String,
    /// Themes of the taxonomy the topic names.
    pub themes: Vec<String>,
    /// Filters typed in the query: "in the North East", "since 2018", "LGA", a council's name.
    pub filter: Filter,
    /// "Quoted phrases" that must occur as written.
    pub phrases: Vec<String>,
}

impl Intent {
    /// Whether the question asks for themes that recur ("recurring themes in the North
    /// West"): findings rarely say so, and `themes` (the Themes page) answers it.
    pub fn asks_for_themes(&self) -> bool {
        content_words(&self.topic).iter().any(|w| THEME_WORDS.contains(&w.as_str()))
    }
}

/// Words that ask for themes across councils rather than for findings.
const THEME_WORDS: &[&str] = &["recurring", "recurrent", "themes", "trends", "patterns"];

/// A question's patterns are compiled by `regex-lite`: a question is a line, so its
/// patterns need no fast engine, and compiling the full `regex` engine's automata for them
/// was a millisecond of every query's start-up. Its `\b`, `\s`, `\d` and `(?i)` are ASCII,
/// as the lexicons' are (`peerscope_model::pattern`).
fn lite(pattern: &str) -> Result<Regex, regex_lite::Error> {
    Regex::new(pattern)
}

static LEAD: LazyLock<Regex> = LazyLock::new(|| {
    lite(r"^(?:(?:which|what|show(?: me)?|list|find|all|any|compare|comparing)\s+)*(?:(?:tell me(?: about)?|(?:did|does|do)(?: the)?(?: (?:peer (?:team|reviewers?|challenges?|reviews?)|peers|reviewers?|reviews?|lga|adass)(?:(?: \w+)? (?:say|said|find|found|report|reported|think|thought|note|noted)(?: about| on| of)?)?)?|(?:has|have) (?:the )?(?:peer (?:team|reviewers?|challenges?|reviews?)|peers|reviewers?|reviews?|lga|adass)(?: \w+)? (?:say|said|find|found|report|reported|think|thought|note|noted)(?: about| on| of)?)\s+)?(?:(?:councils?|local authorities|authorities|las)\s+)?(?:(?:(?:that|who|which|where)\s+)?(?:were|was|are|is|have been|has been|got)\s+)?")
        .unwrap_or_else(|e| panic!("{e}"))
});

/// Intent phrases, most specific first, with the kinds they ask for. Each is a cue and the
/// little word that may follow it ("flagged for", "concerns about"); a cue at the end of a
/// question counts as well ("concerns in London" once the region is read, "workforce risks").
static PHRASES: LazyLock<Vec<(Regex, Vec<FindingKind>)>> = LazyLock::new(|| {
    [
        (r"(?:best|good|notable) practice", "for|in|on|around|with", vec![BestPractice, Strength]),
        (r"who (?:does|do|did|is doing|are doing) (?:well|best|good work)|who (?:does|do)|who (?:is|are) good at|learn(?:ing)? from others on|examples of good", "on|in|at|for|with|around", vec![BestPractice, Strength]),
        (r"(?:praised?|commended|commendations?|celebrated|recognised)", "for|on", vec![Strength]),
        (r"(?:strengths?|strong|good|(?:doing|done|do|does|did|performing|performs?|working|works?) well)", "in|on|at|for|around|with", vec![Strength]),
        (r"(?:flagged|criticised|criticisms?|challenged|marked down|told off)", "for|on|about|over", vec![AreaForDevelopment, Recommendation]),
        (r"(?:concerns?|worries|weakness(?:es)?|problems?|issues?|gaps?|risks?)", "about|over|with|in|on|around|for", vec![AreaForDevelopment, Recommendation]),
        (r"(?:weak|poor|struggling|failing)", "in|on|at|with", vec![AreaForDevelopment, Recommendation]),
        (r"areas? for (?:development|improvement|consideration)|told to improve", "in|on|around", vec![AreaForDevelopment, Recommendation]),
        (r"(?:recommend(?:ed|s)?|recommendations?|advised?|advice|suggest(?:ed|s)?|suggestions?|told to|next steps)", "on|about|for|to|around|with", vec![Recommendation]),
    ]
    .into_iter()
    .map(|(cue, then, k)| (lite(&format!(r"\b(?:{cue})\b(?:\s+(?:{then})\b)?")).unwrap_or_else(|e| panic!("{e}")), k))
    .collect()
});

/// Cues that, asked alone, are a subject rather than a kind of finding.
const TOPICAL_CUES: &[&str] = &["risk", "risks", "problem", "problems", "issue", "issues", "gap", "gaps", "advice", "worries", "next steps"];

const STOP: &[&str] = &["the", "a", "an", "of", "and", "in", "for", "on", "about", "with", "their", "its", "to", "councils", "council", "around", "do", "does", "did", "been"];

/// Read `query` as an intent and a topic; an unknown intent asks for every kind.
pub fn parse(query: &str, taxonomy: &Taxonomy) -> Intent {
    parse_with(query, taxonomy, None)
}

/// [`parse`], also reading typed filters; council names need `councils`.
pub fn parse_with(query: &str, taxonomy: &Taxonomy, councils: Option<&Councils>) -> Intent {
    parse_in(query, taxonomy, councils, this_year())
}

/// [`parse_with`] as if it were `year` ("the last five years" counts back from it).
fn parse_in(query: &str, taxonomy: &Taxonomy, councils: Option<&Councils>, year: i32) -> Intent {
    let (rest, filter, phrases) = typed_filters(query, councils, year);
    // A question that is only a cue ("risks", "good practice") is looked for as words.
    let bare = filter == Filter::default() && phrases.is_empty();
    let mut intent = parse_words(&rest, taxonomy, bare);
    intent.filter = filter;
    intent.phrases = phrases;
    intent
}

/// Take the filters out of a query: what remains is intent and topic.
fn typed_filters(query: &str, councils: Option<&Councils>, this_year: i32) -> (String, Filter, Vec<String>) {
    static PHRASE: LazyLock<Regex> = LazyLock::new(|| lite(r#""([^"]{2,})"|“([^”]{2,})”"#).unwrap_or_else(|e| panic!("{e}")));
    static RANGE: LazyLock<Regex> = LazyLock::new(|| lite(r"(?i)\b(?:between |from )?(20\d\d|19\d\d)\s*(?:-|–|to|and)\s*(20\d\d)\b").unwrap_or_else(|e| panic!("{e}")));
    static SINCE: LazyLock<Regex> = LazyLock::new(|| lite(r"(?i)\b(since|from|after|before|until|up to|in)\s+(20\d\d|19\d\d)\b").unwrap_or_else(|e| panic!("{e}")));
    static TYPE: LazyLock<Regex> = LazyLock::new(|| lite(r"(?i)\b(?:by (?:the )?)?(lga|local government association|adass|regional|sector[- ]led)\b(?: (?:peer )?(?:challenges?|reviews?))?").unwrap_or_else(|e| panic!("{e}")));
    let mut filter = Filter::default();
    let mut phrases = Vec::new();
    // Words inside quotes are the phrase, never filters ("engage with regional and national
    // networks" asks for no ADASS review): each quoted span stands aside as a placeholder
    // no filter can match, and comes back, unquoted, into the topic.
    let mut text = String::with_capacity(query.len());
    let mut last = 0;
    // A pattern is compiled (most of a question's start-up) only when its text may occur.
    let quoted = query.contains(['"', '“']);
    for c in quoted.then(|| PHRASE.captures_iter(query)).into_iter().flatten() {
        let (Some(whole), Some(m)) = (c.get(0), c.get(1).or_else(|| c.get(2))) else { continue };
        text.push_str(&query[last..whole.start()]);
        text.push_str(&format!(" {PLACEHOLDER}{}{PLACEHOLDER} ", phrases.len()));
        phrases.push(m.as_str().to_string());
        last = whole.end();
    }
    text.push_str(&query[last..]);
    text = text.replace(['"', '“', '”'], " ");
    let years = text.bytes().filter(u8::is_ascii_digit).count() >= 4;
    let before = text.clone();
    if let Some(c) = years.then(|| RANGE.captures(&before)).flatten() {
        filter.since = c[1].parse().ok();
        filter.until = c[2].parse().ok();
        text = text.replace(&c[0], " ");
    }
    let before = text.clone();
    for c in years.then(|| SINCE.captures_iter(&before)).into_iter().flatten() {
        let y: i32 = c[2].parse().unwrap_or(0);
        match c[1].to_lowercase().as_str() {
            "since" | "from" => filter.since = Some(y),
            "after" => filter.since = Some(y + 1),
            "before" => filter.until = Some(y - 1),
            "until" | "up to" => filter.until = Some(y),
            _ => (filter.since, filter.until) = (Some(y), Some(y)),
        }
        text = text.replace(&c[0], " ");
    }
    let lower = text.to_lowercase();
    if lower.contains("last") || lower.contains("past") || lower.contains("recent") {
        if let Some((words, back)) = years_back(&text) {
            // A year typed as well ("since 2018") is the one meant.
            filter.since = filter.since.or(Some(this_year - back));
            text = text.replace(&words, " ");
        }
    }
    let lower = text.to_lowercase();
    let typed = ["lga", "local government", "adass", "regional", "sector"].iter().any(|w| lower.contains(w));
    let before = text.clone();
    for c in typed.then(|| TYPE.captures_iter(&before)).into_iter().flatten() {
        let t = if c[1].eq_ignore_ascii_case("lga") || c[1].to_lowercase().starts_with("local") { ReviewType::LgaPeerChallenge } else { ReviewType::AdassRegionalPeerChallenge };
        if !filter.review_types.contains(&t) {
            filter.review_types.push(t);
        }
        text = text.replace(&c[0], " ");
    }
    if let Some(councils) = councils {
        let lower = text.to_lowercase();
        for (r, names) in councils.region_names() {
            for (i, name) in names.into_iter().enumerate() {
                // Most questions name no region: compile a region's pattern only when it may match.
                if !lower.contains(&name.to_lowercase()) {
                    continue;
                }
                let re = lite(&format!(r"(?i)\b(?:in |across )?(?:the )?{}(?: region)?\b", regex_lite::escape(name))).unwrap_or_else(|e| panic!("{e}"));
                // A shorter name inside a council's ("North Yorkshire", "East Riding of
                // Yorkshire") is the council, read below.
                let in_a_council = |start: usize| {
                    let before = text[..start].trim_end().to_lowercase();
                    i > 0 && ["north", "south", "east", "west", "of"].iter().any(|w| before.ends_with(w))
                };
                if let Some(m) = re.find(&text.clone()).filter(|m| !in_a_council(m.start())) {
                    filter.regions.push(r.to_string());
                    text = text.replace(m.as_str(), " ");
                    break;
                }
            }
        }
        // Each mention's span with its title, worked out on the text as typed and kept clear
        // of the mention before it ("Derby City of York": York's "City of" is Derby's
        // "City"), then taken out from the last (regression: a span reached into the one
        // before it, and the text shrank under the next: a panic).
        let mentions = councils.mentions_typed(&text);
        let mut spans: Vec<(usize, usize, usize)> = Vec::with_capacity(mentions.len());
        for m in &mentions {
            let (mut start, end) = Councils::titled_span(&text, m);
            if let Some(before) = spans.last_mut() {
                // A title never reaches into the mention beside it, on either side.
                before.2 = before.2.min(m.start);
                start = start.max(before.2);
            }
            spans.push((m.council, start, end));
        }
        for (council, start, end) in spans.into_iter().rev() {
            let name = councils.get(council).name.clone();
            if !filter.councils.contains(&name) {
                filter.councils.push(name);
            }
            text.replace_range(start..end, " ");
        }
    }
    for (i, p) in phrases.iter().enumerate() {
        text = text.replace(&format!("{PLACEHOLDER}{i}{PLACEHOLDER}"), p);
    }
    (text.split_whitespace().collect::<Vec<_>>().join(" "), filter, phrases)
}

/// "in the last five years", "over the past year", "recent": the words, and how many years
/// before this one the reviews asked for start ("recent" is the last three).
fn years_back(text: &str) -> Option<(String, i32)> {
    static LAST: LazyLock<Regex> = LazyLock::new(|| lite(r"(?i)\b(?:in |over |during |within )?(?:the )?(?:last|past) (?:(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten) )?years?\b").unwrap_or_else(|e| panic!("{e}")));
    static RECENT: LazyLock<Regex> = LazyLock::new(|| lite(r"(?i)\b(?:most )?recent(?:ly)?\b").unwrap_or_else(|e| panic!("{e}")));
    const NUMBERS: [&str; 9] = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
    if let Some(c) = LAST.captures(text) {
        let n = match c.get(1).map(|m| m.as_str().to_lowercase()) {
            None => 1,
            Some(n) => n.parse().ok().or_else(|| NUMBERS.iter().position(|w| *w == n).map(|i| i as i32 + 2))?,
        };
        return Some((c[0].to_string(), n));
    }
    RECENT.find(text).map(|m| (m.as_str().to_string(), 3))
}

/// This calendar year (UTC), from the system clock.
pub fn this_year() -> i32 {
    let mut days = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() / 86_400);
    let mut year = 1970;
    loop {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let length = if leap { 366 } else { 365 };
        if days < length {
            return year;
        }
        days -= length;
        year += 1;
    }
}

/// Stands for a quoted phrase while filters are read (a private-use character: no name,
/// year or word matches it).
const PLACEHOLDER: char = '\u{E000}';

/// The words of a topic that say what it is about (not "the", "of", "councils").
pub(crate) fn content_words(topic: &str) -> Vec<String> {
    topic.to_lowercase().split(|c: char| !c.is_alphanumeric() && c != '-').filter(|w| !w.is_empty() && !STOP.contains(w)).map(str::to_string).collect()
}

/// `bare`: nothing else narrows the question, so a cue that leaves no topic is the topic.
fn parse_words(query: &str, taxonomy: &Taxonomy, bare: bool) -> Intent {
    // Filters taken out leave runs of spaces ("what did the LGA suggest").
    let lower = query.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let rest = LEAD.find(&lower).map_or(lower.as_str(), |m| &lower[m.end()..]).trim();
    // The topic is the question without its cue: what comes after it ("flagged for review
    // performance") and what came before ("safeguarding concerns").
    let (kinds, cue, mut topic) = PHRASES
        .iter()
        .find_map(|(re, kinds)| re.find_iter(rest).find(|m| !in_compound(rest, m.start(), m.end())).map(|m| (kinds.clone(), m.as_str(), format!("{} {}", &rest[..m.start()], &rest[m.end()..]))))
        .unwrap_or_else(|| (FindingKind::ALL.to_vec(), "", rest.to_string()));
    // A cue that is also a subject ("risks", "what are the gaps") is searched for as words;
    // one that only names a kind ("areas for development", "praised") lists that kind.
    let topical = TOPICAL_CUES.iter().any(|t| cue == *t || cue.strip_prefix(t).is_some_and(|r| r.starts_with(' ')));
    if bare && content_words(&topic).is_empty() && topical {
        topic = rest.to_string();
    }
    // Little words at its edges ("councils with workforce problems") are not the topic.
    let mut words: Vec<&str> = topic.split_whitespace().collect();
    while words.first().is_some_and(|w| STOP.contains(w)) {
        words.remove(0);
    }
    while words.last().is_some_and(|w| STOP.contains(w)) {
        words.pop();
    }
    let topic = words.join(" ").trim_matches(|c: char| !c.is_alphanumeric()).to_string();
    let words = content_words(&topic);
    let themes = taxonomy.themes_named_by(&words).into_iter().map(|t| t.id.clone()).collect();
    // Only little words ("the", "councils"): nothing to look for.
    let topic = if words.is_empty() { String::new() } else { topic };
    Intent { kinds, topic, themes, filter: Filter::default(), phrases: Vec::new() }
}

/// Whether `text[start..end]` is part of a hyphenated word: "strengths-based practice" is
/// a topic, not a question about strengths.
fn in_compound(text: &str, start: usize, end: usize) -> bool {
    text[..start].ends_with('-') || text[end..].starts_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_intent_words() {
        let t = Taxonomy::builtin().unwrap();
        let i = parse("councils flagged for review performance", &t);
        assert_eq!(i.kinds, [AreaForDevelopment, Recommendation]);
        assert_eq!(i.topic, "review performance");
        assert!(i.themes.contains(&"reviews".to_string()));
        assert_eq!(parse("Which councils were praised for carers support?", &t).kinds, [Strength]);
        assert_eq!(parse("concerns about DoLS", &t).themes, ["dols-mca"]);
        assert_eq!(parse("best practice for co-production", &t).kinds, [BestPractice, Strength]);
        assert_eq!(parse("recommended workforce planning", &t).kinds, [Recommendation]);
        let i = parse("direct payments", &t);
        assert_eq!(i.kinds.len(), 4);
        assert_eq!(i.topic, "direct payments");
    }

    #[test]
    fn a_cue_at_the_end_or_with_its_verb_is_read() {
        // Regression: "concerns in London" asked for every kind about "concerns" (the cue
        // needed a word after it), and "who does well on hospital discharge" looked for
        // "well on hospital discharge" (no finding says that).
        let t = Taxonomy::builtin().unwrap();
        let c = Councils::builtin().unwrap();
        let i = parse_with("concerns in London", &t, Some(&c));
        assert_eq!(i.kinds, [AreaForDevelopment, Recommendation]);
        assert_eq!(i.filter.regions, ["London"]);
        assert_eq!(i.topic, "");
        let i = parse("who does well on hospital discharge", &t);
        assert_eq!(i.kinds, [BestPractice, Strength]);
        assert_eq!(i.topic, "hospital discharge");
        let i = parse("safeguarding concerns", &t);
        assert_eq!(i.kinds, [AreaForDevelopment, Recommendation]);
        assert_eq!(i.topic, "safeguarding");
        let i = parse("where is co-production done well", &t);
        assert_eq!((i.kinds.as_slice(), i.topic.as_str()), ([Strength].as_slice(), "co-production"));
        assert_eq!(parse("councils with workforce problems", &t).topic, "workforce");
        let i = parse("which councils do well on carers", &t);
        assert_eq!((i.kinds.as_slice(), i.topic.as_str()), ([Strength].as_slice(), "carers"));
        // The question's conversational opening is not its topic.
        let i = parse_with("what did the peer team say about workforce in Walsall", &t, Some(&c));
        assert_eq!((i.topic.as_str(), i.filter.councils.as_slice()), ("workforce", ["Walsall".to_string()].as_slice()));
        assert_eq!(parse("tell me about carers", &t).topic, "carers");
        // Regression: "did", "peers" and "recommend" were topic words that no finding holds.
        for q in ["what did peers recommend about carers", "what did the peer team recommend for carers", "what did the LGA suggest on carers"] {
            let i = parse(q, &t);
            assert_eq!((i.kinds.as_slice(), i.topic.as_str()), ([Recommendation].as_slice(), "carers"), "{q}");
        }
        // ... but a word before the verb that is no reviewer stays in the topic, and "has
        // been" is not "has" and a topic word.
        assert!(parse("what did carers say about respite", &t).topic.contains("carers"));
        assert!(!parse("what has been the feedback on carers", &t).topic.contains("been"));
        assert_eq!(parse("what did the peer team say about workforce", &t).topic, "workforce");
        let i = parse_with("compare Torbay and Walsall on workforce", &t, Some(&c));
        assert_eq!((i.topic.as_str(), i.filter.councils.len()), ("workforce", 2));
        // Regression: the cue inside a hyphenated word was read as asking for strengths.
        let i = parse("recommendations about strengths-based practice", &t);
        assert_eq!((i.kinds.as_slice(), i.topic.as_str()), ([Recommendation].as_slice(), "strengths-based practice"));
        let i = parse("strengths-based", &t);
        assert_eq!((i.kinds.len(), i.topic.as_str()), (FindingKind::ALL.len(), "strengths-based"));
        // Regression: a council typed in lower case was read as a topic word.
        let i = parse_with("walsall carers", &t, Some(&c));
        assert_eq!((i.topic.as_str(), i.filter.councils.as_slice()), ("carers", ["Walsall".to_string()].as_slice()));
        // A short name is a council too; a lower-case abbreviation needs a council word.
        assert_eq!(parse_with("york carers", &t, Some(&c)).filter.councils, ["York"]);
        assert!(parse_with("glos carers", &t, Some(&c)).filter.councils.is_empty());
        assert_eq!(parse_with("herts council carers", &t, Some(&c)).filter.councils, ["Hertfordshire"]);
        assert_eq!(parse_with("bury mbc carers", &t, Some(&c)).filter.councils, ["Bury"]);
        let i = parse_with("carers in telford and wrekin", &t, Some(&c));
        assert_eq!(i.filter.councils, ["Telford and Wrekin"]);
        // Words that are also councils' names need a council-ish neighbour in lower case too.
        assert!(parse_with("reading packages of care", &t, Some(&c)).filter.councils.is_empty());
        assert_eq!(parse_with("bury council carers", &t, Some(&c)).filter.councils, ["Bury"]);
        assert!(parse_with("council staffs and workforce", &t, Some(&c)).filter.councils.is_empty());
        assert!(parse("recurring themes in the North West", &t).asks_for_themes());
        assert!(!parse("carers", &t).asks_for_themes());
        let i = parse_with("councils flagged for DoLS in Yorkshire", &t, Some(&c));
        assert_eq!((i.topic.as_str(), i.filter.regions.as_slice()), ("dols", ["Yorkshire and The Humber".to_string()].as_slice()));
        let i = parse_with("Yorkshire and Humber concerns", &t, Some(&c));
        assert_eq!(i.filter.regions, ["Yorkshire and The Humber"]);
        for (q, council) in [("councils flagged for workforce in North Yorkshire", "North Yorkshire"), ("East Riding of Yorkshire carers", "East Riding of Yorkshire")] {
            let i = parse_with(q, &t, Some(&c));
            assert!(i.filter.regions.is_empty() && i.filter.councils == [council], "{q}: {:?}", i.filter);
        }
        // Years counted back from this one.
        let i = parse_in("councils flagged for workforce in the last five years", &t, Some(&c), 2026);
        assert_eq!((i.topic.as_str(), i.filter.since), ("workforce", Some(2021)));
        assert_eq!(parse_in("recent concerns about carers", &t, Some(&c), 2026).filter.since, Some(2023));
        assert_eq!(parse_in("praised for carers over the past year", &t, Some(&c), 2026).filter.since, Some(2025));
        let i = parse_in("carers since 2018 in the last 3 years", &t, Some(&c), 2026);
        assert_eq!((i.topic.as_str(), i.filter.since), ("carers", Some(2018)));
        assert!((2026..2200).contains(&this_year()));
        // A cue that is also a subject, alone, is looked for as words, with its kinds.
        let i = parse("risks", &t);
        assert_eq!((i.kinds.as_slice(), i.topic.as_str()), ([AreaForDevelopment, Recommendation].as_slice(), "risks"));
        assert_eq!(parse("what are the risks", &t).topic, "risks");
        // Regression: a kind alone was searched for as words ("areas for development" found
        // nothing); it lists that kind.
        for (q, kinds) in [("good practice", vec![BestPractice, Strength]), ("areas for development", vec![AreaForDevelopment, Recommendation]), ("recommendations", vec![Recommendation]), ("praised", vec![Strength]), ("concerns", vec![AreaForDevelopment, Recommendation])] {
            let i = parse(q, &t);
            assert_eq!((i.kinds, i.topic.as_str()), (kinds, ""), "{q}");
        }
        // A cue inside a word is no cue.
        assert_eq!(parse("issuesbased", &t).kinds.len(), 4);
    }

    #[test]
    fn words_inside_quotes_are_never_filters() {
        // Regression: "regional" became an ADASS review filter, "LGA", "in 2023" and "West
        // Midlands" inside quotes likewise.
        let councils = Councils::builtin().unwrap();
        let taxonomy = Taxonomy::builtin().unwrap();
        for q in ["\"engage with regional and national networks\"", "\"the LGA peer team in 2023\"", "praised for \u{201c}links across the West Midlands\u{201d}", "\"Walsall\" flagged for reviews"] {
            let i = parse_with(q, &taxonomy, Some(&councils));
            assert_eq!(i.filter, Filter::default(), "{q}: {:?}", i.filter);
            assert_eq!(i.phrases.len(), 1, "{q}");
        }
        let i = parse_with("\"regional networks\" in the North West since 2019", &taxonomy, Some(&councils));
        assert_eq!(i.phrases, ["regional networks"]);
        assert_eq!(i.filter.regions, ["North West"]);
        assert_eq!(i.filter.since, Some(2019));
        assert!(i.filter.review_types.is_empty());
        assert!(i.topic.contains("regional networks"), "{}", i.topic);
    }

    #[test]
    fn reads_typed_filters() {
        let t = Taxonomy::builtin().unwrap();
        let c = Councils::builtin().unwrap();
        let i = parse_with("councils in the West Midlands flagged for \"case recording\" since 2015", &t, Some(&c));
        assert_eq!(i.filter.regions, ["West Midlands"]);
        assert_eq!(i.filter.since, Some(2015));
        assert_eq!(i.phrases, ["case recording"]);
        assert_eq!(i.kinds, [AreaForDevelopment, Recommendation]);
        assert_eq!(i.topic, "case recording");
        let i = parse_with("LGA reviews of Torbay 2020-2024 praised for workforce", &t, Some(&c));
        assert_eq!(i.filter.councils, ["Torbay"]);
        assert_eq!((i.filter.since, i.filter.until), (Some(2020), Some(2024)));
        assert_eq!(i.filter.review_types, [ReviewType::LgaPeerChallenge]);
    }

    /// Regressions: a council's title stayed in the topic ("City of York" asked for the
    /// word "city"; "London Borough of Bexley waiting" for "borough of waiting"); "Redcar"
    /// named no council; "praise" and "criticism" were words to find, not kinds.
    #[test]
    fn council_titles_short_names_and_kind_nouns_are_read() {
        let t = Taxonomy::builtin().unwrap();
        let c = Councils::builtin().unwrap();
        for (q, council, topic) in [
            ("City of York", "York", ""),
            ("carers in City of York", "York", "carers"),
            ("London Borough of Bexley waiting", "Bexley", "waiting"),
            ("carers in the Metropolitan Borough of Walsall", "Walsall", "carers"),
            ("Walsall Council carers", "Walsall", "carers"),
            ("carers in Redcar", "Redcar and Cleveland", "carers"),
        ] {
            let i = parse_with(q, &t, Some(&c));
            assert_eq!((i.filter.councils.as_slice(), i.topic.as_str()), ([council.to_string()].as_slice(), topic), "{q}");
        }
        // Two councils, the second's title touching the first's name (regression: a panic).
        let i = parse_with("Derby City of York carers", &t, Some(&c));
        assert!(i.filter.councils.len() == 2 && i.topic == "carers", "{:?} {:?}", i.filter.councils, i.topic);
        // A word that only looks like a title's end stays ("councillors" is no "council").
        assert_eq!(parse_with("Walsall councillors", &t, Some(&c)).topic, "councillors");
        assert_eq!(parse_with("praise for carers", &t, Some(&c)).kinds, [Strength]);
        assert_eq!(parse_with("criticism of waiting lists", &t, Some(&c)).kinds, [AreaForDevelopment, Recommendation]);
    }
}
