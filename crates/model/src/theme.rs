//! The theme taxonomy (corpus/themes.toml): what a finding is about, kept as data the user
//! can edit, and the matcher that tags a text with its themes.

use regex::{Regex, RegexSet, RegexSetBuilder};
use serde::Deserialize;

use crate::error::ModelError;

/// The taxonomy as people edit it; the tests hold the built-in JSON to it.
#[cfg(test)]
const BUILTIN_TOML: &str = include_str!("../../../corpus/themes.toml");
/// The same taxonomy as JSON, written by build.rs: read faster at start-up.
const BUILTIN_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/themes.json"));

#[derive(Deserialize)]
struct File {
    version: u32,
    #[serde(default)]
    cqc_theme: Vec<CqcTheme>,
    theme: Vec<ThemeSpec>,
}

/// One of the CQC assessment framework's four themes, which group its quality statements.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
pub struct CqcTheme {
    pub id: String,
    pub label: String,
}

/// The two ways findings are grouped, each without two themes for one idea.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Axis {
    /// The nine quality statements of the CQC assessment framework.
    Cqc,
    /// The sector's topics: DoLS, carers, direct payments, workforce, …
    Topic,
}

impl Axis {
    pub fn label(self) -> &'static str {
        match self {
            Axis::Cqc => "CQC quality statements",
            Axis::Topic => "Topics",
        }
    }
}

#[derive(Deserialize)]
struct ThemeSpec {
    id: String,
    label: String,
    #[serde(default)]
    group: String,
    terms: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    words: Vec<String>,
}

/// One theme, with its compiled matchers.
#[derive(Debug, Clone)]
pub struct Theme {
    pub id: String,
    pub label: String,
    pub group: String,
    /// Words a person may type for this theme (lower-case), besides its id and label.
    pub words: Vec<String>,
    /// The theme's terms as one pattern (see [`alternation`]), and what excludes a match.
    terms: String,
    exclude: Option<String>,
}

/// The whole taxonomy.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub version: u32,
    /// The CQC framework's themes; a quality statement's `group` is one of their ids.
    pub cqc_themes: Vec<CqcTheme>,
    pub themes: Vec<Theme>,
    /// Compiled on first use: answering a question needs the themes' names, never their
    /// patterns, and compiling them is most of a query's start-up.
    matcher: std::sync::OnceLock<Matcher>,
}

/// The themes' patterns compiled.
#[derive(Debug, Clone)]
struct Matcher {
    /// Every theme's terms in one automaton: one pass over a text says which themes' terms
    /// occur in it, so only those themes' exclusions are checked.
    any_terms: RegexSet,
    terms: Vec<Regex>,
    exclude: Vec<Option<Regex>>,
}

impl Matcher {
    fn build(themes: &[Theme]) -> Result<Matcher, ModelError> {
        let compile = |t: &Theme, p: &str| {
            crate::pattern::compile(p).map_err(|e| ModelError::Pattern { theme: t.id.clone(), pattern: p.to_string(), reason: e.to_string() })
        };
        let terms = themes.iter().map(|t| compile(t, &t.terms)).collect::<Result<Vec<_>, _>>()?;
        let exclude = themes.iter().map(|t| t.exclude.as_deref().map(|p| compile(t, p)).transpose()).collect::<Result<Vec<_>, _>>()?;
        let any_terms = RegexSetBuilder::new(terms.iter().map(Regex::as_str)).dfa_size_limit(crate::pattern::DFA_CACHE).build()?;
        Ok(Matcher { any_terms, terms, exclude })
    }
}

