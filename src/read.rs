//! Small readers over `Value` that record a path-naming error instead of failing fast, so one
//! pass over a document reports every problem in it.

use crate::error::{fail, join, Errors, Path};
use crate::value::Value;

/// An object's fields in document order, as `Value::Object` holds them.
pub type Entries = [(String, Value)];

/// The object at `path`, or an error. Unknown keys are reported, naming the allowed ones, since a
/// misspelt key silently ignored is the worst kind of config bug.
pub fn object<'a>(
    value: &'a Value,
    path: &str,
    allowed: &[&str],
    errors: &mut Errors,
) -> Option<&'a [(String, Value)]> {
    let Some(entries) = value.as_object() else {
        fail!(errors, path, "expected an object, got {}", value.kind());
        return None;
    };
    for (key, _) in entries {
        if !allowed.contains(&key.as_str()) {
            fail!(errors, &join(path, key), "unknown field (expected one of: {})", allowed.join(", "));
        }
    }
    Some(entries)
}

pub fn field<'a>(entries: &'a Entries, key: &str) -> Option<&'a Value> {
    entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// The field `key` with its path (see [`Path`]), when present: a section or list the caller reads further.
pub fn field_at<'a>(entries: &'a Entries, path: &str, key: &str) -> Option<(&'a Value, Path)> {
    field(entries, key).map(|v| (v, Path::join(path, key)))
}

/// The field `key` with its path, or an error saying it is required and what it is for.
pub fn required<'a>(
    entries: &'a Entries,
    key: &str,
    path: &str,
    what: &str,
    errors: &mut Errors,
) -> Option<(&'a Value, Path)> {
    let found = field_at(entries, path, key);
    if found.is_none() {
        fail!(errors, &Path::join(path, key), "required: {what}");
    }
    found
}

// Readers of one field of an object (`entries`, at `path`), `None` when it is absent or wrong (recorded).
// The model reader reads some fifty such fields: one out-of-line call each, with the field's path
// built inside, keeps its code small (the tag carries it).

/// The field `key` as text of at most `max_len` characters.
pub fn string_at(entries: &Entries, path: &str, key: &str, max_len: usize, errors: &mut Errors) -> Option<String> {
    field(entries, key).and_then(|v| string_in(v, path, key, max_len, errors))
}

/// `string_at` for a field that must be there: absent, it is recorded as required (`what` it is for).
pub fn required_string(
    entries: &Entries,
    path: &str,
    key: &str,
    max_len: usize,
    what: &str,
    errors: &mut Errors,
) -> Option<String> {
    let (v, at) = required(entries, key, path, what, errors)?;
    string(v, &at, max_len, errors)
}

/// The field `key` as a number from `min` to `max`.
pub fn number_at(entries: &Entries, path: &str, key: &str, min: f64, max: f64, errors: &mut Errors) -> Option<f64> {
    field(entries, key).and_then(|v| number_in(v, path, key, min, max, errors))
}

/// The field `key` as a whole number from `min` to `max`.
pub fn whole_at(entries: &Entries, path: &str, key: &str, min: f64, max: f64, errors: &mut Errors) -> Option<u32> {
    field(entries, key).and_then(|v| whole(v, &Path::join(path, key), min, max, errors))
}

/// The field `key` in hundredths (see [`centi`]).
pub fn centi_at(entries: &Entries, path: &str, key: &str, limit: f64, errors: &mut Errors) -> Option<i64> {
    field(entries, key).and_then(|v| centi(v, &Path::join(path, key), limit, errors))
}

/// The field `key` as a duration in milliseconds (see [`duration`]).
pub fn duration_at(entries: &Entries, path: &str, key: &str, errors: &mut Errors) -> Option<i64> {
    field(entries, key).and_then(|v| duration(v, &Path::join(path, key), errors))
}

/// The field `key` as true or false.
pub fn boolean_at(entries: &Entries, path: &str, key: &str, errors: &mut Errors) -> Option<bool> {
    field(entries, key).and_then(|v| boolean(v, &Path::join(path, key), errors))
}

// Walks over lists take a `dyn` callback: one copy of the loop for every list in a model.

/// The first `limit` items of the list `items` at `path`, each handed to `each` with its path and position.
pub fn items(
    items: &[Value],
    path: &str,
    limit: usize,
    errors: &mut Errors,
    each: &mut dyn FnMut(&Value, &str, usize, &mut Errors),
) {
    for (i, item) in items.iter().take(limit).enumerate() {
        // The tag's reader only rejects a model: it stops at the first problem.
        if cfg!(feature = "terse-errors") && !errors.0.is_empty() {
            return;
        }
        each(item, &Path::index(path, i), i, errors);
    }
}

