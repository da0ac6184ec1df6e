//! The councils with adult social care duties (corpus/councils.csv, from mySociety) and how
//! their names are found in running text.

use rustc_hash::{FxHashMap, FxHashSet};

use serde::{Deserialize, Serialize};

use crate::error::ModelError;

/// The shipped table, compiled in so the binary works from any directory.
const BUILTIN_CSV: &str = include_str!("../../../corpus/councils.csv");
/// Councils abolished since 2019 that older documents name (same columns, plus `abolished`
/// and `successors`).
const FORMER_CSV: &str = include_str!("../../../corpus/former_councils.csv");

/// Names people write that the table does not list (loose or historical forms).
const EXTRA_ALIASES: &[(&str, &str)] = &[
    ("E06000021", "Stoke"),
    ("E06000010", "Hull"),
    ("E06000023", "Bristol"),
    ("E06000058", "BCP"),
    ("E06000020", "Telford"),
    ("E06000047", "Durham"),
    ("E06000004", "Stockton"),
    ("E06000003", "Redcar"),
    ("E06000033", "Southend"),
    ("E06000043", "Brighton"),
];

/// Abbreviations officers write ("Herts", "B&NES"): names too, but typed in lower case
/// only beside a council word ("glos" alone is more often a word).
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("E06000022", "BANES"),
    ("E06000022", "B&NES"),
    ("E09000020", "RBKC"),
    ("E10000003", "Cambs"),
    ("E10000013", "Glos"),
    ("E10000014", "Hants"),
    ("E10000015", "Herts"),
    ("E10000017", "Lancs"),
    ("E10000018", "Leics"),
    ("E10000019", "Lincs"),
    ("E10000024", "Notts"),
    ("E10000025", "Oxon"),
    ("E10000028", "Staffs"),
    ("E10000034", "Worcs"),
];

/// Words around a council's name that say it is a council ("London Borough of Bexley",
/// "Bexley Council"): a name typed with them is looked up without them too.
const COUNCIL_PREFIXES: &[&str] = &["the ", "london borough of ", "royal borough of ", "city and county of ", "metropolitan borough of ", "county borough of ", "city of ", "county of ", "borough of "];
const COUNCIL_SUFFIXES: &[&str] = &[
    " metropolitan borough council",
    " metropolitan district council",
    " borough council",
    " city council",
    " county council",
    " district council",
    " council",
    " mbc",
    " lbc",
    " cc",
];

/// Shorter names people write for a region (the table's names are the ONS's).
const REGION_ALIASES: &[(&str, &[&str])] = &[
    ("Yorkshire and The Humber", &["Yorkshire and Humber", "Yorkshire & The Humber", "Yorkshire & Humber", "Yorkshire"]),
    // ADASS's name for its region ("eastern" alone is too often another word in a question).
    ("East of England", &["Eastern region"]),
];

/// Names that are also ordinary words or surnames: only counted with a council-ish neighbour.
const AMBIGUOUS: &[&str] = &["reading", "bolton", "sutton", "bury", "barnet", "brent", "halton", "kent", "wirral", "staffs"];

/// One council with social care duties.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Council {
    pub gss_code: String,
    pub official_name: String,
    /// The short canonical name ("Walsall", "Stoke-on-Trent").
    pub name: String,
    pub la_type: String,
    pub region: String,
    pub variants: Vec<String>,
    /// For a council that no longer exists: when it was abolished and who took over
    /// ("abolished 2023-04-01; now Cumberland; Westmorland and Furness").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub former: Option<String>,
}

/// How a document or answer refers to a council: a name, and the codes when known.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CouncilRef {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gss_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

impl From<&Council> for CouncilRef {
    fn from(c: &Council) -> Self {
        CouncilRef { name: c.name.clone(), gss_code: Some(c.gss_code.clone()), region: Some(c.region.clone()) }
    }
}

/// A council named in a text, at a byte span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    /// Index into [`Councils::all`].
    pub council: usize,
    pub start: usize,
    pub end: usize,
}

/// The table of councils and a matcher for their names.
#[derive(Debug, Clone)]
pub struct Councils {
    all: Vec<Council>,
    /// Every lower-cased variant by its first two bytes (lower-cased), longest first. A
    /// name starts a word, so a text is scanned word by word and each word start tries the
    /// few names that begin as it does: no automaton to build (a query's start-up) and no
    /// name tried inside a word (the old scan tried every name's first byte at every byte,
    /// which was nearly half of extraction's time).
    by_prefix: FxHashMap<[u8; 3], Vec<Box<[u8]>>>,
    /// One bit per two-byte prefix in `by_prefix`: most words start as no name does, and a
    /// bit answers that before any hashing.
    prefixes: Box<[u64; 1024]>,
    /// Lower-cased variant → council index.
    by_variant: FxHashMap<String, usize>,
}