/// A theme or a CQC theme, as someone named it.
enum Typed<'a> {
    Theme(&'a Theme),
    Cqc(&'a CqcTheme),
}

impl Taxonomy {
    /// The taxonomy shipped in corpus/themes.toml.
    pub fn builtin() -> Result<Taxonomy, ModelError> {
        // The shipped patterns are checked by `compile` (the extractor's start-up, and a
        // test); answering a question never compiles them, so it need not check them either.
        Taxonomy::from_file(serde_json::from_str(BUILTIN_JSON)?, false)
    }

    pub fn from_toml(text: &str) -> Result<Taxonomy, ModelError> {
        Taxonomy::read(text, true)
    }

    /// Read a taxonomy, checking each pattern's syntax when `check` (a bad one names its theme).
    fn read(text: &str, check: bool) -> Result<Taxonomy, ModelError> {
        Taxonomy::from_file(toml::from_str(text)?, check)
    }

    fn from_file(file: File, check: bool) -> Result<Taxonomy, ModelError> {
        let themes: Vec<Theme> = file.theme.into_iter().map(|t| Theme::parse(t, check)).collect::<Result<_, _>>()?;
        Ok(Taxonomy { version: file.version, cqc_themes: file.cqc_theme, themes, matcher: std::sync::OnceLock::new() })
    }

    /// Compile the themes' patterns now rather than on first use, so a pattern too large to
    /// compile is an error at start-up (the extractor calls this).
    pub fn compile(&self) -> Result<(), ModelError> {
        if self.matcher.get().is_none() {
            let _ = self.matcher.set(Matcher::build(&self.themes)?);
        }
        Ok(())
    }

    /// The ids of the themes `text` is about, in taxonomy order.
    pub fn themes_of(&self, text: &str) -> Vec<String> {
        // Every pattern parsed when the taxonomy was read; one that still fails to compile
        // (too large) was reported by `compile`, and tags nothing.
        if self.compile().is_err() {
            return Vec::new();
        }
        let Some(m) = self.matcher.get() else { return Vec::new() };
        m.any_terms
            .matches(text)
            .into_iter()
            .filter(|&i| m.exclude[i].as_ref().is_none_or(|ex| matches_outside(&m.terms[i], ex, text)))
            .map(|i| self.themes[i].id.clone())
            .collect()
    }

    /// The word of the themes' names a mistyped `word` is nearly ("safegaurding" →
    /// "safeguarding"): the rule councils' names are nearly typed by (one edit in five
    /// letters, the same first letter), over the words a person may type for a theme.
    pub fn nearly_worded(&self, word: &str) -> Option<String> {
        let word = word.trim().to_lowercase();
        if word.chars().count() < 5 {
            return None;
        }
        self.themes
            .iter()
            .flat_map(|t| t.label.split_whitespace().chain(t.words.iter().flat_map(|w| w.split_whitespace())))
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-'))
            .filter(|w| w.chars().count() >= 5 && !w.eq_ignore_ascii_case(&word))
            .filter_map(|w| crate::text::nearly_spelt(&word, w).map(|score| (score, w)))
            .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
            .map(|(_, w)| w.to_lowercase())
    }

    pub fn get(&self, id: &str) -> Option<&Theme> {
        self.themes.iter().find(|t| t.id == id)
    }

    /// The axis a theme is on: a quality statement (grouped under a CQC theme) or a topic.
    pub fn axis(&self, theme: &Theme) -> Axis {
        if self.cqc_theme(theme).is_some() {
            Axis::Cqc
        } else {
            Axis::Topic
        }
    }

    /// The CQC theme a quality statement falls under.
    pub fn cqc_theme(&self, theme: &Theme) -> Option<&CqcTheme> {
        self.cqc_themes.iter().find(|c| c.id == theme.group)
    }

    /// The theme ids an id given as a filter stands for: a CQC theme's quality statements,
    /// or the theme itself; empty when it is neither.
    pub fn expand(&self, id: &str) -> Vec<String> {
        if self.get(id).is_some() {
            return vec![id.to_string()];
        }
        // What `themes` shows is the label ("Workforce and recruitment"): it is taken too,
        // in any case, as is an id typed in capitals.
        match self.typed(id) {
            Some(Typed::Theme(t)) => vec![t.id.clone()],
            Some(Typed::Cqc(c)) => self.themes.iter().filter(|t| t.group == c.id).map(|t| t.id.clone()).collect(),
            None => Vec::new(),
        }
    }

    /// The theme or CQC theme `typed` names by its id or label, in any case.
    fn typed(&self, typed: &str) -> Option<Typed<'_>> {
        let typed = typed.trim();
        let named = |id: &str, label: &str| id.eq_ignore_ascii_case(typed) || label.eq_ignore_ascii_case(typed);
        let theme = self.themes.iter().find(|t| named(&t.id, &t.label)).map(Typed::Theme);
        theme.or_else(|| self.cqc_themes.iter().find(|c| named(&c.id, &c.label)).map(Typed::Cqc))
    }

    /// The label of a theme or CQC theme asked for by its id or label, in any case.
    pub fn label_of(&self, typed: &str) -> Option<&str> {
        match self.typed(typed)? {
            Typed::Theme(t) => Some(&t.label),
            Typed::Cqc(c) => Some(&c.label),
        }
    }

    /// Themes a query's words name: a theme whose id is given, or one of whose words
    /// (or the words of its label) appears among `words` (lower-case, unstemmed). A word
    /// that names a topic and a broader CQC quality statement names the topic alone:
    /// "waiting" is the waiting-lists topic, not every finding about assessing needs
    /// (regression: "told to improve their waiting lists" answered with any "assessment").
    pub fn themes_named_by(&self, words: &[String]) -> Vec<&Theme> {
        let names = |t: &Theme, w: &String| *w == t.id || t.words.iter().any(|tw| tw == w) || t.id.split('-').any(|p| p == w);
        let mut named: Vec<&Theme> = Vec::new();
        for w in words {
            let of_word: Vec<&Theme> = self.themes.iter().filter(|t| names(t, w)).collect();
            let topics = of_word.iter().any(|t| self.axis(t) == Axis::Topic);
            for t in of_word {
                if (!topics || self.axis(t) == Axis::Topic || *w == t.id) && !named.iter().any(|n| n.id == t.id) {
                    named.push(t);
                }
            }
        }
        // In the table's order, as before.
        named.sort_by_key(|t| self.themes.iter().position(|x| x.id == t.id));
        named
    }
}

