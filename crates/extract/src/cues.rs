//! How a sentence reads by the genre's cue lexicons: how much praise, concern, advice and
//! stated need it holds and where, whether it points to another council's practice, and
//! whether it is no finding at all (process, thanks, resolutions, the council's own
//! response, councillors' questions). The lexicons themselves are data,
//! `lexicons/cues.toml` (read by `lexicon.rs`); what is here is how they are applied.

use crate::lexicon::CUES;
use regex::Regex;
use std::sync::LazyLock;

fn re(p: &str) -> Regex {
    peerscope_model::pattern::compile(p).unwrap_or_else(|e| panic!("cue pattern {p}: {e}"))
}

// The lexicons, each a table of `lexicons/cues.toml` with a note on what it marks.
static STRENGTH: LazyLock<Regex> = LazyLock::new(|| CUES.regex("praise"));
static CONCERN: LazyLock<Regex> = LazyLock::new(|| CUES.regex("concern"));
static ADVICE: LazyLock<Regex> = LazyLock::new(|| CUES.regex("advice"));
static EXPLICIT: LazyLock<Regex> = LazyLock::new(|| CUES.regex("explicit_advice"));
static NEED: LazyLock<Regex> = LazyLock::new(|| CUES.regex("need"));
static IMPERATIVE: LazyLock<Regex> = LazyLock::new(|| CUES.regex("imperative"));
static NEGATION: LazyLock<Regex> = LazyLock::new(|| CUES.regex("negation"));
static NOT_FINDING: LazyLock<Regex> = LazyLock::new(|| CUES.regex("not_finding"));
static QUESTION_OR_REPLY: LazyLock<Regex> = LazyLock::new(|| CUES.regex("question_or_reply"));
static RESOLUTION: LazyLock<Regex> = LazyLock::new(|| CUES.regex("resolution"));
static POINTER: LazyLock<Regex> = LazyLock::new(|| CUES.regex("pointer"));
static WEAK_PRAISE: LazyLock<&[String]> = LazyLock::new(|| CUES.words("weak_praise"));
static IMPERATIVE_STEMS: LazyLock<&[String]> = LazyLock::new(|| CUES.words("imperative_stems"));
static ING_OBJECTS: LazyLock<&[String]> = LazyLock::new(|| CUES.words("ing_objects"));

/// How strongly a sentence reads as praise, concern, advice and a stated need.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Cues {
    pub praise: f32,
    pub concern: f32,
    pub advice: f32,
    pub need: f32,
    /// Explicit advice words ("should", "recommend", "suggest", "consider"), a part of `advice`.
    pub explicit: f32,
    /// Which of praise and concern comes first in the main clause, when both occur.
    pub praise_first: bool,
    /// A weakness stated, then what to do about it in a clause of its own ("The performance
    /// on reviews remains concerning, the directorate should consider setting a target").
    pub concern_then_advice: bool,
    /// Some cue lies outside parentheses: a sentence whose only cue is an aside ("The
    /// team's room (not routinely used by the service) was ...") is not a finding by itself.
    pub outside_asides: bool,
}

impl Cues {
    pub fn none(&self) -> bool {
        self.praise == 0.0 && self.concern == 0.0 && self.advice == 0.0 && self.need == 0.0
    }
}