#[derive(Deserialize)]
struct Row {
    gss_code: String,
    official_name: String,
    nice_name: String,
    la_type_name: String,
    region: String,
    alt_names: String,
    #[serde(default)]
    abolished: Option<String>,
    #[serde(default)]
    successors: Option<String>,
}

/// The councils of one table.
fn rows(reader: impl std::io::Read) -> Result<Vec<Council>, ModelError> {
    let mut all = Vec::new();
    for row in csv::Reader::from_reader(reader).deserialize::<Row>() {
        let row = row?;
        let former = row.abolished.filter(|a| !a.trim().is_empty()).map(|a| match row.successors.as_deref() {
            Some(s) if !s.trim().is_empty() => format!("abolished {a}; now {s}"),
            _ => format!("abolished {a}"),
        });
        let mut variants = vec![row.nice_name.clone(), row.official_name.clone()];
        variants.extend(alt_names(&row.alt_names));
        // The short name people use: mySociety's nice name is "Dorset Council" for Dorset.
        let name = row.nice_name.strip_suffix(" Council").unwrap_or(&row.nice_name).to_string();
        all.push(Council { gss_code: row.gss_code, official_name: row.official_name, name, la_type: row.la_type_name, region: row.region, variants, former });
    }
    Ok(all)
}

/// mySociety's alternative names, comma-separated. A name may itself hold ", " (the
/// inverted "Kingston upon Hull, City of"): split only at a comma not followed by a space,
/// or "City of" alone would be a name of Hull's, and "City of York" would be read as Hull.
fn alt_names(field: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for piece in field.split(',') {
        match names.last_mut() {
            Some(last) if piece.starts_with(' ') => {
                last.push(',');
                last.push_str(piece);
            }
            _ => names.push(piece.to_string()),
        }
    }
    names.into_iter().map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect()
}

impl Councils {
    /// The shipped tables (today's councils and former ones), compiled in so the binary
    /// works from any directory.
    pub fn builtin() -> Result<Councils, ModelError> {
        let mut all = rows(BUILTIN_CSV.as_bytes())?;
        all.extend(rows(FORMER_CSV.as_bytes())?);
        Councils::finish(all)
    }

    pub fn from_csv(reader: impl std::io::Read) -> Result<Councils, ModelError> {
        Councils::finish(rows(reader)?)
    }

    /// Today's councils (those not abolished).
    pub fn current(&self) -> impl Iterator<Item = &Council> {
        self.all.iter().filter(|c| c.former.is_none())
    }

    fn finish(mut all: Vec<Council>) -> Result<Councils, ModelError> {
        for (gss, alias) in EXTRA_ALIASES.iter().chain(ABBREVIATIONS) {
            if let Some(c) = all.iter_mut().find(|c| c.gss_code == *gss) {
                c.variants.push(alias.to_string());
            }
        }
        Councils::index(all)
    }

    fn index(mut all: Vec<Council>) -> Result<Councils, ModelError> {
        let mut by_variant = FxHashMap::default();
        for (i, c) in all.iter_mut().enumerate() {
            let mut seen = FxHashSet::default();
            let mut forms = Vec::new();
            for v in &c.variants {
                for form in name_forms(v) {
                    if seen.insert(form.to_lowercase()) {
                        forms.push(form);
                    }
                }
            }
            c.variants = forms;
            for v in &c.variants {
                by_variant.entry(v.to_lowercase()).or_insert(i);
            }
        }
        let mut by_prefix: FxHashMap<[u8; 3], Vec<Box<[u8]>>> = Default::default();
        let mut prefixes = Box::new([0u64; 1024]);
        for name in by_variant.keys() {
            if let [a, b, rest @ ..] = name.as_bytes() {
                let bit = prefix_bit([a.to_ascii_lowercase(), b.to_ascii_lowercase()]);
                prefixes[bit / 64] |= 1 << (bit % 64);
                by_prefix.entry(name_key(a, b, rest.first())).or_default().push(name.as_bytes().into());
            }
        }
        for names in by_prefix.values_mut() {
            names.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        }
        Ok(Councils { all, by_prefix, prefixes, by_variant })
    }

