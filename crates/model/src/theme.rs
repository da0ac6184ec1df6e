//! The theme taxonomy (corpus/themes.toml): what a finding is about, kept as data the user
//! can edit, and the matcher that tags a text with its themes.

use regex::{Regex, RegexSet, RegexSetBuilder};
use serde::Deserialize;

use crate::error::ModelError;

const BUILTIN_TOML: &str = include_str!("../../../corpus/themes.toml");

#[derive(Deserialize)]
struct File {
    version: u32,
    theme: Vec<ThemeSpec>,
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
    terms: Regex,
    exclude: Option<Regex>,
}

/// The whole taxonomy.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub version: u32,
    pub themes: Vec<Theme>,
    /// Every theme's terms in one automaton: one pass over a text says which themes' terms
    /// occur in it, so only those themes' exclusions are checked.
    any_terms: RegexSet,
}

impl Taxonomy {
    /// The taxonomy shipped in corpus/themes.toml.
    pub fn builtin() -> Result<Taxonomy, ModelError> {
        Taxonomy::from_toml(BUILTIN_TOML)
    }

    pub fn from_toml(text: &str) -> Result<Taxonomy, ModelError> {
        let file: File = toml::from_str(text)?;
        let themes: Vec<Theme> = file.theme.into_iter().map(Theme::compile).collect::<Result<_, _>>()?;
        let any_terms = RegexSetBuilder::new(themes.iter().map(|t| t.terms.as_str()))
            .dfa_size_limit(crate::pattern::DFA_CACHE)
            .build()?;
        Ok(Taxonomy { version: file.version, themes, any_terms })
    }

    /// The ids of the themes `text` is about, in taxonomy order.
    pub fn themes_of(&self, text: &str) -> Vec<String> {
        self.any_terms
            .matches(text)
            .into_iter()
            .map(|i| &self.themes[i])
            .filter(|t| t.exclude.is_none() || t.matches(text))
            .map(|t| t.id.clone())
            .collect()
    }

    pub fn get(&self, id: &str) -> Option<&Theme> {
        self.themes.iter().find(|t| t.id == id)
    }

    /// Themes a query's words name: a theme whose id is given, or one of whose words
    /// (or the words of its label) appears among `words` (lower-case, unstemmed).
    pub fn themes_named_by(&self, words: &[String]) -> Vec<&Theme> {
        self.themes
            .iter()
            .filter(|t| {
                words.iter().any(|w| {
                    *w == t.id || t.words.iter().any(|tw| tw == w) || t.id.split('-').any(|p| p == w)
                })
            })
            .collect()
    }
}

impl Theme {
    fn compile(spec: ThemeSpec) -> Result<Theme, ModelError> {
        let terms = alternation(&spec.id, &spec.terms)?;
        let exclude = if spec.exclude.is_empty() { None } else { Some(alternation(&spec.id, &spec.exclude)?) };
        Ok(Theme {
            words: spec.words.iter().map(|w| w.to_lowercase()).collect(),
            id: spec.id,
            label: spec.label,
            group: spec.group,
            terms,
            exclude,
        })
    }

    /// Whether `text` is about this theme: some term matches that no excluded phrase covers
    /// ("reviews" inside "peer reviews" does not count; "waiting for a review" does, though
    /// "a review" alone is excluded as the peer review itself).
    pub fn matches(&self, text: &str) -> bool {
        let Some(ex) = &self.exclude else { return self.terms.is_match(text) };
        let excluded: Vec<(usize, usize)> = ex.find_iter(text).map(|m| word_span(text, m.start(), m.end())).collect();
        self.terms.find_iter(text).any(|m| {
            let (s, e) = word_span(text, m.start(), m.end());
            !excluded.iter().any(|&(xs, xe)| xs <= s && e <= xe)
        })
    }
}

/// A match without the boundary characters the alternation consumes on either side.
fn word_span(text: &str, start: usize, end: usize) -> (usize, usize) {
    let m = &text[start..end];
    let lead = m.len() - m.trim_start_matches(|c: char| !c.is_alphanumeric()).len();
    let trail = m.len() - m.trim_end_matches(|c: char| !c.is_alphanumeric()).len();
    (start + lead, (end - trail).max(start + lead))
}

/// One case-insensitive regex from a list of fragments, each bounded by non-word characters.
fn alternation(theme: &str, parts: &[String]) -> Result<Regex, ModelError> {
    for p in parts {
        Regex::new(p).map_err(|source| ModelError::Pattern {
            theme: theme.to_string(),
            pattern: p.clone(),
            source,
        })?;
    }
    let joined = parts.iter().map(|p| format!("(?:{p})")).collect::<Vec<_>>().join("|");
    Ok(crate::pattern::compile(&format!(r"(?i)(?:^|[^A-Za-z0-9_])(?:{joined})(?:[^A-Za-z0-9_]|$)"))?)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    #[test]
    fn acronyms_are_themes() {
        let t = Taxonomy::builtin().unwrap();
        assert!(t.themes_of("Deprivation of Liberty Safeguards (DoLS) Assessments.").contains(&"dols-mca".into()));
        assert!(t.themes_of("the BCF needs to demonstrate transformational change").contains(&"integration-nhs".into()));
        assert!(t.themes_of("The lack of an identified PSW was identified").contains(&"psw".into()));
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