/// Weigh the cues in a sentence. Cues outside its main clause count half: an opening
/// concession ("Whilst the vision is clear, ..."), what comes before a "however", and a
/// trailing concession (", though data quality is an ongoing issue").
pub fn weigh(sentence: &str) -> Cues {
    let main = main_clause(sentence);
    let asides = parentheticals(sentence);
    let outside_asides = std::cell::Cell::new(false);
    let w = |pos: usize| {
        let aside = asides.iter().any(|r| r.contains(&pos));
        if !aside {
            outside_asides.set(true);
        }
        if main.contains(&pos) && !aside { 1.0 } else { 0.5 }
    };
    let mut c = Cues::default();
    let (mut first_praise, mut first_concern) = (usize::MAX, usize::MAX);
    // Where each lexicon matched, for `concern_then_advice` to read its clauses from.
    let mut found = Found::default();
    for m in STRENGTH.find_iter(sentence) {
        found.strength.push(m.range());
        if NEGATION.is_match(&sentence[..m.start()]) {
            c.concern += w(m.start());
        } else {
            let weak = WEAK_PRAISE.iter().any(|p| m.as_str().eq_ignore_ascii_case(p));
            c.praise += w(m.start()) * if weak { 0.5 } else { 1.0 };
            if main.contains(&m.start()) {
                first_praise = first_praise.min(m.start());
            }
        }
    }
    for m in CONCERN.find_iter(sentence) {
        found.concern.push(m.range());
        if m.as_str().eq_ignore_ascii_case("challenges") && ends_with_ignoring_case(&sentence[..m.start()], "peer ") {
            continue; // "peer challenges" are reviews
        }
        if m.as_str().eq_ignore_ascii_case("low") && LOW_IS_GOOD.is_match(&sentence[m.end()..]) {
            continue; // "low sickness": the noun after it is read as relieved below
        }
        if RELIEVED.is_match(&sentence[..m.start()]) {
            // "low sickness and turnover", "used to resolve the tensions": a problem kept down.
            c.praise += w(m.start());
            continue;
        }
        c.concern += w(m.start());
        if main.contains(&m.start()) {
            first_concern = first_concern.min(m.start());
        }
    }
    c.praise_first = first_praise < first_concern;
    let reported_view = REPORTED_VIEW.is_match(sentence.trim_start());
    for m in ADVICE.find_iter(sentence).filter(|m| !PRAISE_PASSIVE.is_match(&sentence[m.start()..])) {
        if not_advice_here(sentence, m.start(), m.end()) {
            continue;
        }
        if reported_view {
            // "It was perceived by some that commissioners should ...": others' view of a
            // gap, which the annotators read as an area for development.
            c.need += w(m.start());
            continue;
        }
        if INTENTION.is_match(&sentence[..m.start()]) {
            continue; // "a real commitment to build on this": the council's intent, not advice
        }
        if EMBEDDED_QUESTION.is_match(&sentence[..m.start()]) {
            continue; // "where some decision-making should sit", "work which should sit elsewhere"
        }
        c.advice += w(m.start());
    }
    let explicit: Vec<regex::Match> = EXPLICIT.find_iter(sentence).collect();
    found.explicit.extend(explicit.iter().map(|m| m.range()));
    for m in explicit.into_iter().filter(|_| !reported_view).filter(|m| !PRAISE_PASSIVE.is_match(&sentence[m.start()..]) && !EMBEDDED_QUESTION.is_match(&sentence[..m.start()])) {
        if not_advice_here(sentence, m.start(), m.end()) {
            continue;
        }
        c.explicit += w(m.start());
    }
    for m in NEED.find_iter(sentence) {
        // "resolves enquiries without the need for a referral": no need at all.
        let before = sentence[..m.start()].trim_end();
        if ["without the", "without any", "without a", "without", "no", "removes the", "avoids the", "reduces the"].iter().any(|w| ends_with_ignoring_case(before, w)) {
            continue;
        }
        if EMBEDDED_QUESTION.is_match(&sentence[..m.start()]) {
            continue; // "understanding ... how the council could better use": no need asserted
        }
        if RELIEVED.is_match(&sentence[..m.start()]) {
            // "the steps taken to address areas for improvement": a need being met.
            c.praise += w(m.start());
            continue;
        }
        c.need += w(m.start());
    }
    if opens_with_imperative(sentence) {
        c.advice += 1.5;
        outside_asides.set(true);
    }
    if GERUND_ADVICE.is_match(sentence.trim_start()) {
        // "Knowing what good looks like ... is an important starting point": an activity
        // the council is told matters.
        c.advice += 1.0;
        c.explicit += 1.0;
        outside_asides.set(true);
    }
    c.outside_asides = outside_asides.get();
    c.concern_then_advice = found.concern_then_advice(sentence);
    c
}

