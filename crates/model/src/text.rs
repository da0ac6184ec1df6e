//! Cutting text to a size for people and for storage: on a character boundary, never in
//! the middle of one (a stranger's text may put a multi-byte character anywhere); and
//! telling two wordings of the same finding apart from two findings.

/// Whether `s` is a web address (http or https): the only kind exported, linked or kept
/// as where a document is published.
pub fn is_web_address(s: &str) -> bool {
    s.starts_with("https://") || s.starts_with("http://")
}

/// The longest prefix of `s` of at most `bytes` bytes that ends on a character boundary.
pub fn prefix(s: &str, bytes: usize) -> &str {
    if s.len() <= bytes {
        return s;
    }
    let mut end = bytes;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `s` with at most `bytes` bytes, an ellipsis marking a cut.
pub fn clip_bytes(s: &str, bytes: usize) -> String {
    if s.len() <= bytes {
        s.to_string()
    } else {
        format!("{}…", prefix(s, bytes))
    }
}

/// `s` in at most `chars` characters, the last an ellipsis when it was cut.
pub fn clip_chars(s: &str, chars: usize) -> String {
    if s.chars().count() <= chars {
        return s.to_string();
    }
    let mut t: String = s.chars().take(chars.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// The characters two wordings are compared by: letters and digits, lower-cased (no case,
/// spacing or punctuation).
pub fn squashed(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase)
}

/// Text compared without case, spacing or punctuation: the same finding published in two
/// forms (a report and the minutes that retell it) squashes to the same string.
pub fn squash(text: &str) -> String {
    squashed(text).collect()
}

/// Each character of [`squash`]ed `text` in order, until `f` returns false. ASCII (nearly
/// all of any finding) is lower-cased a byte at a time rather than through
/// `char::to_lowercase`: every finding is keyed at ingest, and counting `themes` keys every
/// finding again (the general path was 40% of its time).
#[inline]
fn each_squashed(text: &str, mut f: impl FnMut(char) -> bool) {
    for c in text.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() && !f(c.to_ascii_lowercase()) {
                return;
            }
        } else if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                if !f(l) {
                    return;
                }
            }
        }
    }
}

/// The first `most` characters of [`squash`]ed `text`, appended to `out`: what
/// `squashed(text).take(most)` collects.
pub fn squash_prefix_into(text: &str, most: usize, out: &mut String) {
    if most == 0 {
        return;
    }
    let mut n = 0;
    each_squashed(text, |c| {
        out.push(c);
        n += 1;
        n < most
    });
}

/// How many [`squash`]ed characters of a finding name it: copies of one finding in its
/// published forms agree this far even where a PDF's layout changes its tail (a footnote
/// mark, a page's running header glued on), and two findings of one review that share
/// their first 160 letters and digits are one finding said twice.
pub const KEY_CHARS: usize = 160;

/// A stable 32-bit key of the first [`KEY_CHARS`] [`squash`]ed characters of `text` (64-bit
/// FNV-1a over their UTF-8, folded): the index keeps it per finding, so an answer can tell
/// copies of a finding apart without reading its text, by the same words `export`,
/// `themes` and `council` fold copies by. 32 bits, not 64: a column of random 64-bit keys
/// cost 4% of the data directory, and keys are only compared among one council's best few
/// candidates, where two findings sharing one by chance is a one-in-ten-million event.
/// Stable across builds and platforms, since it is written into the index.
pub fn text_key(text: &str) -> u64 {
    let mut hash = Fnv1a::default();
    let mut utf8 = [0u8; 4];
    let mut n = 0;
    each_squashed(text, |c| {
        if c.is_ascii() {
            hash.write(c as u8);
        } else {
            c.encode_utf8(&mut utf8).bytes().for_each(|b| hash.write(b));
        }
        n += 1;
        n < KEY_CHARS
    });
    let h = hash.finish();
    (h ^ (h >> 32)) & 0xffff_ffff
}

