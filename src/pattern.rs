//! Case-insensitive glob patterns for paths, URLs and names: `*` matches any run of characters,
//! `?` exactly one. Patterns are classified once at load so the common shapes (exact, prefix,
//! suffix, contains) never run the general matcher.

#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    Any,
    Exact(String),
    Prefix(String),
    Suffix(String),
    Contains(String),
    Glob(Vec<u8>),
}

impl Pattern {
    pub fn new(source: &str) -> Pattern {
        let lower = source.to_ascii_lowercase();
        // Counted and compared over bytes, here and below: no standard character searcher in the tag
        // (see `split_once`).
        let count = |byte: u8| lower.bytes().filter(|b| *b == byte).count();
        let stars = count(b'*');
        if stars == lower.len() {
            return Pattern::Any;
        }
        if count(b'?') > 0 {
            return Pattern::Glob(lower.into_bytes());
        }
        let starts = lower.starts_with("*");
        let ends = lower.ends_with("*");
        // The text between a star at either end: the shapes below have no other star.
        let core = lower.get(usize::from(starts)..lower.len() - usize::from(ends)).unwrap_or_default().to_string();
        match (stars, starts, ends) {
            (0, _, _) => Pattern::Exact(lower),
            (1, false, true) => Pattern::Prefix(core),
            (1, true, false) => Pattern::Suffix(core),
            // Two stars, one at each end: the core holds none.
            (2, true, true) => Pattern::Contains(core),
            _ => Pattern::Glob(lower.into_bytes()),
        }
    }

    /// `subject` must already be lower-case (state keys are stored lower-cased).
    pub fn matches_lower(&self, subject: &str) -> bool {
        match self {
            Pattern::Any => true,
            Pattern::Exact(s) => subject == s,
            Pattern::Prefix(s) => subject.starts_with(s.as_str()),
            Pattern::Suffix(s) => subject.ends_with(s.as_str()),
            Pattern::Contains(s) => find(subject, s).is_some(),
            Pattern::Glob(p) => glob(p, subject.as_bytes()),
        }
    }

    pub fn matches(&self, subject: &str) -> bool {
        match self {
            Pattern::Any => true,
            _ => self.matches_lower(&subject.to_ascii_lowercase()),
        }
    }
}

/// Where `needle` first occurs in `hay`: `str::find` for a text needle, without the standard two-way
/// searcher (1.6 KB of the website tag's wasm). Keys and needles are short (at most a few hundred bytes),
/// so comparing at each position costs nothing measurable.
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.as_bytes().windows(needle.len()).position(|w| w == needle.as_bytes())
}

/// `text` split at the first `byte` (an ASCII character), without it: `str::split_once(char)` without the
/// standard character searcher and its memchr (0.5 KB of the website tag's wasm with the helpers below).
pub fn split_once(text: &str, byte: u8) -> Option<(&str, &str)> {
    // A plain loop, as in `after_last`: smaller than `position` over the bytes.
    let mut at = 0;
    while text.as_bytes().get(at)? != &byte {
        at += 1;
    }
    Some((text.get(..at)?, text.get(at + 1..)?))
}

/// The parts of `text` between the occurrences of `byte` (an ASCII character): `str::split(char)`.
pub fn split(text: &str, byte: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        let (part, after) = split_once(current, byte).map_or((current, None), |(part, after)| (part, Some(after)));
        rest = after;
        Some(part)
    })
}

/// What follows the last `byte` (an ASCII character) in `text`, or None without one: `rsplit_once(char)`'s
/// second half without the standard reverse character searcher (0.7 KB of the website tag's wasm).
pub fn after_last(text: &str, byte: u8) -> Option<&str> {
    // A plain loop: `rposition` over the bytes compiles to a reverse iterator's fold, 0.2 KB more wasm.
    let mut at = text.len();
    while at > 0 {
        at -= 1;
        if text.as_bytes().get(at) == Some(&byte) {
            return text.get(at + 1..);
        }
    }
    None
}

/// Iterative glob with single-star backtracking: linear in practice, never recursive.
fn glob(pattern: &[u8], subject: &[u8]) -> bool {
    let (mut p, mut s) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while s < subject.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, s));
                p += 1;
            }
            Some(b'?') => {
                p += 1;
                s += utf8_len(subject.get(s).copied().unwrap_or(0));
            }
            Some(c) if Some(c) == subject.get(s) => {
                p += 1;
                s += 1;
            }
            _ => match star {
                Some((star_p, star_s)) => {
                    p = star_p + 1;
                    s = star_s + 1;
                    star = Some((star_p, star_s + 1));
                }
                None => return false,
            },
        }
    }
    pattern.get(p..).is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

/// Bytes in the UTF-8 character that starts with `first`, so `?` consumes one character.
fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::{after_last, find, split, split_once, Pattern};

    #[test]
    fn find_agrees_with_str_find() {
        for (hay, needle) in
            [("https://a.example", "://"), ("abc", ""), ("", "a"), ("ab", "abc"), ("aab", "ab"), ("héllo", "llo")]
        {
            assert_eq!(find(hay, needle), hay.find(needle), "{hay:?} {needle:?}");
        }
    }

    #[test]
    fn split_agrees_with_str_split() {
        for text in ["a=1&b=2", "", "&", "a&&b&", "é&ü=1"] {
            assert_eq!(split(text, b'&').collect::<Vec<_>>(), text.split('&').collect::<Vec<_>>(), "{text:?}");
            assert_eq!(split_once(text, b'='), text.split_once('='), "{text:?}");
        }
    }

    #[test]
    fn after_last_agrees_with_rsplit_once() {
        for (text, byte) in [("a@b@c.com", b'@'), ("none", b'@'), ("@", b'@'), ("Lead[Job]", b'['), ("é[ü", b'[')] {
            let expected = text.rsplit_once(char::from(byte)).map(|(_, after)| after);
            assert_eq!(after_last(text, byte), expected, "{text:?}");
        }
    }

    #[test]
    fn shapes_and_matches() {
        assert!(Pattern::new("/pricing*").matches("/Pricing/enterprise"));
        assert!(Pattern::new("/pricing").matches("/PRICING"));
        assert!(!Pattern::new("/pricing").matches("/pricing/x"));
        assert!(Pattern::new("*.pdf").matches("/files/Whitepaper.PDF"));
        assert!(Pattern::new("*whitepaper*").matches("/files/whitepaper-2026.pdf"));
        assert!(Pattern::new("/blog/*/pricing").matches("/blog/2026/pricing"));
        assert!(!Pattern::new("/blog/*/pricing").matches("/blog/2026/prices"));
        assert!(Pattern::new("/p?ge").matches("/päge"));
        assert!(Pattern::new("*").matches("anything"));
        assert!(Pattern::new("a*b*c").matches("axxbyyc"));
        assert!(!Pattern::new("a*b*c").matches("axxbyy"));
        assert_eq!(Pattern::new("**"), Pattern::Any);
        assert_eq!(Pattern::new(""), Pattern::Any);
        assert_eq!(Pattern::new("*Mid*"), Pattern::Contains("mid".into()));
        assert_eq!(Pattern::new("Pre*"), Pattern::Prefix("pre".into()));
        assert_eq!(Pattern::new("*.PDF"), Pattern::Suffix(".pdf".into()));
        assert_eq!(Pattern::new("**x"), Pattern::Glob(b"**x".to_vec()));
    }
}