/// The byte ranges where three lexicons matched a sentence.
#[derive(Default)]
struct Found {
    strength: Vec<std::ops::Range<usize>>,
    concern: Vec<std::ops::Range<usize>>,
    explicit: Vec<std::ops::Range<usize>>,
}

impl Found {
    /// [`concern_then_advice`] from the matches in hand instead of three more searches of
    /// each clause. A lexicon matches in a clause exactly when one of its matches in the
    /// sentence lies there, since no match crosses the ',' or ';' between clauses (the
    /// borders they make are the same in both); a match that does cross (a "didn,t") sends
    /// the sentence to the searches.
    fn concern_then_advice(&self, sentence: &str) -> bool {
        let crosses = |r: &std::ops::Range<usize>| sentence[r.clone()].contains([',', ';']);
        if self.strength.iter().chain(&self.concern).chain(&self.explicit).any(crosses) {
            return concern_then_advice(sentence);
        }
        clauses_turn_to_advice(sentence, |lexicon, _, span| {
            let found = match lexicon {
                Lexicon::Strength => &self.strength,
                Lexicon::Concern => &self.concern,
                Lexicon::Explicit => &self.explicit,
            };
            found.iter().any(|r| span.contains(&r.start))
        })
    }
}

/// The lexicons a sentence's clauses are read by.
#[derive(Clone, Copy)]
enum Lexicon {
    Strength,
    Concern,
    Explicit,
}

/// Whether `s` ends with `suffix`, ASCII case ignored (without copying `s` to compare).
fn ends_with_ignoring_case(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len() && s.as_bytes()[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// A clause with a subject of its own that gives advice.
static ADVICE_CLAUSE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^\s*(?:and |so |therefore |and so )?(?:the|this|these|it|we|they|there|council|services?|officers|leaders|managers|staff|a|an)\b[^,;]{0,80}?\b(?:should|must|needs? to|ought to|would benefit|is recommended)\b")
});

/// Whether a clause stating a concern is followed by a clause, with a subject of its own,
/// that gives the advice; `has(lexicon, clause, span)` says whether a lexicon matches the
/// clause, which is `span` of the sentence.
fn clauses_turn_to_advice(sentence: &str, has: impl Fn(Lexicon, &str, &std::ops::Range<usize>) -> bool) -> bool {
    let mut seen_concern = false;
    let mut start = 0;
    for clause in sentence.split([',', ';']) {
        let span = start..start + clause.len();
        start = span.end + 1;
        if seen_concern && ADVICE_CLAUSE.is_match(clause) {
            return !clause.trim_start().to_lowercase().starts_with("and ");
        }
        if has(Lexicon::Explicit, clause, &span) {
            return false;
        }
        seen_concern |= has(Lexicon::Concern, clause, &span) && !has(Lexicon::Strength, clause, &span);
    }
    false
}

/// [`clauses_turn_to_advice`], each clause searched.
fn concern_then_advice(sentence: &str) -> bool {
    clauses_turn_to_advice(sentence, |lexicon, clause, _| match lexicon {
        Lexicon::Strength => STRENGTH.is_match(clause),
        Lexicon::Concern => CONCERN.is_match(clause),
        Lexicon::Explicit => EXPLICIT.is_match(clause),
    })
}

static PRAISE_PASSIVE: LazyLock<Regex> = LazyLock::new(|| CUES.regex("praise_passive"));


static RELIEVED: LazyLock<Regex> = LazyLock::new(|| CUES.regex("relieved"));
/// Advice words that give no advice where they stand: "taking into consideration", "without
/// consideration of", and a recommendation referred to ("the recommendation to build ...",
/// "the recommendations of the last review").
fn not_advice_here(sentence: &str, start: usize, end: usize) -> bool {
    static IDIOM_BEFORE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)(?:\b(?:tak(?:e|es|en|ing)|took) into|\bwithout(?: \w+)?|\bunder)\s+$"));
    static REFERRED_BEFORE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b(?:the|previous|last|earlier|that|this|these|those|its|their|his|her)\s+(?:\w+\s+)?$"));
    static REFERRED_AFTER: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^\s+(?:to|from|of|made|in|that (?:was|were|had)|arising)\b"));
    let word = sentence[start..end].to_ascii_lowercase();
    let before = &sentence[..start];
    if word == "consideration" && IDIOM_BEFORE.is_match(before) {
        return true;
    }
    word.starts_with("recommendation") && REFERRED_BEFORE.is_match(before) && REFERRED_AFTER.is_match(&sentence[end..])
}