/// 64-bit FNV-1a, a byte at a time. Stable across builds and platforms: text keys are
/// written into indexes, and the reader's n-gram buckets into its trained weights.
#[derive(Debug, Clone, Copy)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Fnv1a {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    pub fn write(&mut self, b: u8) {
        self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }

    pub fn finish(self) -> u64 {
        self.0
    }

    /// The hash of `bytes`.
    pub fn of(bytes: impl IntoIterator<Item = u8>) -> u64 {
        let mut h = Fnv1a::default();
        bytes.into_iter().for_each(|b| h.write(b));
        h.finish()
    }
}

/// How nearly `typed` (lower case) spells `name`, when near enough to suggest it: the same
/// first letter ("needs" is not "Leeds") and at most one edit in five letters (normalised
/// Damerau-Levenshtein ≥ 0.8; not Jaro-Winkler, which finds "Blackpool" in "black"). The
/// one rule for councils' names and themes' words.
pub fn nearly_spelt(typed: &str, name: &str) -> Option<f64> {
    let name = name.to_lowercase();
    if typed.chars().next() != name.chars().next() {
        return None;
    }
    let score = strsim::normalized_damerau_levenshtein(typed, &name);
    (score >= 0.8).then_some(score)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_of_a_finding_share_a_key() {
        let a = "The performance on reviews remains concerning.";
        let b = "the  performance on reviews remains CONCERNING";
        assert_eq!(squash(a), squash(b));
        assert_eq!(text_key(a), text_key(b));
        assert_ne!(text_key(a), text_key("The performance on reviews remains strong."));
        // Written into indexes: a change of hash would split copies across versions.
        assert_eq!(text_key(""), 0xcbf2_9ce4 ^ 0x8422_2325);
        assert_eq!(text_key("a"), 0xaf63_dc4c ^ 0x8601_ec8c);
    }

    /// Regression: the index told copies apart by all their words, `export` and `themes` by
    /// their first 160, so Walsall's report counted 150 findings on its page and 146 when
    /// followed to a search. A PDF copy whose tail differs is the same finding.
    #[test]
    fn a_key_reads_the_first_key_chars_only() {
        let opening = "The council should review how it records people waiting for an assessment ".repeat(3);
        assert!(squash(&opening).chars().count() > KEY_CHARS);
        assert_eq!(text_key(&format!("{opening} and report it quarterly.")), text_key(&format!("{opening} 12 Walsall Council")));
        assert_ne!(text_key(&opening[10..]), text_key(&opening));
    }

    proptest::proptest! {
        /// The key is FNV-1a over the UTF-8 of `squashed` text, however it is computed.
        #[test]
        fn the_key_hashes_the_squashed_text(s in "[a-zA-Z0-9 .,'’éÉİẞΣσ\u{301}ǅ\u{10400}-]{0,400}") {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for b in squash(&s).chars().take(KEY_CHARS).collect::<String>().bytes() {
                h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
            }
            proptest::prop_assert_eq!(text_key(&s), (h ^ (h >> 32)) & 0xffff_ffff);
        }
    }

    proptest::proptest! {
        /// The fast prefix is the general one, whatever the text and the cut.
        #[test]
        fn the_squashed_prefix_is_squashed_taken(s in "[a-zA-Z0-9 .,'’éÉİẞΣσ\u{301}ǅ\u{10400}-]{0,400}", most in 0usize..50) {
            let mut fast = String::from("x|");
            squash_prefix_into(&s, most, &mut fast);
            proptest::prop_assert_eq!(fast, format!("x|{}", squashed(&s).take(most).collect::<String>()));
        }
    }

    #[test]
    fn cuts_fall_between_characters() {
        assert_eq!(prefix("aé", 2), "a");
        assert_eq!(prefix("abc", 10), "abc");
        assert_eq!(clip_bytes("aéb", 2), "a…");
        assert_eq!(clip_chars("abcdef", 4), "abc…");
        assert_eq!(clip_chars("abc", 4), "abc");
    }
}

