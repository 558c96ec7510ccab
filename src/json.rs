//! JSON text ↔ [`Value`], by hand, for the website tag.
//!
//! The tag cannot use the page's `JSON`: pages replace it, and libraries such as Prototype.js 1.6
//! add `Array.prototype.toJSON`, which makes `JSON.stringify([1])` return a string — a stored
//! state or outbox written that way reads back as garbage and the lead is lost. So what the tag
//! stores and sends is written and read here, in the wasm, where no page can reach.
//!
//! No serde and no `core::fmt`: whole numbers (counts, timestamps, hundredths) are written exactly
//! by integer code; any other number, and every number read (once its token is checked to be JSON),
//! goes to [`fallback`] (the engine's JavaScript host in the tag, the standard library elsewhere), so
//! float formatting and parsing stay out of the tag and numbers are not parsed by two codes.

use crate::value::{Value, MAX_DEPTH};

/// The value as compact JSON text (keys in their order; non-finite numbers as `null`).
pub fn write(value: &Value) -> String {
    let mut out = String::new();
    write_into(value, &mut out);
    out
}

fn write_into(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(*n, out),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_into(item, out);
            }
            out.push(']');
        }
        Value::Object(entries) => {
            out.push('{');
            for (i, (key, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_into(item, out);
            }
            out.push('}');
        }
    }
}

/// Below this, every whole f64 is exact as an integer.
const EXACT: f64 = 9_007_199_254_740_992.0;

fn write_number(n: f64, out: &mut String) {
    if !n.is_finite() {
        out.push_str("null");
    } else if n.fract() == 0.0 && n.abs() < EXACT {
        if n < 0.0 {
            out.push('-');
        }
        write_digits(n.abs() as u64, out);
    } else {
        out.push_str(&fallback::format(n));
    }
}

pub(crate) fn write_digits(mut n: u64, out: &mut String) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        if let Some(slot) = digits.get_mut(at) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || at == 0 {
            break;
        }
    }
    for &d in digits.get(at..).unwrap_or_default() {
        out.push(char::from(d));
    }
}

/// Appends `s` as a JSON string (also used for JSON Lines output, `calibrate::stream`).
/// `"key":` for an object's next entry, after a comma unless the object was just opened: the one writer of keys
/// for the JSON text written without a value tree (the tag's saved state, storage envelope, payload and events).
pub fn write_key(key: &str, out: &mut String) {
    if !out.ends_with('{') {
        out.push(',');
    }
    write_string(key, out);
    out.push(':');
}

pub fn write_string(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                let code = c as usize;
                for nibble in [code >> 4, code & 0xf] {
                    out.push(char::from(HEX.get(nibble).copied().unwrap_or(b'0')));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The value of a JSON text, or None when it is not JSON (or nests deeper than [`MAX_DEPTH`]).
pub fn parse(text: &str) -> Option<Value> {
    let mut reader = Reader { text, bytes: text.as_bytes(), at: 0 };
    let value = reader.value(0)?;
    reader.space();
    (reader.at == reader.bytes.len()).then_some(value)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.at += 1;
        }
    }

    fn word(&mut self, word: &[u8], value: Value) -> Option<Value> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word).then(|| {
            self.at = end;
            value
        })
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.space();
        match self.peek()? {
            b'n' => self.word(b"null", Value::Null),
            b't' => self.word(b"true", Value::Bool(true)),
            b'f' => self.word(b"false", Value::Bool(false)),
            b'"' => self.string().map(Value::String),
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                self.space();
                if self.peek() == Some(b']') {
                    self.at += 1;
                    return Some(Value::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.space();
                    match self.next()? {
                        b',' => {}
                        b']' => return Some(Value::Array(items)),
                        _ => return None,
                    }
                }
            }
            b'{' => {
                self.at += 1;
                let mut entries = Vec::new();
                self.space();
                if self.peek() == Some(b'}') {
                    self.at += 1;
                    return Some(Value::Object(entries));
                }
                loop {
                    self.space();
                    if self.peek() != Some(b'"') {
                        return None;
                    }
                    let key = self.string()?;
                    self.space();
                    if self.next()? != b':' {
                        return None;
                    }
                    entries.push((key, self.value(depth + 1)?));
                    self.space();
                    match self.next()? {
                        b',' => {}
                        b'}' => return Some(Value::Object(entries)),
                        _ => return None,
                    }
                }
            }
            _ => self.number().map(Value::Number),
        }
    }

    /// A string token (the reader is at its opening quote).
    fn string(&mut self) -> Option<String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            // Copy the run up to the next quote or escape in one go: it ends before an ASCII byte,
            // so on a character boundary of the text.
            let start = self.at;
            while !matches!(self.peek()?, b'"' | b'\\') {
                if self.peek()? < 0x20 {
                    return None;
                }
                self.at += 1;
            }
            out.push_str(self.text.get(start..self.at)?);
            if self.next()? == b'"' {
                return Some(out);
            }
            let c = match self.next()? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => self.escaped_char()?,
                _ => return None,
            };
            out.push(c);
        }
    }

    /// `\uXXXX` (the reader is past the `u`), joining a surrogate pair; a lone surrogate reads as
    /// U+FFFD, as browsers' `TextDecoder` would show it.
    fn escaped_char(&mut self) -> Option<char> {
        let high = self.hex4()?;
        if !(0xD800..0xDC00).contains(&high) {
            return Some(char::from_u32(high).unwrap_or('\u{FFFD}'));
        }
        if self.bytes.get(self.at..self.at + 2) == Some(b"\\u") {
            let save = self.at;
            self.at += 2;
            let low = self.hex4()?;
            if (0xDC00..0xE000).contains(&low) {
                return char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00));
            }
            self.at = save;
        }
        Some('\u{FFFD}')
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut code = 0;
        for _ in 0..4 {
            // Read by byte, without a char and `char::to_digit`.
            let digit = match self.next()? {
                byte @ b'0'..=b'9' => byte - b'0',
                byte @ b'a'..=b'f' => byte - b'a' + 10,
                byte @ b'A'..=b'F' => byte - b'A' + 10,
                _ => return None,
            };
            code = code * 16 + u32::from(digit);
        }
        Some(code)
    }

    /// A number token as JSON writes it: `-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`.
    fn number(&mut self) -> Option<f64> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let digits = |r: &mut Self| {
            let from = r.at;
            while matches!(r.peek(), Some(b'0'..=b'9')) {
                r.at += 1;
            }
            r.at - from
        };
        let whole_start = self.at;
        let whole = digits(self);
        if whole == 0 || (whole > 1 && self.bytes.get(whole_start) == Some(&b'0')) {
            return None;
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if digits(self) == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if digits(self) == 0 {
                return None;
            }
        }
        let token = self.text.get(start..self.at)?;
        fallback::parse(token).filter(|n| n.is_finite())
    }
}