/// Each item of the list `items` at `path`, read as an object with the `allowed` keys and handed to
/// `each` with its entries, path and position. Items that are not objects are recorded and skipped.
pub fn objects(
    list: &[Value],
    path: &str,
    allowed: &[&str],
    errors: &mut Errors,
    each: &mut dyn FnMut(&Entries, &str, usize, &mut Errors),
) {
    items(list, path, usize::MAX, errors, &mut |item, at, i, errors| {
        if let Some(entries) = object(item, at, allowed, errors) {
            each(entries, at, i, errors);
        }
    });
}

/// The first `limit` items of the list `list` at `path`, read as text of at most `max_len` characters
/// and handed to `each` with its path. Items that are not such text are recorded and skipped.
pub fn strings(
    list: &[Value],
    path: &str,
    limit: usize,
    max_len: usize,
    errors: &mut Errors,
    each: &mut dyn FnMut(String, &str, &mut Errors),
) {
    items(list, path, limit, errors, &mut |item, at, _, errors| {
        if let Some(text) = string(item, at, max_len, errors) {
            each(text, at, errors);
        }
    });
}

pub fn string(value: &Value, path: &str, max_len: usize, errors: &mut Errors) -> Option<String> {
    match value {
        Value::String(s) if s.chars().count() <= max_len => Some(s.clone()),
        Value::String(_) => {
            fail!(errors, path, "expected a string of at most {max_len} characters");
            None
        }
        other => {
            fail!(errors, path, "expected a string, got {}", other.kind());
            None
        }
    }
}

/// `string` for the field `key` of the object at `parent`: the path is only built for an error,
/// which keeps valid events (read by the thousand) free of path formatting.
pub fn string_in(value: &Value, parent: &str, key: &str, max_len: usize, errors: &mut Errors) -> Option<String> {
    match value {
        // At most `max_len` bytes is at most `max_len` characters: accepted without counting them.
        Value::String(s) if s.len() <= max_len => Some(s.clone()),
        _ => string(value, &join(parent, key), max_len, errors),
    }
}

/// `number` for the field `key` of the object at `parent`, building the path only for an error.
pub fn number_in(value: &Value, parent: &str, key: &str, min: f64, max: f64, errors: &mut Errors) -> Option<f64> {
    match value {
        Value::Number(n) if in_range(*n, min, max) => Some(*n),
        _ => number(value, &join(parent, key), min, max, errors),
    }
}

fn in_range(n: f64, min: f64, max: f64) -> bool {
    n.is_finite() && n >= min && n <= max
}

pub fn number(value: &Value, path: &str, min: f64, max: f64, errors: &mut Errors) -> Option<f64> {
    match value {
        Value::Number(n) if in_range(*n, min, max) => Some(*n),
        Value::Number(_) => {
            fail!(errors, path, "expected a number from {} to {}", fmt_num(min), fmt_num(max));
            None
        }
        other => {
            fail!(errors, path, "expected a number, got {}", other.kind());
            None
        }
    }
}

pub fn whole(value: &Value, path: &str, min: f64, max: f64, errors: &mut Errors) -> Option<u32> {
    let n = number(value, path, min, max, errors)?;
    if n.fract() != 0.0 {
        fail!(errors, path, "expected a whole number");
        return None;
    }
    Some(n as u32)
}

pub fn boolean(value: &Value, path: &str, errors: &mut Errors) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        other => {
            fail!(errors, path, "expected true or false, got {}", other.kind());
            None
        }
    }
}

pub fn array<'a>(value: &'a Value, path: &str, errors: &mut Errors) -> Option<&'a [Value]> {
    match value {
        Value::Array(items) => Some(items),
        other => {
            fail!(errors, path, "expected an array, got {}", other.kind());
            None
        }
    }
}

/// Points and thresholds are stored as whole hundredths, so sums are exact in every runtime.
pub fn centi(value: &Value, path: &str, limit: f64, errors: &mut Errors) -> Option<i64> {
    let n = number(value, path, -limit, limit, errors)?;
    let scaled = n * 100.0;
    if (scaled - scaled.round()).abs() > 1e-6 {
        fail!(errors, path, "expected at most 2 decimal places");
        return None;
    }
    Some(scaled.round() as i64)
}

