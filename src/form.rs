//! What a form answer means, written once for every reader: the website tag's form fields
//! (`browser::fields`), the edge's submitted fields (`formTraits`, called by `js/edge/body.js`) and the
//! engine's yes/no tests (`engine`, `flat`). Numbers are parsed by `read::parse_decimal` everywhere.

use crate::error::Errors;
use crate::read::parse_decimal;
use crate::value::Value;

/// Words read as yes (trimmed, any case).
pub const TRUTHY: &[&str] = &["yes", "true", "y", "1", "on"];
/// Words read as no in a field declared boolean (an empty answer is no).
const FALSY: &[&str] = &["no", "false", "n", "0", "off", ""];
/// Longest text accepted in a submitted field, in UTF-16 units as JS counts them.
const MAX_TEXT: usize = 512;

pub fn is_yes(text: &str) -> bool {
    let text = text.trim();
    TRUTHY.iter().any(|word| word.eq_ignore_ascii_case(text))
}

/// A form answer written as a plain number, `-?(0|[1-9]\d{0,14})(\.\d{1,6})?`: what a person types
/// for a quantity. Anything else stays text, so zip codes and phone numbers keep their leading zeros.
pub fn number(text: &str) -> Option<f64> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = crate::pattern::split_once(unsigned, b'.').map_or((unsigned, None), |(w, f)| (w, Some(f)));
    let digits = |s: &str, most: usize| (1..=most).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    let plain = digits(whole, 15) && (whole == "0" || !whole.starts_with('0')) && fraction.is_none_or(|f| digits(f, 6));
    plain.then(|| parse_decimal(text)).flatten()
}

/// A submitted field's value as the trait it feeds, for the field's declared type (`auto`, `string`,
/// `number`, `boolean`): `Ok(None)` when absent or empty, `Err` saying what was expected.
pub fn coerce(value: &Value, kind: &str) -> Result<Option<Value>, String> {
    let expected = |what: &str| Err(crate::read::concat(&["expected ", what]));
    let text = match value {
        Value::Null => return Ok(None),
        Value::Number(n) if n.is_finite() && kind != "string" && kind != "boolean" => return Ok(Some(value.clone())),
        Value::Number(_) if kind == "auto" => return expected("a finite number"),
        Value::Bool(_) if kind == "auto" || kind == "boolean" => return Ok(Some(value.clone())),
        Value::Number(_) | Value::Bool(_) => return expected(&crate::read::concat(&["a ", kind])),
        Value::String(text) => text.trim(),
        Value::Array(_) | Value::Object(_) => return expected("a string, number or boolean"),
    };
    if text.encode_utf16().count() > MAX_TEXT {
        return Err(format!("at most {MAX_TEXT} characters"));
    }
    match kind {
        "boolean" if is_yes(text) => Ok(Some(Value::Bool(true))),
        "boolean" if FALSY.iter().any(|word| word.eq_ignore_ascii_case(text)) => Ok(Some(Value::Bool(false))),
        "boolean" => expected("yes/no, y/n, true/false or on/off"),
        _ if text.is_empty() => Ok(None),
        "number" => number(text).map(|n| Some(Value::Number(n))).ok_or_else(|| "expected a number".to_string()),
        "auto" => Ok(Some(number(text).map_or_else(|| Value::from(text), Value::Number))),
        _ => Ok(Some(Value::from(text))),
    }
}

/// The traits of a submission's allow-listed fields, given as `[{ field, trait, type, value }]`: an
/// object trait → value (a later field feeding the same trait wins), or every refused field by name.
pub fn traits(fields: &Value) -> Result<Value, Errors> {
    let mut errors = Errors::default();
    let mut traits: Vec<(String, Value)> = Vec::new();
    for entry in fields.as_array().unwrap_or_default() {
        let text = |key: &str| entry.get(key).and_then(Value::as_str).unwrap_or_default();
        let field = text("field");
        match coerce(entry.get("value").unwrap_or(&Value::Null), text("type")) {
            Err(message) => errors.push(field, message),
            Ok(None) => {}
            Ok(Some(value)) => match traits.iter_mut().find(|(name, _)| name == text("trait")) {
                Some(slot) => slot.1 = value,
                None => traits.push((text("trait").to_string(), value)),
            },
        }
    }
    errors.into_result(Value::Object(traits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_plain_decimals() {
        for (text, n) in
            [("120", 120.0), ("-0.25", -0.25), ("0", 0.0), ("0.5", 0.5), ("999999999999999", 999999999999999.0)]
        {
            assert_eq!(number(text), Some(n), "{text}");
        }
        for text in ["1e5", "12a", ".", "", "-", "007", "1.", ".5", "+1", "1,000", "1.1234567", "1000000000000000"] {
            assert_eq!(number(text), None, "{text}");
        }
    }

    #[test]
    fn fields_by_declared_type() {
        let text = |s: &str| Value::from(s);
        assert_eq!(coerce(&text(" 42 "), "auto"), Ok(Some(Value::Number(42.0))));
        assert_eq!(coerce(&text("042"), "auto"), Ok(Some(text("042"))));
        assert_eq!(coerce(&text("42"), "string"), Ok(Some(text("42"))));
        assert_eq!(coerce(&text("Y"), "boolean"), Ok(Some(Value::Bool(true))));
        assert_eq!(coerce(&text(""), "boolean"), Ok(Some(Value::Bool(false))));
        assert_eq!(coerce(&text("maybe"), "boolean"), Err("expected yes/no, y/n, true/false or on/off".into()));
        assert_eq!(coerce(&text(""), "number"), Ok(None));
        assert_eq!(coerce(&text("many"), "number"), Err("expected a number".into()));
        assert_eq!(coerce(&Value::Number(f64::INFINITY), "auto"), Err("expected a finite number".into()));
        assert_eq!(coerce(&Value::Number(3.0), "boolean"), Err("expected a boolean".into()));
        assert_eq!(coerce(&Value::Bool(true), "number"), Err("expected a number".into()));
        assert_eq!(coerce(&text(&"x".repeat(513)), "auto"), Err("at most 512 characters".into()));
        assert!(is_yes(" On ") && !is_yes("no"));
    }

    #[test]
    fn traits_by_field() {
        let entry = |field: &str, name: &str, kind: &str, value: Value| {
            Value::object(vec![
                ("field", field.into()),
                ("trait", name.into()),
                ("type", kind.into()),
                ("value", value),
            ])
        };
        let fields = Value::Array(vec![
            entry("size", "company_size", "auto", "12".into()),
            entry("mail", "email", "auto", "a@b.co".into()),
            entry("seats", "company_size", "number", "40".into()),
        ]);
        let expected = Value::object(vec![("company_size", Value::Number(40.0)), ("email", "a@b.co".into())]);
        assert_eq!(traits(&fields), Ok(expected));
        let bad = Value::Array(vec![entry("ok", "ok", "boolean", "perhaps".into())]);
        assert_eq!(traits(&bad).map_err(|e| e.0[0].path.clone()), Err("ok".to_string()));
    }
}