/// Numbers that are not small whole numbers: text of a valid JSON number → f64, and f64 → the
/// shortest text that reads back as the same number.
#[cfg(not(all(target_arch = "wasm32", feature = "js-numbers")))]
mod fallback {
    pub fn parse(token: &str) -> Option<f64> {
        token.parse().ok()
    }

    pub fn format(n: f64) -> String {
        n.to_string()
    }
}

/// In the tag, the JavaScript engine converts: its `Number(text)` and `String(number)` are exact
/// and already in the page, where Rust's would add kilobytes to every visitor's download. Both are
/// the global functions, not prototype methods a page could have patched.
#[cfg(all(target_arch = "wasm32", feature = "js-numbers"))]
mod fallback {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_name = Number)]
        fn js_number(text: &str) -> f64;
        #[wasm_bindgen(js_name = String)]
        fn js_string(n: f64) -> String;
    }

    pub fn parse(token: &str) -> Option<f64> {
        Some(js_number(token))
    }

    pub fn format(n: f64) -> String {
        js_string(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> String {
        write(&parse(text).unwrap_or_else(|| unreachable!("{text} did not parse")))
    }

    #[test]
    fn writes_and_reads_back_every_kind_of_value() {
        let text = r#"{"a":[1,-2,0,3.5,-0.25,1e-7,12345678901234567890,null,true,false],"b":{"c":"x\"y\\z\n\u0001é😀"},"":[]}"#;
        let value = parse(text).unwrap_or_default();
        assert_eq!(parse(&write(&value)), Some(value.clone()));
        assert_eq!(value.get("a").and_then(|a| a.as_array()).map(|a| a.len()), Some(10));
        assert_eq!(round_trip("[1763856000000,-9007199254740991,0.1]"), "[1763856000000,-9007199254740991,0.1]");
        assert_eq!(round_trip(r#""\u00e9\ud83d\ude00\ud800x""#), "\"é😀\u{FFFD}x\"");
        assert_eq!(round_trip(r#""\u00C9\u00c9\u20AC\uD83D\uDE00""#), "\"ÉÉ€😀\"");
        assert_eq!(round_trip(" { \"k\" : [ ] } "), r#"{"k":[]}"#);
        assert_eq!(write(&Value::Number(f64::NAN)), "null");
        assert_eq!(write(&Value::from("\u{1f}\t")), r#""\u001f\t""#);
    }

    #[test]
    fn agrees_with_serde_json() {
        let text = r#"{"n":[0,1.5,-17,1e21,2.2250738585072014e-308,123456.789],"s":"\u2028 tab\t \\ \"q\"","o":{"nested":[[{}]]}}"#;
        let ours = parse(text).unwrap_or_default();
        let theirs: Value = serde_json::from_str(text).unwrap_or_default();
        assert_eq!(ours, theirs);
        let back: serde_json::Value = serde_json::from_str(&write(&ours)).unwrap_or_default();
        assert_eq!(back, serde_json::from_str::<serde_json::Value>(text).unwrap_or_default());
    }

    #[test]
    fn rejects_what_is_not_json() {
        for bad in [
            "",
            " ",
            "[",
            "[1,]",
            "{\"a\"}",
            "{a:1}",
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "+1",
            "NaN",
            "\"\u{1}\"",
            "\"\\x\"",
            "[1] x",
            "tru",
            "\"abc",
            "{\"a\":1,}",
            "1e999",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
        assert_eq!(parse(&deep), None);
    }
}
