//! The few pieces of a URL the core and the tag read, found by byte search (`pattern::find`, byte
//! positions): `str::split_once` with a text needle and the reverse char searchers would each bring
//! their own searcher into the website tag's wasm.

use crate::pattern::{after_last, find, split_once};

/// What follows the scheme of an absolute URL (`https://a.example/x` → `a.example/x`).
pub fn after_scheme(url: &str) -> Option<&str> {
    url.get(find(url, "://")? + 3..)
}

/// The authority of an absolute URL without credentials, as written (`https://u@A.example:8443/x` →
/// `A.example:8443`); None without a scheme.
pub fn authority(url: &str) -> Option<&str> {
    // Up to the first `/`, `?` or `#`.
    let rest = without_query(after_scheme(url)?);
    let authority = split_once(rest, b'/').map_or(rest, |(before, _)| before);
    Some(after_last(authority, b'@').unwrap_or(authority))
}

/// The URL without its query and fragment.
pub fn without_query(url: &str) -> &str {
    let end = url.bytes().position(|b| b == b'?' || b == b'#').unwrap_or(url.len());
    url.get(..end).unwrap_or(url)
}

/// The extension of a URL's path as written ("PDF" for "/a/b.PDF?x=1"), "" when it has none.
pub fn file_type(url: &str) -> &str {
    let path = without_query(url);
    let name = after_last(path, b'/').unwrap_or(path);
    after_last(name, b'.').unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authority_path_and_extension() {
        assert_eq!(authority("https://user:pw@A.example:8443/x?y#z"), Some("A.example:8443"));
        assert_eq!(authority("https://a.example"), Some("a.example"));
        assert_eq!(authority("https://a.example#top"), Some("a.example"));
        assert_eq!(authority("https://a.example?next=/x"), Some("a.example"));
        assert_eq!(authority("https://a.example#/x?y"), Some("a.example"));
        assert_eq!(authority("/relative/path"), None);
        assert_eq!(authority("https://a@b@C.example?q=@x"), Some("C.example"));
        assert_eq!(without_query("/a/b.pdf?x=1#y"), "/a/b.pdf");
        assert_eq!(file_type("/a/b.PDF?x=1"), "PDF");
        assert_eq!(file_type("https://a.example/files/report.tar.gz"), "gz");
        assert_eq!(file_type("/a.dir/readme"), "");
        assert_eq!(file_type("/a/b."), "");
    }
}
