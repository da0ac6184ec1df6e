//! The scorer's tokens: lower-cased runs of ASCII letters and digits, longer than one
//! character, minus a short list of stop words (the list `score.py` uses).

use std::collections::HashSet;

const STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "had", "has", "have", "in", "into", "is",
    "it", "its", "of", "on", "or", "that", "the", "their", "there", "these", "this", "those", "to", "was", "were", "which",
    "will", "with", "we", "our", "your", "they", "them", "he", "she", "his", "her", "you", "i", "not", "no",
];

/// The token set of a passage.
pub fn tokens(text: &str) -> HashSet<String> {
    text.to_lowercase()
        .split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
        .filter(|t| t.len() > 1 && !STOP.contains(t))
        .map(str::to_string)
        .collect()
}