    /// Spans of table names in `text` that stand as whole words: at each word start, the
    /// longest name (ASCII case-insensitive) that ends where a word ends; scanning goes on
    /// after it.
    fn names_in(&self, text: &str) -> Vec<(usize, usize)> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        // Whether the character before byte `i` is a word character, carried along rather
        // than decoded again at every byte.
        let mut after_word = false;
        let mut i = 0;
        while i + 1 < bytes.len() {
            let b = bytes[i];
            if !b.is_ascii() {
                // A character of several bytes (the scan moves by whole characters).
                let Some(c) = text.get(i..).and_then(|t| t.chars().next()) else { break };
                after_word = is_word_char(c);
                i += c.len_utf8();
                continue;
            }
            let word = b.is_ascii_alphanumeric() || b == b'_';
            if word && !after_word {
                if let Some(n) = self.longest_name_at(text, i) {
                    out.push((i, i + n));
                    // A name ends where a word ends: what follows is not a word character.
                    i += n;
                    after_word = true;
                    continue;
                }
            }
            after_word = word;
            i += 1;
        }
        out
    }

    /// The longest table name (ASCII case-insensitive) at byte `i` that ends where a word
    /// ends, by its length.
    fn longest_name_at(&self, text: &str, i: usize) -> Option<usize> {
        let bytes = text.as_bytes();
        let key = [bytes[i].to_ascii_lowercase(), bytes.get(i + 1)?.to_ascii_lowercase()];
        let bit = prefix_bit(key);
        if self.prefixes[bit / 64] & (1 << (bit % 64)) == 0 {
            return None;
        }
        // Names keyed by their first three bytes (words like "social" or "staff" share two
        // with many names), then any two-byte name: longest first either way.
        let [a, b] = &key;
        let longer = self.by_prefix.get(&name_key(a, b, bytes.get(i + 2))).into_iter().flatten();
        let short = self.by_prefix.get(&name_key(a, b, None)).into_iter().flatten();
        longer
            .chain(short)
            .find(|n| {
                let end = i + n.len();
                end <= bytes.len() && bytes[i..end].eq_ignore_ascii_case(n) && ends_word(text, end)
            })
            .map(|n| n.len())
    }

    pub fn all(&self) -> &[Council] {
        &self.all
    }

    /// The regions councils are in, sorted.
    pub fn regions(&self) -> Vec<&str> {
        let mut regions: Vec<&str> = self.all.iter().map(|c| c.region.as_str()).collect();
        regions.sort_unstable();
        regions.dedup();
        regions
    }

    /// Every name of each region, the table's first and then the shorter ones people write,
    /// longest first (so "Yorkshire and Humber" is read before "Yorkshire").
    pub fn region_names(&self) -> Vec<(&str, Vec<&str>)> {
        self.regions()
            .into_iter()
            .map(|r| {
                let mut names = vec![r];
                names.extend(REGION_ALIASES.iter().filter(|(region, _)| *region == r).flat_map(|(_, aliases)| aliases.iter().copied()));
                (r, names)
            })
            .collect()
    }

    /// The region a name given for one stands for (its own name or a shorter one, any case).
    pub fn region_named(&self, name: &str) -> Option<&str> {
        let name = name.trim();
        // "North West region", "Eastern" for the alias "Eastern region".
        let core = without_region(name).unwrap_or(name);
        let matches = |n: &str| n.eq_ignore_ascii_case(core) || without_region(n).is_some_and(|n| n.eq_ignore_ascii_case(core));
        self.region_names().into_iter().find(|(_, names)| names.iter().any(|n| matches(n))).map(|(r, _)| r)
    }

    /// The council names nearest a name that matched none, best first, for a message.
    pub fn nearest(&self, name: &str) -> Vec<&str> {
        nearest(name, self.all.iter().map(|c| c.name.as_str()))
    }

    /// The council a word is nearly the name of ("torbey"), when one is that near: at most
    /// one edit in five letters of its short name (normalised Damerau-Levenshtein ≥ 0.8; not
    /// Jaro-Winkler, which finds "Blackpool" in "black" and "Stockport" in "stock"), and the
    /// same first letter ("needs" is not "Leeds").
    pub fn nearly_named(&self, word: &str) -> Option<&Council> {
        let word = word.trim().to_lowercase();
        if word.chars().count() < 4 {
            return None;
        }
        self.current()
            .filter_map(|c| crate::text::nearly_spelt(&word, &c.name).map(|score| (score, c)))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, c)| c)
    }

    pub fn get(&self, idx: usize) -> &Council {
        &self.all[idx]
    }

    /// The council a name refers to ("Walsall Council", "stoke", "Leicester City Council").
    /// The council called `name` (any of its variants, case-insensitive).
    pub fn lookup(&self, name: &str) -> Option<&Council> {
        let key = name.trim().to_lowercase();
        let found = self.by_variant.get(&key).or_else(|| self.by_variant.get(bare_name(&key)));
        found.map(|&i| &self.all[i]).or_else(|| {
            // A name inside a longer one ("Walsall's adult social care"), but not one of
            // two councils named together ("Torbay Walsall" is neither).
            let inside: Vec<(usize, usize)> = self.names_in(name).into_iter().filter_map(|(s, e)| self.by_variant.get(&name[s..e].to_lowercase()).map(|&i| (i, e - s))).collect();
            if inside.iter().any(|&(i, _)| i != inside[0].0) {
                return None;
            }
            inside.into_iter().find(|&(_, len)| len * 2 >= key.len()).map(|(i, _)| &self.all[i])
        })
    }

    /// A mention's span widened over the words around it that say it is a council ("London
    /// Borough of Bexley", "City of York", "Walsall Council"), so that a question read for
    /// its topic keeps none of them (regression: "City of York" asked for the word "city").
    pub fn titled_span(text: &str, m: &Mention) -> (usize, usize) {
        let (before, after) = (text[..m.start].to_ascii_lowercase(), text[m.end..].to_ascii_lowercase());
        let starts_word = |at: usize| at == 0 || !before.as_bytes()[at - 1].is_ascii_alphanumeric();
        let start = COUNCIL_PREFIXES
            .iter()
            .filter(|p| **p != "the ")
            .find(|p| before.ends_with(*p) && starts_word(before.len() - p.len()))
            .map_or(m.start, |p| m.start - p.len());
        let ends_word = |len: usize| after.as_bytes().get(len).is_none_or(|b| !b.is_ascii_alphanumeric());
        let end = COUNCIL_SUFFIXES.iter().find(|s| after.starts_with(*s) && ends_word(s.len())).map_or(m.end, |s| m.end + s.len());
        (start, end)
    }

    /// The distinct councils named in `text` typed by someone, in order (see
    /// [`Councils::mentions_typed`]).
    pub fn named_in_typed(&self, text: &str) -> Vec<&Council> {
        let mut out: Vec<&Council> = Vec::new();
        for m in self.mentions_typed(text) {
            let c = &self.all[m.council];
            if !out.iter().any(|x| x.gss_code == c.gss_code) {
                out.push(c);
            }
        }
        out
    }

    /// Every council named in `text`, in order. Names are proper nouns: a match must start
    /// with a capital, and names that are also common words need a council-ish neighbour.
    pub fn mentions(&self, text: &str) -> Vec<Mention> {
        self.mentions_of(text, self.names_in(text))
    }

    /// Every council named in a question someone typed: in any case ("walsall carers"),
    /// as people type into a search box. Names that are also ordinary words still need a
    /// council-ish neighbour ("bury council", not "bury").
    pub fn mentions_typed(&self, text: &str) -> Vec<Mention> {
        let mut out = Vec::new();
        for (start, end) in self.names_in(text) {
            let Some(s) = text.get(start..end) else { continue };
            let key = s.to_lowercase();
            let proper = s.chars().next().is_some_and(char::is_uppercase);
            let context = council_context_any_case(&text[end..]);
            // A name that is also a word or a surname needs a council word beside it, unless
            // it is written as a name inside the question ("carers in Kent", "Bury's
            // waiting lists"); first, it may be any capitalised word ("Reading the reports").
            if AMBIGUOUS.contains(&key.as_str()) && !context && !(proper && start > 0) {
                continue;
            }
            // An abbreviation in lower case ("glos", "staffs") is a word more often than a
            // council; "york" is York.
            if !proper && ABBREVIATIONS.iter().any(|(_, a)| a.eq_ignore_ascii_case(&key)) && !context {
                continue;
            }
            if let Some(&i) = self.by_variant.get(&key) {
                out.push(Mention { council: i, start, end });
            }
        }
        out
    }

    /// Where table names occur in `text`, found once for [`Councils::mentions_within`] its
    /// parts: a document's lines and sentences were each searched on their own, twice over.
    pub fn names(&self, text: &str) -> Names {
        Names(self.names_in(text))
    }

    /// [`Councils::mentions`] of `text[range]` (positions within it), from the `names` of
    /// the whole `text`. They are the names the part's own search would find when the part
    /// starts and ends at word borders and no name found crosses either end (the scan is
    /// then in the same state at the part's start, and meets the same names to its end);
    /// otherwise the part is searched.
    pub fn mentions_within(&self, text: &str, names: &Names, range: std::ops::Range<usize>) -> Vec<Mention> {
        let Some(part) = text.get(range.clone()) else { return Vec::new() };
        // `names` must be this text's: a name past its end means they are another's.
        if names.0.last().is_some_and(|&(_, end)| end > text.len()) {
            return self.mentions(part);
        }
        let at_border = !text[..range.start].chars().next_back().is_some_and(is_word_char) && ends_word(text, range.end);
        let first = names.0.partition_point(|&(_, end)| end <= range.start);
        let last = names.0.partition_point(|&(start, _)| start < range.end);
        let inside = &names.0[first..last.max(first)];
        let crosses = inside.iter().any(|&(start, end)| start < range.start || end > range.end);
        if !at_border || crosses {
            return self.mentions(part);
        }
        self.mentions_of(part, inside.iter().map(|&(start, end)| (start - range.start, end - range.start)))
    }

    /// The names at `found` in `text` that are mentions of councils.
    fn mentions_of(&self, text: &str, found: impl IntoIterator<Item = (usize, usize)>) -> Vec<Mention> {
        let mut out = Vec::new();
        for (start, end) in found {
            // Names found in another text than this one's (a caller's mistake) are skipped,
            // not a panic.
            let Some(s) = text.get(start..end) else { continue };
            if !s.chars().next().is_some_and(|c| c.is_uppercase()) {
                continue;
            }
            let key = s.to_lowercase();
            if AMBIGUOUS.contains(&key.as_str()) && !council_context(&text[end..]) {
                continue;
            }
            // "Stoke" inside "Stoke Mandeville" and similar are rare enough to accept.
            if let Some(&i) = self.by_variant.get(&key) {
                out.push(Mention { council: i, start, end });
            }
        }
        out
    }

}

