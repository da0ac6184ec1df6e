//! Cutting text to a size for people and for storage: on a character boundary, never in
//! the middle of one (a stranger's text may put a multi-byte character anywhere).

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_fall_between_characters() {
        assert_eq!(prefix("aé", 2), "a");
        assert_eq!(prefix("abc", 10), "abc");
        assert_eq!(clip_bytes("aéb", 2), "a…");
        assert_eq!(clip_chars("abcdef", 4), "abc…");
        assert_eq!(clip_chars("abc", 4), "abc");
    }
}