/// Durations like `"30d"`: a number and one of ms, s, m, h, d, w. Returns milliseconds.
pub fn duration(value: &Value, path: &str, errors: &mut Errors) -> Option<i64> {
    const HINT: &str = "expected a duration such as \"90d\", \"12h\", \"30m\", \"45s\", \"2w\"";
    let Some(text) = value.as_str() else {
        fail!(errors, path, "{HINT}, got {}", value.kind());
        return None;
    };
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    // `split` is at a char boundary (an ASCII byte or the end); the checked split keeps the panicking
    // path and its message formatting out of the npm build.
    let (digits, unit) = text.split_at_checked(split).unwrap_or((text, ""));
    let unit_ms: f64 = match unit.trim() {
        "ms" => 1.0,
        "s" => 1_000.0,
        "m" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        "w" => 604_800_000.0,
        _ => {
            fail!(errors, path, "{HINT}");
            return None;
        }
    };
    match parse_decimal(digits) {
        Some(n) if n > 0.0 && n * unit_ms <= 3_650.0 * 86_400_000.0 => Some((n * unit_ms).round() as i64),
        _ => {
            fail!(errors, path, "{HINT}, above zero and at most 10 years");
            None
        }
    }
}

/// Numbers in messages without float noise: `50`, `7.5`, `-0.25` (two decimals at most, which
/// is all a model holds; avoiding float formatting keeps its code out of the WASM).
pub fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        fmt_centi(n as i64 * 100)
    } else {
        fmt_centi((n * 100.0).round() as i64)
    }
}

/// The parts one after the other: what `format!` would do for plain text, without `core::fmt`, which
/// the website tag leaves out (see `error::fail!`).
pub fn concat(parts: &[&str]) -> String {
    let mut text = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        text.push_str(part);
    }
    text
}

/// A plain decimal such as `42`, `-3.5`, `1e6` or `25,000` (thousands separators ignored).
/// Hand-written because the standard float parser is a large share of a small WASM module;
/// inputs here are form answers and durations, not full-precision data.
pub fn parse_decimal(text: &str) -> Option<f64> {
    let text = text.trim();
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (mantissa_text, exponent) = match rest.find(['e', 'E']) {
        Some(at) => {
            let exp: i32 = parse_int(rest.get(at + 1..)?)?;
            (rest.get(..at)?, exp)
        }
        None => (rest, 0),
    };
    let (whole, fraction) = crate::pattern::split_once(mantissa_text, b'.').unwrap_or((mantissa_text, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let mut value = 0.0f64;
    let mut digits = 0;
    for c in whole.chars().filter(|&c| c != ',') {
        value = value * 10.0 + f64::from(c.to_digit(10)?);
        digits += 1;
    }
    let mut scale = 0i32;
    for c in fraction.chars() {
        value = value * 10.0 + f64::from(c.to_digit(10)?);
        scale += 1;
        digits += 1;
    }
    if digits == 0 || digits > 30 {
        return None;
    }
    let power = exponent.checked_sub(scale)?;
    if !(-300..=300).contains(&power) {
        return None;
    }
    let value = if power >= 0 { value * 10f64.powi(power) } else { value / 10f64.powi(-power) };
    value.is_finite().then_some(if negative { -value } else { value })
}

fn parse_int(text: &str) -> Option<i32> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() || digits.len() > 4 {
        return None;
    }
    let mut n = 0i32;
    for c in digits.chars() {
        n = n * 10 + i32::try_from(c.to_digit(10)?).ok()?;
    }
    Some(if negative { -n } else { n })
}

/// Hundredths as a plain number string: 1500 → "15", 750 → "7.5", -25 → "-0.25".
pub fn fmt_centi(c: i64) -> String {
    let abs = c.unsigned_abs();
    let (whole, frac) = (abs / 100, abs % 100);
    let mut text = String::with_capacity(8);
    if c < 0 {
        text.push('-');
    }
    crate::json::write_digits(whole, &mut text);
    if frac != 0 {
        text.push('.');
        text.push(char::from(b'0' + (frac / 10) as u8));
        if frac % 10 != 0 {
            text.push(char::from(b'0' + (frac % 10) as u8));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{fmt_centi, parse_decimal};

    #[test]
    fn decimals_parse_like_form_answers_are_written() {
        assert_eq!(parse_decimal("42"), Some(42.0));
        assert_eq!(parse_decimal(" -3.5 "), Some(-3.5));
        assert_eq!(parse_decimal("25,000"), Some(25_000.0));
        assert_eq!(parse_decimal("1e6"), Some(1_000_000.0));
        assert_eq!(parse_decimal("2.5E-1"), Some(0.25));
        assert_eq!(parse_decimal(".5"), Some(0.5));
        for bad in ["", "-", ".", "1.2.3", "12abc", "e5", "1e", "1e99999", "NaN", "inf"] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
    }

    #[test]
    fn hundredths_print_without_float_noise() {
        assert_eq!(fmt_centi(1500), "15");
        assert_eq!(fmt_centi(750), "7.5");
        assert_eq!(fmt_centi(-25), "-0.25");
        assert_eq!(fmt_centi(1), "0.01");
    }
}