impl Theme {
    fn parse(spec: ThemeSpec, check: bool) -> Result<Theme, ModelError> {
        let terms = alternation(&spec.id, &spec.terms, check)?;
        let exclude = if spec.exclude.is_empty() { None } else { Some(alternation(&spec.id, &spec.exclude, check)?) };
        Ok(Theme {
            words: spec.words.iter().map(|w| w.to_lowercase()).collect(),
            id: spec.id,
            label: spec.label,
            group: spec.group,
            terms,
            exclude,
        })
    }
}

/// Whether `terms`, which match `text` somewhere (the caller's set said so), match it outside
/// every match of `exclude`. Most texts hold no excluded phrase at all: then any match is
/// outside, and the terms need no search of their own.
fn matches_outside(terms: &Regex, exclude: &Regex, text: &str) -> bool {
    if !exclude.is_match(text) {
        return true;
    }
    let excluded: Vec<(usize, usize)> = exclude.find_iter(text).map(|m| word_span(text, m.start(), m.end())).collect();
    terms.find_iter(text).any(|m| {
        let (s, e) = word_span(text, m.start(), m.end());
        !excluded.iter().any(|&(xs, xe)| xs <= s && e <= xe)
    })
}

fn word_span(text: &str, start: usize, end: usize) -> (usize, usize) {
    let m = &text[start..end];
    let lead = m.len() - m.trim_start_matches(|c: char| !c.is_alphanumeric()).len();
    let trail = m.len() - m.trim_end_matches(|c: char| !c.is_alphanumeric()).len();
    (start + lead, (end - trail).max(start + lead))
}

