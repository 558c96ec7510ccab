//! URL helpers: the page key of a location (hash routes included), UTM parameters, hosts and
//! download links. No URL parser: the browser hands over the parts it already split.

use crate::pattern::{split, split_once};
pub use crate::url::without_query;
use crate::url::{after_scheme, authority, file_type};

/// The path the core sees for a location: the pathname, or for hash routes (`#/pricing`,
/// `#!/pricing`) the route appended to it, so single-page apps on either router count pages.
pub fn page_path(pathname: &str, hash: &str) -> String {
    let route = hash.strip_prefix("#!").or_else(|| hash.strip_prefix('#')).filter(|r| r.starts_with('/'));
    let base = if pathname.is_empty() { "/" } else { pathname };
    match route {
        Some(route) => {
            let mut path = base.trim_end_matches('/').to_string();
            path.push_str(route);
            path
        }
        None => base.to_string(),
    }
}

/// The value of `key` in a query string (`?a=1&b=2`), decoded by `decode` (`+` is a space).
pub fn query_param(search: &str, key: &str, decode: fn(&str) -> Option<String>) -> Option<String> {
    let (_, value) = split(search.trim_start_matches('?'), b'&')
        .map(|pair| split_once(pair, b'=').unwrap_or((pair, "")))
        .find(|(k, _)| *k == key)?;
    decode(&value.chars().map(|c| if c == '+' { ' ' } else { c }).collect::<String>())
}

/// The `utm` object of a page view as JSON text, or None when the URL carries no UTM parameter. `decode` is
/// the percent-decoder (the browser's `decodeURIComponent` in the tag).
pub fn utm(search: &str, decode: fn(&str) -> Option<String>) -> Option<String> {
    let mut utm = String::new();
    for part in ["source", "medium", "campaign", "term", "content"] {
        let mut key = String::from("utm_");
        key.push_str(part);
        if let Some(v) = query_param(search, &key, decode).filter(|v| !v.is_empty()) {
            utm.push(if utm.is_empty() { '{' } else { ',' });
            crate::json::write_string(part, &mut utm);
            utm.push(':');
            crate::json::write_string(&v.chars().take(200).collect::<String>(), &mut utm);
        }
    }
    (!utm.is_empty()).then(|| utm + "}")
}

/// The lower-cased host of an absolute URL (`https://a.example:8443/x` → `a.example:8443`).
pub fn host(url: &str) -> Option<String> {
    let host = authority(url)?.to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// Whether a link is a download: the `download` attribute, or its path ends in a listed extension.
pub fn is_download(url: &str, has_download_attribute: bool, extensions: &[String]) -> bool {
    if has_download_attribute {
        return true;
    }
    let ext = file_type(url);
    !ext.is_empty() && extensions.iter().any(|e| e.eq_ignore_ascii_case(ext))
}

/// What a download event records: the path for links on this site, the URL elsewhere.
pub fn download_url(href: &str, own_host: &str) -> String {
    let url = without_query(href);
    match (host(url), after_scheme(url)) {
        (Some(h), Some(rest)) if h == own_host.to_ascii_lowercase() => {
            rest.bytes().position(|b| b == b'/').and_then(|at| rest.get(at..)).unwrap_or("/").to_string()
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_paths() {
        assert_eq!(page_path("/pricing", ""), "/pricing");
        assert_eq!(page_path("/", "#/pricing"), "/pricing");
        assert_eq!(page_path("/app/", "#!/plans"), "/app/plans");
        assert_eq!(page_path("/docs", "#install"), "/docs", "an anchor is not a route");
        assert_eq!(page_path("", ""), "/");
    }

    /// Percent-decoding for the tests (the tag uses the browser's decodeURIComponent).
    fn decode(text: &str) -> Option<String> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            if b == b'%' {
                let hex = text.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            } else {
                out.push(b);
                i += 1;
            }
        }
        String::from_utf8(out).ok()
    }

    #[test]
    fn utm_parameters() {
        let utm = utm("?utm_source=news&utm_medium=email&utm_campaign=spring%20sale&x=1", decode);
        assert_eq!(utm.as_deref(), Some(r#"{"source":"news","medium":"email","campaign":"spring sale"}"#));
        assert_eq!(super::utm("?q=1", decode), None);
        assert_eq!(super::utm("?utm_source=%zz", decode), None, "undecodable values are dropped");
        assert_eq!(query_param("a=1+2&b", "a", decode).as_deref(), Some("1 2"));
        assert_eq!(query_param("b", "b", decode).as_deref(), Some(""));
    }

    #[test]
    fn downloads_and_hosts() {
        let exts = vec!["pdf".to_string(), "zip".to_string()];
        assert!(is_download("https://a.test/files/Whitepaper.PDF?x=1", false, &exts));
        assert!(!is_download("https://a.test/pricing", false, &exts));
        assert!(!is_download("https://a.test/v1.2/", false, &exts));
        assert!(is_download("https://a.test/report", true, &exts));
        assert_eq!(download_url("http://127.0.0.1:8080/files/w.pdf?utm=1", "127.0.0.1:8080"), "/files/w.pdf");
        assert_eq!(download_url("https://cdn.test/w.pdf#p2", "a.test"), "https://cdn.test/w.pdf");
        assert_eq!(host("https://u:p@Www.Google.com/search?q").as_deref(), Some("www.google.com"));
        assert_eq!(host("/relative"), None);
    }
}
