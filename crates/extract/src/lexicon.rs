//! Lexicons as data: the tables of words and phrases in `crates/extract/lexicons/*.toml`,
//! and the regular expressions and word lists built from them. What a cue means lives in
//! those files, each table with a note on what it marks; the code that reads a sentence with
//! them lives in `cues.rs`.
//!
//! The files are compiled into the binary. A table missing or a pattern that does not compile
//! is a defect of the build, not of any input, so it panics naming the file and the table
//! (the first time the table is asked for); `every_table_compiles` finds it in the tests.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

/// One table: either a regular expression (`pattern` with `{}` replaced by the `entries`
/// joined by "|") or a list of `words`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    /// What the table marks: for the reader of the file.
    #[allow(dead_code)]
    about: String,
    pattern: Option<String>,
    #[serde(default)]
    entries: Vec<String>,
    #[serde(default)]
    words: Vec<String>,
}

/// The tables of one lexicon file.
#[derive(Debug)]
pub struct Lexicons {
    file: &'static str,
    tables: BTreeMap<String, Table>,
}

impl Lexicons {
    fn parse(file: &'static str, text: &str) -> Lexicons {
        let tables = toml::from_str(text).unwrap_or_else(|e| panic!("{file}: {e}"));
        Lexicons { file, tables }
    }

    fn table(&self, name: &str) -> &Table {
        self.tables.get(name).unwrap_or_else(|| panic!("{}: no table [{name}]", self.file))
    }

    /// The regular expression table `name` spells, before compiling.
    pub fn pattern(&self, name: &str) -> String {
        let table = self.table(name);
        let pattern = table.pattern.as_deref().unwrap_or_else(|| panic!("{}: [{name}] has no pattern", self.file));
        pattern.replace("{}", &table.entries.join("|"))
    }

    /// Table `name` compiled (with ASCII word boundaries: `peerscope_model::pattern`).
    pub fn regex(&self, name: &str) -> Regex {
        peerscope_model::pattern::compile(&self.pattern(name)).unwrap_or_else(|e| panic!("{}: [{name}]: {e}", self.file))
    }

    /// The word list of table `name`.
    pub fn words(&self, name: &str) -> &[String] {
        &self.table(name).words
    }

    #[cfg(test)]
    fn names(&self) -> impl Iterator<Item = &str> {
        self.tables.keys().map(String::as_str)
    }
}

/// The cue lexicons (`lexicons/cues.toml`).
pub static CUES: LazyLock<Lexicons> = LazyLock::new(|| Lexicons::parse("lexicons/cues.toml", include_str!("../lexicons/cues.toml")));

/// What a document is and who reviewed (`lexicons/metadata.toml`).
pub static METADATA: LazyLock<Lexicons> = LazyLock::new(|| Lexicons::parse("lexicons/metadata.toml", include_str!("../lexicons/metadata.toml")));

/// What section headings announce (`lexicons/sections.toml`).
pub static SECTIONS: LazyLock<Lexicons> = LazyLock::new(|| Lexicons::parse("lexicons/sections.toml", include_str!("../lexicons/sections.toml")));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_compiles() {
        for lexicons in [&*CUES, &*SECTIONS, &*METADATA] {
            for name in lexicons.names() {
                let table = lexicons.table(name);
                let file = lexicons.file;
                match &table.pattern {
                    Some(_) => {
                        assert!(!table.entries.is_empty() && table.words.is_empty(), "{file} [{name}]: a pattern takes entries, not words");
                        lexicons.regex(name);
                    }
                    None => assert!(!table.words.is_empty() && table.entries.is_empty(), "{file} [{name}]: a table without a pattern is a list of words"),
                }
            }
        }
    }

    #[test]
    fn entries_read_as_written() {
        // A TOML literal string keeps a backslash as it is: `\b` is a word boundary here.
        assert!(CUES.pattern("praise").starts_with(r"(?i)\b(?:good|excellent|"));
        assert!(CUES.regex("praise").is_match("a good offer") && !CUES.regex("praise").is_match("goods"));
    }
}