/// One case-insensitive regex from a list of fragments, each bounded by non-word characters.
/// One pattern for a list of terms, each bounded by non-word characters. Each term is parsed
/// here (cheap), so a bad one names its theme when the taxonomy is read.
fn alternation(theme: &str, parts: &[String], check: bool) -> Result<String, ModelError> {
    for p in parts.iter().filter(|_| check) {
        regex_syntax::Parser::new().parse(p).map_err(|e| ModelError::Pattern {
            theme: theme.to_string(),
            pattern: p.clone(),
            reason: e.to_string(),
        })?;
    }
    let joined = parts.iter().map(|p| format!("(?:{p})")).collect::<Vec<_>>().join("|");
    Ok(format!(r"(?i)(?:^|[^A-Za-z0-9_])(?:{joined})(?:[^A-Za-z0-9_]|$)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: `themes` shows labels and `--theme` took only ids ("--theme
    /// Workforce" and "--theme 'Workforce and recruitment'" were refused).
    #[test]
    fn a_theme_is_taken_by_its_label_or_its_id_in_any_case() {
        let t = Taxonomy::builtin().unwrap();
        let workforce = t.get("workforce").unwrap();
        assert_eq!(t.expand(&workforce.label), ["workforce"]);
        assert_eq!(t.expand(&workforce.label.to_uppercase()), ["workforce"]);
        assert_eq!(t.expand("Workforce"), ["workforce"]);
        let cqc = &t.cqc_themes[0];
        assert!(!t.expand(&cqc.label).is_empty() && t.expand(&cqc.label) == t.expand(&cqc.id));
        assert!(t.expand("no such theme").is_empty());
    }

    #[test]
    fn a_mistyped_theme_word_is_nearly_worded() {
        let t = Taxonomy::builtin().unwrap();
        assert_eq!(t.nearly_worded("safegaurding").as_deref(), Some("safeguarding"));
        assert_eq!(t.nearly_worded("Workforse").as_deref(), Some("workforce"));
        // A label's punctuation is no part of the word ("Care provision, integration …").
        assert!(t.nearly_worded("provison").is_some_and(|w| w.chars().all(|c| c.is_alphanumeric() || c == '-')));
        // A word spelt right, short, or like nothing is no suggestion.
        for w in ["safeguarding", "care", "payroll"] {
            assert_eq!(t.nearly_worded(w), None, "{w}");
        }
    }

    #[test]
    fn reviews_of_care_are_not_peer_reviews() {
        let t = Taxonomy::builtin().unwrap();
        let has = |s: &str| t.themes_of(s).contains(&"reviews".to_string());
        assert!(has("The performance on reviews remains concerning"));
        assert!(has("improvements in the timeliness of reviews of packages"));
        assert!(has("Demand management at front end and reviewing of packages"));
        assert!(!has("The peer review had highlighted a number of areas of strength"));
        assert!(!has("We recently took part in a peer review of our services"));
        assert!(has("The number of people waiting for a review has fallen by a third"));
        assert!(has("Around 40% of people are overdue a review"));
        assert!(!has("The council asked for a review of its front door"));
        // An excluded phrase and a term outside it: the term still tags.
        assert!(has("The peer review found that reviews of packages are overdue"));
    }

    #[test]
    fn acronyms_are_themes() {
        let t = Taxonomy::builtin().unwrap();
        assert!(t.themes_of("Deprivation of Liberty Safeguards (DoLS) Assessments.").contains(&"dols-mca".into()));
        assert!(t.themes_of("the BCF needs to demonstrate transformational change").contains(&"integration-nhs".into()));
        assert!(t.themes_of("The lack of an identified PSW was identified").contains(&"psw".into()));
    }

    #[test]
    fn the_shipped_patterns_compile() {
        Taxonomy::builtin().unwrap().compile().unwrap();
        Taxonomy::from_toml(BUILTIN_TOML).unwrap().compile().unwrap();
    }

    /// The built-in taxonomy is read from the JSON build.rs makes of the TOML: the two
    /// must hold the same themes, patterns and all.
    #[test]
    fn the_built_in_json_is_the_toml() {
        let (json, toml) = (Taxonomy::builtin().unwrap(), Taxonomy::from_toml(BUILTIN_TOML).unwrap());
        assert_eq!(format!("{:?}", json.themes), format!("{:?}", toml.themes));
        assert_eq!((json.version, &json.cqc_themes), (toml.version, &toml.cqc_themes));
        assert!(json.themes.len() >= 30, "{}", json.themes.len());
    }

    #[test]
    fn a_bad_pattern_names_its_theme() {
        let err = Taxonomy::from_toml("version = 1\n[[theme]]\nid = \"x\"\nlabel = \"X\"\nterms = [\"(\"]\n")
            .unwrap_err();
        assert!(err.to_string().contains("theme x"), "{err}");
    }

    #[test]
    fn query_words_name_themes() {
        let t = Taxonomy::builtin().unwrap();
        let ids: Vec<_> = t.themes_named_by(&["dols".into()]).iter().map(|t| t.id.clone()).collect();
        assert_eq!(ids, ["dols-mca"]);
    }
}