/// A sentence whose subject is an activity and whose verb says it matters.
static GERUND_ADVICE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(?:[A-Z][a-z]+ing|Being able to \w+)\b[^.;]{0,200}?\b(?:is|are|will be|would be|remains) (?:also |therefore |particularly |especially )?(?:an? )?(?:important|essential|vital|critical|key|crucial|useful|helpful)\b")
});

static REPORTED_VIEW: LazyLock<Regex> = LazyLock::new(|| CUES.regex("reported_view"));

static INTENTION: LazyLock<Regex> = LazyLock::new(|| CUES.regex("intention"));
/// "how the council could better use ...", "whether it could do more": a question embedded
/// in the sentence, asserting no need.
static EMBEDDED_QUESTION: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b(?:how|whether|where|what|which)\s+(?:[\w'-]+\s+){0,3}$"));
static LOW_IS_GOOD: LazyLock<Regex> = LazyLock::new(|| CUES.regex("low_is_good"));

/// Byte ranges of parenthetical asides: what they say counts half.
fn parentheticals(s: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut open = None;
    for (i, c) in s.char_indices() {
        match c {
            '(' if open.is_none() => open = Some(i),
            ')' => {
                if let Some(o) = open.take() {
                    out.push(o..i);
                }
            }
            _ => {}
        }
    }
    out
}

/// "Ensure ...", "Appointing ...", "To replicate ...": a verb's base or -ing form, but not
/// "Introduction of ..." or "User Led Organisations ...".
pub fn opens_with_imperative(sentence: &str) -> bool {
    let s = sentence.trim_start_matches(['-', ' ']);
    let s = s.strip_prefix("To ").unwrap_or(s);
    let Some(m) = IMPERATIVE.find(s) else { return false };
    let word = m.as_str().rsplit(' ').next().unwrap_or("");
    // ASCII case ignored byte by byte: lower-casing copies of the word and of every stem was
    // most of this function's time.
    let opens = |stem: &&String| word.as_bytes().get(..stem.len()).is_some_and(|w| w.eq_ignore_ascii_case(stem.as_bytes()));
    let stem_len = IMPERATIVE_STEMS.iter().filter(opens).map(|stem| stem.len()).max().unwrap_or(word.len());
    match &word[stem_len..] {
        "" | "e" | "ise" | "ize" => true,
        // "Learning from CYPS", "Ensuring the voice": but "Learning processes are in place"
        // opens with a noun.
        "ing" | "ising" | "izing" => {
            let next = s[m.end()..].split_whitespace().next().unwrap_or("").to_ascii_lowercase();
            ING_OBJECTS.iter().any(|w| *w == next)
        }
        _ => false,
    }
}



/// Every cue word in a sentence with its lexicon, for explaining a decision.
pub fn matches(sentence: &str) -> Vec<(&'static str, String)> {
    let lexicons: [(&'static str, &Regex); 4] = [("praise", &STRENGTH), ("concern", &CONCERN), ("advice", &ADVICE), ("need", &NEED)];
    lexicons
        .iter()
        .flat_map(|(name, re)| re.find_iter(sentence).map(move |m| (*name, m.as_str().to_string())))
        .collect()
}

/// The byte range of a sentence's main clause.
fn main_clause(s: &str) -> std::ops::Range<usize> {
    static HOWEVER: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)[,;]\s*(?:however|but)\b,?"));
    static TRAILING: LazyLock<Regex> = LazyLock::new(|| re(r"(?i),?\s+(?:though|although|albeit|even if)\b"));
    // Only the opening is compared: lower-case no more of it than the longest word.
    let lower: String = s.trim_start().chars().take(16).flat_map(char::to_lowercase).collect();
    let concessive = ["whilst", "while", "although", "though", "despite", "notwithstanding", "even though"];
    let mut start = 0;
    if concessive.iter().any(|w| lower.starts_with(w)) {
        start = s.find(',').unwrap_or(0);
    }
    if let Some(m) = HOWEVER.find_iter(s).filter(|m| m.start() > start).last() {
        start = m.start();
    }
    let end = TRAILING.find_iter(s).find(|m| m.start() > start + 20).map_or(s.len(), |m| m.start());
    start..end
}

/// The part of a sentence after its last turn ("but", "however", "whilst" in the middle), or
/// after the comma that closes an opening concession ("Whilst the vision is clear, ...");
/// `None` when it does not turn. Not "yet": in these reports it is "not yet", "as yet", "yet
/// to", far more often than a turn.
pub fn after_turn(s: &str) -> Option<&str> {
    static TURN: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b(?:but|however|whilst|while|although|though)\b"));
    // Compared in place: this runs for every unit the reader weighs.
    let opening = s.trim_start();
    let opens_conceding = ["whilst", "while", "although", "though", "despite"].iter().any(|w| opening.get(..w.len()).is_some_and(|o| o.eq_ignore_ascii_case(w)));
    let m = TURN.find_iter(s).filter(|m| m.start() > 0).last();
    let at = match (m, opens_conceding) {
        (Some(m), _) => m.end(),
        (None, true) => s.find(',')? + 1,
        (None, false) => return None,
    };
    let tail = &s[at..];
    (tail.split_whitespace().count() >= 3).then_some(tail)
}

/// A quotation of what people told the team: evidence, not a finding (GUIDELINES). A
/// sentence most of whose letters sit inside quotation marks.
pub fn is_quotation(sentence: &str) -> bool {
    // Without a quotation mark nothing is quoted: most sentences, found without walking
    // their characters.
    if !has_quotation_mark(sentence) {
        return false;
    }
    let (mut inside, mut quoted, mut total) = (false, 0usize, 0usize);
    for c in sentence.chars() {
        match c {
            '“' | '”' | '"' => inside = if c == '“' { true } else if c == '”' { false } else { !inside },
            c if c.is_alphanumeric() => {
                total += 1;
                quoted += usize::from(inside);
            }
            _ => {}
        }
    }
    total > 0 && quoted * 10 >= total * 6
}

/// Whether `s` holds '"', '“' or '”', found by bytes: a search by `char` decoded every
/// character of every sentence ('“' and '”' are E2 80 9C and E2 80 9D in UTF-8).
fn has_quotation_mark(s: &str) -> bool {
    let b = s.as_bytes();
    memchr::memchr(b'"', b).is_some() || memchr::memmem::find_iter(b, &[0xE2, 0x80]).any(|i| matches!(b.get(i + 2), Some(0x9C | 0x9D)))
}

/// A councillor's question or the council's reply: "Cllr. Patel asked whether ...", but not
/// the passive "people are rarely asked about their experience" (a finding).
fn is_question_or_reply(sentence: &str) -> bool {
    static PASSIVE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b(?:am|is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?$"));
    QUESTION_OR_REPLY.find_iter(sentence).any(|m| m.as_str().eq_ignore_ascii_case("in response") || !PASSIVE.is_match(&sentence[..m.start()]))
}

/// Not a finding whatever its section: process, thanks, meeting business, resolutions.
pub fn is_not_finding(sentence: &str) -> bool {
    is_process(sentence) || is_question_or_reply(sentence) || is_quotation(sentence)
}

/// Everything the lexicons say of one unit, read once: the rules' walk and the learned
/// reader's features both ask, and reading it twice was a third of extraction's time.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    pub cues: Cues,
    /// [`is_process`].
    pub process: bool,
    /// [`is_not_finding`].
    pub not_finding: bool,
    /// [`is_pointer`].
    pub pointer: bool,
}

impl Evidence {
    pub fn of(sentence: &str) -> Evidence {
        let process = is_process(sentence);
        let not_finding = process || is_question_or_reply(sentence) || is_quotation(sentence);
        Evidence { cues: weigh(sentence), process, not_finding, pointer: is_pointer(sentence) }
    }
}

/// Process, thanks, meeting business and resolutions, but not questions and replies
/// (which in minutes can still retell a finding: "A Member asked why the review had
/// reported an absence of clear vision").
pub fn is_process(sentence: &str) -> bool {
    NOT_FINDING.is_match(sentence) || RESOLUTION.is_match(sentence.trim()) || is_framework_statement(sentence)
}

/// The CQC assessment framework's "we statements" and "I statements", quoted in reports as
/// the standard a theme is judged against ("Learning, improvement and innovation: We focus on
/// continuous learning ..."): a present-tense "We"/"I" sentence, not the peers' "We saw",
/// "We would recommend" or "We have seen".
pub fn is_framework_statement(sentence: &str) -> bool {
    static STATEMENT: LazyLock<Regex> = LazyLock::new(|| {
        re(r"^(?:[A-Z][\w ,&'-]{2,80}: )?(?:We|I) (?:\w+ly )?(have|focus|encourage|act|work|support|understand|make|plan|maximise|take|share|ensure|listen|involve|assess|enable|help|provide|am|are|do|know|learn|commission|can|contribute|value|keep|promote|monitor|collaborate|lead|use|seek|protect|identify|get|receive|feel|choose|live|tell|create|design|deliver|co-produce|embed|respond)\b(?: (\w+))?")
    });
    // The statement's "We" or "I" opens the sentence or follows a label's colon: a sentence
    // with neither is not one, and captures are the regex engine's slowest search.
    let t = sentence.trim_start();
    if !(t.starts_with("We ") || t.starts_with("I ") || t.contains(": We ") || t.contains(": I ")) {
        return false;
    }
    let Some(c) = STATEMENT.captures(t) else { return false };
    // "We have seen / found / heard": the peers reporting, not a statement.
    let next = c.get(2).map_or("", |m| m.as_str());
    !(c.get(1).is_some_and(|v| v.as_str() == "have") && (next.ends_with("ed") || ["seen", "heard", "found", "been", "met", "spoken", "taken", "made", "given"].contains(&next)))
}

/// A sentence that points to another council's practice.
pub fn is_pointer(sentence: &str) -> bool {
    POINTER.is_match(sentence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Clauses read from the sentence's matches turn as clauses searched one by one do,
        /// commas, semicolons and a match across one ("didn,t") included.
        #[test]
        fn clauses_read_from_matches_are_clauses_searched(words in proptest::collection::vec(proptest::sample::select(vec![
            "the", "council", "should", "consider", "concerns", "lack", "good", "strong", "not clear", "clear vision", "and",
            "staff", "must", "waiting lists", "didn", "t", "recommend", "however", "there", "are", "delays", "is recommended", "low",
            "peer challenges", ",", ";", ", and", ", the team should", "well-led", "risks", "so",
        ]), 0..16)) {
            let sentence = words.join(" ").replace(" ,", ",").replace("didn t", "didn,t");
            prop_assert_eq!(weigh(&sentence).concern_then_advice, concern_then_advice(&sentence), "{}", sentence);
        }

        /// The byte search finds a quotation mark exactly where a search by `char` does,
        /// among the genre's other three-byte punctuation (dashes, curly apostrophes, '…').
        #[test]
        fn quotation_marks_are_found_by_bytes(s in "[a \"“”‘’–—…€\u{2020}\u{e2}x]{0,24}") {
            prop_assert_eq!(has_quotation_mark(&s), s.contains(['“', '”', '"']));
        }
    }

    #[test]
    fn praise_concern_and_advice() {
        let c = weigh("The morale of staff is low, they report a lack of leadership");
        assert!(c.concern >= 2.0 && c.praise < c.concern, "{c:?}");
        let c = weigh("The strong relationship with the CCG is delivering a shared understanding");
        assert!(c.praise >= 1.0 && c.concern == 0.0, "{c:?}");
        let c = weigh("Ensuring the voice of the resident is prominent in developing services.");
        assert!(c.advice >= 1.0, "{c:?}");
        let c = weigh("There was not good evidence of planning");
        assert!(c.concern >= 1.0 && c.praise == 0.0, "{c:?}");
    }

    #[test]
    fn a_weakness_then_its_remedy_is_one_area_for_development() {
        assert!(weigh("The performance on reviews remains concerning, the directorate should consider setting a clear target.").concern_then_advice);
        assert!(!weigh("Pressures in nursing care, and domiciliary care should be considered in line with other councils.").concern_then_advice);
        assert!(!weigh("The council should agree outcome measures, as waiting lists are long.").concern_then_advice);
    }

    #[test]
    fn problems_kept_down_asides_and_gerund_subjects() {
        let c = weigh("There was a strong culture of grow your own, and low sickness, vacancies, and turnover rates.");
        assert!(c.praise > c.concern, "{c:?}");
        let c = weigh("Learning processes are in place to support improvements in practice.");
        assert_eq!(c.advice, 0.0, "{c:?}");
        let c = weigh("Learning from CYPS (Children and Young Peoples Services).");
        assert!(c.advice > 0.0, "{c:?}");
        let c = weigh("User Led Organisations reported that they would like to be involved.");
        assert_eq!(c.advice, 0.0, "{c:?}");
        let c = weigh("The council should be celebrated for its integrated model.");
        assert_eq!(c.explicit, 0.0, "{c:?}");
        // A need being met is praise; a need still to meet is not.
        let met = weigh("The review acknowledged the steps taken to address areas for improvement that the earlier review had highlighted.");
        assert!(met.praise > 0.0 && met.need == 0.0, "{met:?}");
        assert!(weigh("The council needs to address the areas for improvement.").need > 0.0);
        // The council's own intent is not advice; a question embedded in a sentence is no need.
        assert_eq!(weigh("There is a real commitment to build on this further.").advice, 0.0);
        assert!(weigh("You may also want to consider how the system can help.").advice > 0.0);
        assert_eq!(weigh("The council understands where it spends, and how the council could better use its resources.").need, 0.0);
        assert!(weigh("A partner keen on seeking solutions to the challenges faced by the service.").concern == 0.0);
        // Annotators read "there is an opportunity to" as a gap (an area), not as advice.
        let c = weigh("There is an opportunity to deliver transformational change through the BCF.");
        assert!(c.need > 0.0 && c.advice == 0.0, "{c:?}");
        // "should" inside "where ... should sit" describes; "may be assisted by" suggests.
        assert_eq!(weigh("There is a lack of clarity over where some decision-making should sit.").explicit, 0.0);
        assert!(weigh("This may be assisted by regular meetings with all managers.").advice > 0.0);
        assert!(weigh("A move away from a silo-based approach.").praise > 0.0);
        // Advice words that advise nothing where they stand.
        assert_eq!(weigh("It has not translated into a review of the pathway taking into consideration the Care Act.").advice, 0.0);
        assert_eq!(weigh("There was no evidence this has been done, nor does the recommendation to build the model appear in the plan.").explicit, 0.0);
        assert!(weigh("Our recommendation is that the council builds a model.").explicit > 0.0);
        // Others' views reported by the team are a gap, not the team's advice.
        let c = weigh("It was perceived by some that commissioners should develop stronger relationships.");
        assert!(c.advice == 0.0 && c.explicit == 0.0 && c.need > 0.0, "{c:?}");
        assert!(weigh("Council leadership would benefit from harnessing enthusiasm from partners.").explicit > 0.0);
        // An activity said to matter is advice; a thing said to matter is not.
        assert!(weigh("Knowing what good looks like and how to measure this is an important starting point.").explicit > 0.0);
        assert_eq!(weigh("The voluntary sector is an important partner for the council.").explicit, 0.0);
        // The sector's own words of praise.
        assert!(weigh("You also appear to be a learning organisation, open to challenge.").praise > 0.0);
        assert!(weigh("The council is not yet a learning organisation.").praise == 0.0);
    }

    /// Regression: a pattern written through a tool that read `\b` as a backspace held a
    /// control character and silently never matched.
    #[test]
    fn pattern_sources_hold_no_control_characters() {
        for (name, src) in [
            ("cues.rs", include_str!("cues.rs")),
            ("lexicons/cues.toml", include_str!("../lexicons/cues.toml")),
            ("lexicons/sections.toml", include_str!("../lexicons/sections.toml")),
            ("lexicons/metadata.toml", include_str!("../lexicons/metadata.toml")),
            ("findings.rs", include_str!("findings.rs")),
            ("minutes.rs", include_str!("minutes.rs")),
            ("metadata.rs", include_str!("metadata.rs")),
            ("structure.rs", include_str!("structure.rs")),
            ("normalize.rs", include_str!("normalize.rs")),
        ] {
            assert!(!src.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')), "{name} holds a control character");
        }
    }

    #[test]
    fn a_sentence_is_read_after_it_turns() {
        assert_eq!(after_turn("Structures are in place but the delivery was less well defined."), Some(" the delivery was less well defined."));
        assert_eq!(after_turn("Whilst the vision is clear, staff do not yet share it."), Some(" staff do not yet share it."));
        assert_eq!(after_turn("The front door works well for most people."), None);
        assert_eq!(after_turn("Good, but slow."), None, "too little after the turn to weigh");
        let tail = weigh(after_turn("The board is strong, however gaps remain in oversight.").unwrap());
        assert!(tail.concern > 0.0 && tail.praise == 0.0, "{tail:?}");
    }

    #[test]
    fn process_and_resolutions_are_not_findings() {
        assert!(is_not_finding("Scrutiny note the findings of the Peer Challenge"));
        assert!(is_not_finding("The review team was led by Joy Hollister, Strategic Director."));
        assert!(is_not_finding("Councillor Havard queried whether there are any updates."));
        assert!(!is_not_finding("People who have been through an enquiry are rarely asked about their experience."));
        assert!(!is_not_finding("The council should agree a small number of outcome measures with partners."));
        assert!(is_not_finding("That the Panel note the feedback from the LGA peer challenge."));
        assert!(is_not_finding("Members noted the report and the action plan."));
        assert!(!is_not_finding("The performance on reviews remains concerning."));
        assert!(is_not_finding("Learning, improvement and innovation: We focus on continuous learning, innovation and improvement."));
        assert!(is_not_finding("We act on the best information about risk, performance and outcomes."));
        assert!(!is_not_finding("We saw some good evidence of innovation in projects."));
        assert!(!is_not_finding("We have seen a strong commitment to co-production."));
        assert!(is_not_finding("“We organise meetings at their request, and they cant be bothered to ring us”"));
        assert!(is_not_finding("The hope was expressed that \"we know ourselves good or bad, and that we are on the right track\"."));
        assert!(!is_not_finding("There was a strong culture of “grow your own” in the local workforce."));
        // The chair of a meeting is process; leadership "from the chair" of a board is not.
        assert!(is_not_finding("The Chair thanked officers for the report."));
        assert!(!is_not_finding("Strong and visible leadership from the chair and from the chief executive"));
        // The team's offer to talk is a courtesy; a council's offer to share practice is a pointer.
        assert!(is_not_finding("The team would be very happy to talk through any of these points with you."));
        assert!(!is_not_finding("Colleagues from Suffolk would be happy to share their experience of the Home First model."));
        assert!(is_pointer("Colleagues from Suffolk would be happy to share their experience of the Home First model."));
        // Scope and announcements of what follows.
        assert!(is_not_finding("As you know, the review looked at how well the front door and reablement work together."));
        assert!(is_not_finding("There were also some things that we think you should reflect on."));
        assert!(is_not_finding("The LGA will continue to support the council and will contact you in six months."));
        // The tone of the whole review is a summary, not a finding.
        assert!(is_not_finding("Overall, the team came away with a positive picture."));
        assert!(is_not_finding("They advised that the overall findings from the peer review were positive."));
        assert!(!is_not_finding("The overall picture of carers' support is positive, with a strong offer."));
    }
}
