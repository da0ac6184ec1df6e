//! Regular expressions for peerscope's lexicons, compiled so they stay fast.
//!
//! A Unicode word boundary (`\b`) makes the regex crate's lazy DFA give up on the first
//! non-ASCII byte (a curly quote, an en dash: every council document has them) and fall back
//! to a far slower engine, and a Unicode `\w*` blows up its states. The lexicons only need
//! ASCII words, so `\b` is compiled as `(?-u:\b)`, `\w` as `[[:word:]]` and `\d` as `[0-9]`
//! (ASCII), which also makes them far cheaper to compile.

use regex::Regex;

/// Compile `pattern` with ASCII word boundaries.
pub fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    let ascii = pattern
        .replace(r"\b", r"(?-u:\b)")
        .replace(r"\w", "[[:word:]]")
        .replace(r"\W", "[^[:word:]]")
        // Unicode's digits are hundreds of ranges; peerscope's numbers are ASCII.
        .replace(r"\d", "[0-9]");
    // The lexicons are long case-insensitive alternations: the lazy DFA's default 2 MiB cache
    // fills and is cleared over and over on a long document, rebuilding the same states.
    regex::RegexBuilder::new(&ascii).dfa_size_limit(DFA_CACHE).build()
}

/// The lazy DFA's cache per lexicon (it grows only as states are built).
pub(crate) const DFA_CACHE: usize = 32 << 20;

#[cfg(test)]
mod tests {
    #[test]
    fn boundaries_still_bound_words() {
        let re = super::compile(r"(?i)\breview\b").unwrap();
        assert!(re.is_match("the \u{201c}review\u{201d} plan"));
        assert!(!re.is_match("reviewing"));
        let re = super::compile(r"(?i)\bintegrat\w*|[^\w]x").unwrap();
        assert!(re.is_match("Integration") && re.is_match("a-x"));
    }
}