/// Where table names occur in a text, in order ([`Councils::names`]).
pub struct Names(Vec<(usize, usize)>);

/// The key a name is kept under: its first three bytes, lower-cased (0 for a name of two).
fn name_key(a: &u8, b: &u8, c: Option<&u8>) -> [u8; 3] {
    [a.to_ascii_lowercase(), b.to_ascii_lowercase(), c.map_or(0, u8::to_ascii_lowercase)]
}

fn prefix_bit([a, b]: [u8; 2]) -> usize {
    (a as usize) << 8 | b as usize
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether byte `i` of `text` (an ASCII byte) is not preceded by a word character (the
/// scan carries this along; the test's reference search asks it).
#[cfg(test)]
fn starts_word(text: &str, i: usize) -> bool {
    match text.as_bytes()[..i].last() {
        None => true,
        Some(b) if b.is_ascii() => !is_word_char(*b as char),
        Some(_) => !text[..i].chars().next_back().is_some_and(is_word_char),
    }
}

/// Whether `end` is a character boundary of `text` not followed by a word character.
fn ends_word(text: &str, end: usize) -> bool {
    text.is_char_boundary(end) && !text[end..].chars().next().is_some_and(is_word_char)
}

/// Forms a table name is written in: as given, with "&" for "and", without a trailing " UA".
fn name_forms(v: &str) -> Vec<String> {
    let v = v.trim();
    if v.is_empty() {
        return Vec::new();
    }
    // An inverted name ("Kingston upon Hull, City of") is written the way people write it;
    // a name with a comma of its own ("Bournemouth, Christchurch and Poole") is kept.
    let base = match v.rsplit_once(", ") {
        Some((head, tail)) if COUNCIL_PREFIXES.iter().any(|p| p.trim_end().eq_ignore_ascii_case(tail)) => format!("{tail} {head}"),
        _ => v.to_string(),
    };
    let base = base.strip_suffix(" UA").unwrap_or(&base).trim().to_string();
    let mut out = vec![base.clone()];
    if base.contains(" and ") {
        out.push(base.replace(" and ", " & "));
    }
    if base.contains('-') {
        out.push(base.replace('-', " "));
    }
    out
}

/// A lower-case name without the words that say it is a council ("city of leeds" →
/// "leeds", "bexley council" → "bexley").
fn bare_name(key: &str) -> &str {
    let mut name = key;
    for prefix in COUNCIL_PREFIXES {
        name = name.strip_prefix(prefix).unwrap_or(name);
    }
    for suffix in COUNCIL_SUFFIXES {
        if let Some(rest) = name.strip_suffix(suffix) {
            return rest.trim();
        }
    }
    name.trim()
}

/// `name` without a last word " region" ("North West region"). By `get`: a name typed by
/// someone may hold any character at any byte.
fn without_region(n: &str) -> Option<&str> {
    let at = n.len().checked_sub(7)?;
    n.get(at..).filter(|t| t.eq_ignore_ascii_case(" region"))?;
    n.get(..at)
}

/// Words after a name that say it is a council's.
const COUNCIL_WORDS: [&str; 6] = ["Council", "Borough", "County", "City", "MBC", "LBC"];

fn council_context(after: &str) -> bool {
    let after = after.trim_start();
    COUNCIL_WORDS.iter().any(|w| after.starts_with(w))
}

/// [`council_context`] as people type: in any case ("bury council", "bury mbc").
fn council_context_any_case(after: &str) -> bool {
    let after = after.trim_start().as_bytes();
    COUNCIL_WORDS.iter().any(|w| after.len() >= w.len() && after[..w.len()].eq_ignore_ascii_case(w.as_bytes()))
}

/// The three of `names` nearest `typed` (Jaro–Winkler on lower case), best first.
pub fn nearest<'a>(typed: &str, names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let typed = typed.trim().to_lowercase();
    let mut scored: Vec<(f64, &str)> = names.map(|n| (strsim::jaro_winkler(&typed, &n.to_lowercase()), n)).collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(c: &Councils, text: &str) -> Vec<String> {
        c.mentions(text).iter().map(|m| c.get(m.council).name.clone()).collect()
    }

    /// The names a leftmost-longest automaton over every variant finds, kept where they
    /// stand as whole words: what `names_in` did before it scanned word starts only.
    fn by_automaton(c: &Councils, text: &str) -> Vec<(usize, usize)> {
        use aho_corasick::{AhoCorasick, MatchKind};
        let names: Vec<&String> = c.by_variant.keys().collect();
        let ac = AhoCorasick::builder().ascii_case_insensitive(true).match_kind(MatchKind::LeftmostLongest).build(&names).unwrap();
        ac.find_iter(text).map(|m| (m.start(), m.end())).filter(|&(s, e)| starts_word(text, s) && ends_word(text, e)).collect()
    }

    #[test]
    fn the_word_scan_finds_what_the_automaton_finds() {
        let c = Councils::builtin().unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut checked = 0;
        for dir in ["corpus", "corpus/real", "tests/real/docs"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
                let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
                let expected = by_automaton(&c, &text);
                assert_eq!(c.names_in(&text), expected, "{}", entry.path().display());
                checked += expected.len();
            }
        }
        assert!(checked > 1000, "{checked} names checked");
        let odd = "WALSALL council, north tyneside; Stoke-on-Trent’s and the isle of wight; ÉLeicester; Kentish Kent_ _Kent";
        let spans = c.names_in(odd);
        assert_eq!(spans, by_automaton(&c, odd));
        let found: Vec<&str> = spans.iter().map(|&(s, e)| &odd[s..e]).collect();
        assert_eq!(found, ["WALSALL council", "north tyneside", "Stoke-on-Trent", "isle of wight"]);
    }

    fn spans(found: Vec<Mention>) -> Vec<(usize, usize, usize)> {
        found.into_iter().map(|m| (m.council, m.start, m.end)).collect()
    }

    proptest::proptest! {
        /// A part's mentions read from the whole text's names are those its own search finds,
        /// wherever the part starts and ends (inside a name, a word, a character's bytes).
        #[test]
        fn mentions_within_a_part_are_the_parts_mentions(pieces in proptest::collection::vec(proptest::sample::select(vec![
            "North Tyneside", "Tyneside", "North", "Isle of Wight", "Bath", "Bath and North East Somerset", "Council", "Stoke",
            "Stoke-on-Trent", "Kent", "Kentish", "Walsall", "WALSALL", "York", "Yorkshire", "North Yorkshire", "É", "’s", "_",
            " ", " ", "\n", ". ", ", ", "the", "team", "x",
        ]), 0..14), cut in (0usize..200, 0usize..200)) {
            let c = Councils::builtin().unwrap();
            let text = pieces.concat();
            let snap = |i: usize| { let mut i = i.min(text.len()); while !text.is_char_boundary(i) { i -= 1; } i };
            let (a, b) = (snap(cut.0), snap(cut.1));
            let range = a.min(b)..a.max(b);
            let names = c.names(&text);
            proptest::prop_assert_eq!(spans(c.mentions_within(&text, &names, range.clone())), spans(c.mentions(&text[range])));
        }
    }

    /// Every line and sentence of the real documents: mentions read from the whole text's
    /// names are the line's own.
    #[test]
    fn mentions_within_lines_of_real_documents() {
        let c = Councils::builtin().unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut checked = 0;
        for dir in ["corpus", "tests/real/docs"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
                let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
                let names = c.names(&text);
                for part in text.lines().flat_map(|l| std::iter::once(l).chain(l.split(". "))) {
                    let start = part.as_ptr() as usize - text.as_ptr() as usize;
                    let found = spans(c.mentions_within(&text, &names, start..start + part.len()));
                    assert_eq!(found, spans(c.mentions(part)), "{}: {part}", entry.path().display());
                    checked += found.len();
                }
            }
        }
        assert!(checked > 500, "{checked} mentions checked");
    }

    /// A name is tried only where a word starts: "Bath" inside "Ambathxx Bath" is no match and
    /// does not hide the one after it.
    #[test]
    fn names_start_words() {
        let c = Councils::builtin().unwrap();
        assert_eq!(names(&c, "Newkent Kent County Council; xWalsall and Walsall"), ["Kent", "Walsall"]);
    }

    #[test]
    fn finds_councils_by_their_written_forms() {
        let c = Councils::builtin().unwrap();
        assert_eq!(c.current().count(), 153);
        assert_eq!(
            names(&c, "Consider exploring the Shropshire or Stoke for community led social work"),
            ["Shropshire", "Stoke-on-Trent"]
        );
        assert_eq!(names(&c, "Leicester City Council and Leicestershire"), ["Leicester", "Leicestershire"]);
        assert_eq!(names(&c, "Telford & Wrekin and Redcar & Cleveland"), ["Telford and Wrekin", "Redcar and Cleveland"]);
    }

    #[test]
    fn a_region_is_found_by_a_shorter_name() {
        let c = Councils::builtin().unwrap();
        for (region, _) in REGION_ALIASES {
            assert!(c.regions().contains(region), "{region} is no region of the table");
        }
        assert_eq!(c.region_named(" yorkshire "), Some("Yorkshire and The Humber"));
        assert_eq!(c.region_named("north west"), Some("North West"));
        assert_eq!(c.region_named("Humberside"), None);
        // ADASS names its region "Eastern".
        assert_eq!(c.region_named("Eastern"), Some("East of England"));
        assert_eq!(c.region_named("eastern region"), Some("East of England"));
        assert_eq!(c.region_named("North West region"), Some("North West"));
        assert_eq!(c.region_named("région"), None);
        assert_eq!(c.region_named("Nörth Wést régïon"), None);
    }

    #[test]
    fn a_misspelt_council_is_nearly_named() {
        let c = Councils::builtin().unwrap();
        assert_eq!(c.nearly_named("torbey").map(|c| c.name.as_str()), Some("Torbay"));
        assert_eq!(c.nearly_named("Wallsall").map(|c| c.name.as_str()), Some("Walsall"));
        for word in ["carers", "payroll", "dols", "workforce", "black", "stock", "needs"] {
            assert!(c.nearly_named(word).is_none(), "{word}: {:?}", c.nearly_named(word).map(|c| &c.name));
        }
    }

    /// The upstream data put Derbyshire in the West Midlands and Lincolnshire in Yorkshire
    /// and the Humber; a region filter would have missed both. Counts are the ONS regions'
    /// councils with social care duties.
    #[test]
    fn every_region_holds_its_councils() {
        let c = Councils::builtin().unwrap();
        for name in ["Derbyshire", "Lincolnshire"] {
            assert_eq!(c.lookup(name).unwrap().region, "East Midlands", "{name}");
        }
        for (region, n) in [
            ("East Midlands", 10),
            ("East of England", 11),
            ("London", 33),
            ("North East", 12),
            ("North West", 24),
            ("South East", 19),
            ("South West", 15),
            ("West Midlands", 14),
            ("Yorkshire and The Humber", 15),
        ] {
            assert_eq!(c.current().filter(|x| x.region == region).count(), n, "{region}");
        }
    }

    /// Reviews from before reorganisation name councils that no longer exist.
    #[test]
    fn former_councils_are_found_under_their_own_names() {
        let c = Councils::builtin().unwrap();
        for (written, name) in [("Cumbria County Council", "Cumbria"), ("Northamptonshire County Council", "Northamptonshire"), ("Borough of Poole", "Poole"), ("Bournemouth Borough Council", "Bournemouth"), ("BCP Council", "Bournemouth, Christchurch and Poole"), ("North Northamptonshire Council", "North Northamptonshire")] {
            assert_eq!(names(&c, &format!("A peer challenge of {written} in 2018.")), [name], "{written}");
        }
        let cumbria = c.lookup("Cumbria").unwrap();
        assert!(cumbria.former.as_deref().is_some_and(|f| f.contains("Cumberland")), "{cumbria:?}");
        assert!(c.lookup("Walsall").unwrap().former.is_none());
    }

    #[test]
    fn common_words_are_not_councils() {
        let c = Councils::builtin().unwrap();
        assert!(names(&c, "Reading the report, John Bolton's work shows").is_empty());
        assert_eq!(names(&c, "Reading Borough Council"), ["Reading"]);
        assert!(names(&c, "we will review the reading of packages").is_empty());
    }

    #[test]
    fn lookup_accepts_loose_names() {
        let c = Councils::builtin().unwrap();
        assert_eq!(c.lookup("walsall council").unwrap().gss_code, "E08000030");
        assert_eq!(c.lookup("Stoke").unwrap().name, "Stoke-on-Trent");
        assert!(c.lookup("Narnia").is_none());
    }

    /// Regression: mySociety's inverted "Kingston upon Hull, City of" was split at its
    /// comma, "City of" became a name of Hull's, and "City of York" was looked up as Hull.
    #[test]
    fn city_of_names_the_city_not_hull() {
        let c = Councils::builtin().unwrap();
        assert_eq!(c.lookup("City of York").unwrap().name, "York");
        assert_eq!(c.lookup("City of Leeds").unwrap().name, "Leeds");
        assert_eq!(c.lookup("city of kingston upon hull").unwrap().name, "Kingston upon Hull");
        assert!(c.lookup("City of").is_none());
        assert!(c.all.iter().all(|x| x.variants.iter().all(|v| !v.eq_ignore_ascii_case("city of"))));
        assert_eq!(names(&c, "a report of the City of Leeds Council"), ["Leeds"]);
        // A name with a comma of its own is still a name.
        assert_eq!(c.lookup("Bournemouth, Christchurch and Poole Council").unwrap().gss_code, "E06000058");
        assert_eq!(names(&c, "1. Bournemouth, Christchurch and Poole Council asked"), ["Bournemouth, Christchurch and Poole"]);
    }

    /// Regression: "Bexley Council" was no council although "Torbay Council" was one (the
    /// table happened to hold the one form and not the other).
    #[test]
    fn lookup_sees_past_the_words_that_say_council() {
        let c = Councils::builtin().unwrap();
        for (typed, name) in [("Bexley Council", "Bexley"), ("London Borough of Croydon", "Croydon"), ("Harrow Council", "Harrow"), ("Bury Council", "Bury"), ("York Council", "York"), ("Hull City Council", "Kingston upon Hull"), ("Walsall MBC", "Walsall"), ("Metropolitan Borough of Walsall", "Walsall")] {
            assert_eq!(c.lookup(typed).map(|x| x.name.as_str()), Some(name), "{typed}");
        }
        for (typed, name) in [("Herts", "Hertfordshire"), ("BANES", "Bath and North East Somerset"), ("Stockton", "Stockton-on-Tees"), ("Notts", "Nottinghamshire")] {
            assert_eq!(c.lookup(typed).map(|x| x.name.as_str()), Some(name), "{typed}");
        }
        assert!(c.lookup("Narnia Council").is_none());
        // Regression: two councils typed together were read as the second.
        assert!(c.lookup("Torbay Walsall").is_none());
        assert_eq!(c.named_in_typed("Torbay Walsall").iter().map(|x| x.name.as_str()).collect::<Vec<_>>(), ["Torbay", "Walsall"]);
    }

    /// Regression: "carers in Kent" read "kent" as a word no finding holds. A name that is
    /// also a word is a council when written as a name inside a question, or beside a
    /// council word; not in lower case, nor as the question's first word.
    #[test]
    fn a_name_that_is_also_a_word_is_a_council_when_written_as_one() {
        let c = Councils::builtin().unwrap();
        let named = |t: &str| c.named_in_typed(t).iter().map(|x| x.name.clone()).collect::<Vec<_>>();
        assert_eq!(named("carers in Kent"), ["Kent"]);
        assert_eq!(named("waiting lists in Reading"), ["Reading"]);
        assert!(named("reading the reports on carers").is_empty());
        assert!(named("Reading the reports on carers").is_empty());
        assert_eq!(named("kent county council carers"), ["Kent"]);
    }
}
