//! What a person typed, read as an intent (which kinds of finding) and a topic.
//!
//! "councils flagged for review performance" → weaknesses and recommendations about
//! "review performance"; "praised for carers support" → strengths about carers.

use std::sync::LazyLock;

use peerscope_model::{FindingKind, Taxonomy};
use regex::Regex;
use serde::Serialize;

use FindingKind::*;

/// The intent of a query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Intent {
    pub kinds: Vec<FindingKind>,
    pub topic: String,
    /// Themes of the taxonomy the topic names.
    pub themes: Vec<String>,
}

static LEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?:which|what|show(?: me)?|list|find|all|any)\s+)*(?:(?:councils?|local authorities|authorities|las)\s+)?(?:(?:(?:that|who|which|where)\s+)?(?:were|was|are|is|have been|has been|got)\s+)?")
        .unwrap_or_else(|e| panic!("{e}"))
});

/// Intent phrases, most specific first, with the kinds they ask for.
static PHRASES: LazyLock<Vec<(Regex, Vec<FindingKind>)>> = LazyLock::new(|| {
    [
        (r"^(?:best|good|notable) practice (?:for|in|on|around|with)?", vec![BestPractice, Strength]),
        (r"^(?:who does|who is good at|learn(?:ing)? from others on|examples of good)", vec![BestPractice, Strength]),
        (r"^(?:praised|commended|celebrated|recognised) (?:for|on)?|^(?:strengths?|strong|good|doing well|performing well|working well) (?:in|on|at|for|around|with)?", vec![Strength]),
        (r"^(?:flagged|criticised|challenged|marked down|told off) (?:for|on|about|over)?|^(?:concerns?|worries|weakness(?:es)?|problems?|issues?|gaps?|risks?) (?:about|over|with|in|on|around|for)?|^(?:weak|poor|struggling|failing) (?:in|on|at|with)?|^areas? for (?:development|improvement|consideration) (?:in|on|around)?|^told to improve", vec![AreaForDevelopment, Recommendation]),
        (r"^(?:recommended|recommendations?|advised|advice|told to|next steps) (?:on|about|for|to|around|with)?", vec![Recommendation]),
    ]
    .into_iter()
    .map(|(p, k)| (Regex::new(p).unwrap_or_else(|e| panic!("{e}")), k))
    .collect()
});

const STOP: &[&str] = &["the", "a", "an", "of", "and", "in", "for", "on", "about", "with", "their", "its", "to", "councils", "council", "around"];

/// Read `query` as an intent and a topic; an unknown intent asks for every kind.
pub fn parse(query: &str, taxonomy: &Taxonomy) -> Intent {
    let lower = query.trim().to_lowercase();
    let rest = LEAD.find(&lower).map_or(lower.as_str(), |m| &lower[m.end()..]).trim();
    let (kinds, topic) = PHRASES
        .iter()
        .find_map(|(re, kinds)| re.find(rest).map(|m| (kinds.clone(), rest[m.end()..].trim())))
        .unwrap_or_else(|| (FindingKind::ALL.to_vec(), rest));
    let topic = topic.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
    let words: Vec<String> = topic
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty() && !STOP.contains(w))
        .map(str::to_string)
        .collect();
    let themes = taxonomy.themes_named_by(&words).into_iter().map(|t| t.id.clone()).collect();
    Intent { kinds, topic, themes }
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
}
