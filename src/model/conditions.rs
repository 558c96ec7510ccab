//! A rule's `when`: occurrence conditions (counted) and state conditions (true or false of the
//! visitor), nested with all/any/not.

use super::{Condition, Occurrence, Scalar, StateCondition, TraitTest, MAX_CONDITION_DEPTH, MAX_LIST, MAX_TEXT};
use crate::error::{fail, Errors, Path};
use crate::pattern::Pattern;
use crate::read::{self, required};
use crate::value::Value;

const OCCURRENCE_KEYS: &[&str] =
    &["page_view", "download", "form_submit", "click", "event", "campaign", "referrer", "email_click"];
const STATE_KEYS: &[&str] = &["engaged", "visits", "scroll", "inactive", "trait", "email_domain", "all", "any", "not"];

pub(super) fn parse_condition(value: &Value, path: &str, errors: &mut Errors) -> Option<Condition> {
    let Some(entries) = value.as_object() else {
        fail!(errors, path, "expected a condition object, got {}", value.kind());
        return None;
    };
    let Some((key, body)) = entries.first() else {
        fail!(errors, path, "{}", condition_hint());
        return None;
    };
    if OCCURRENCE_KEYS.contains(&key.as_str()) {
        if entries.len() > 1 {
            fail!(errors, path, "a condition has exactly one kind; found {}", entry_names(entries));
            return None;
        }
        parse_occurrence(key, body, &Path::join(path, key), errors).map(Condition::Occurrence)
    } else {
        parse_state(value, path, 0, errors).map(Condition::State)
    }
}

fn entry_names(entries: &[(String, Value)]) -> String {
    entries.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(", ")
}

fn condition_hint() -> String {
    format!("expected one of: {}, {}", OCCURRENCE_KEYS.join(", "), STATE_KEYS.join(", "))
}

fn pattern(entries: &[(String, Value)], key: &str, path: &str, errors: &mut Errors) -> Pattern {
    match read::field(entries, key) {
        None => Pattern::Any,
        Some(v) => match v.as_str() {
            Some(s) if s.chars().count() <= 500 => Pattern::new(s),
            _ => {
                fail!(
                    errors,
                    &Path::join(path, key),
                    "expected a pattern string (at most 500 characters; * and ? are wildcards)"
                );
                Pattern::Any
            }
        },
    }
}

fn parse_occurrence(kind: &str, body: &Value, path: &str, errors: &mut Errors) -> Option<Occurrence> {
    let before = errors.0.len();
    let keys: &[&str] = match kind {
        "page_view" => &["path"],
        "download" => &["url", "type"],
        "form_submit" => &["form"],
        "click" | "event" => &["name"],
        "campaign" => &["source", "medium", "campaign"],
        "referrer" => &["host"],
        _ => &["campaign"],
    };
    let entries = read::object(body, path, keys, errors)?;
    let occurrence = match kind {
        "page_view" => Occurrence::PageView { path: pattern(entries, "path", path, errors) },
        "download" => {
            let mut types = Vec::new();
            if let Some(v) = read::field(entries, "type") {
                let p = Path::join(path, "type");
                match v {
                    Value::String(s) => types.push(s.trim_start_matches('.').to_ascii_lowercase()),
                    Value::Array(items) => read::strings(items, &p, usize::MAX, 20, errors, &mut |s, _, _| {
                        types.push(s.trim_start_matches('.').to_ascii_lowercase());
                    }),
                    other => fail!(errors, &p, "expected a file type or a list of them, got {}", other.kind()),
                }
            }
            Occurrence::Download { url: pattern(entries, "url", path, errors), types }
        }
        "form_submit" => Occurrence::FormSubmit { form: pattern(entries, "form", path, errors) },
        "click" => Occurrence::Click { name: pattern(entries, "name", path, errors) },
        "event" => Occurrence::Event { name: pattern(entries, "name", path, errors) },
        "campaign" => Occurrence::Campaign {
            source: pattern(entries, "source", path, errors),
            medium: pattern(entries, "medium", path, errors),
            campaign: pattern(entries, "campaign", path, errors),
        },
        "referrer" => Occurrence::Referrer { host: pattern(entries, "host", path, errors) },
        _ => Occurrence::EmailClick { campaign: pattern(entries, "campaign", path, errors) },
    };
    (errors.0.len() == before).then_some(occurrence)
}

const TRAIT_TESTS: &[&str] =
    &["trait", "equals", "one_of", "contains", "between", "at_least", "at_most", "below", "above", "exists", "is_true"];

fn parse_state(value: &Value, path: &str, depth: usize, errors: &mut Errors) -> Option<StateCondition> {
    if depth > MAX_CONDITION_DEPTH {
        fail!(errors, path, "conditions nest at most {MAX_CONDITION_DEPTH} deep");
        return None;
    }
    let Some(entries) = value.as_object() else {
        fail!(errors, path, "expected a condition object, got {}", value.kind());
        return None;
    };
    if read::field(entries, "trait").is_some() {
        return parse_trait(entries, path, errors);
    }
    let [(key, body)] = entries else {
        if entries.is_empty() {
            fail!(errors, path, "{}", condition_hint());
        } else {
            fail!(errors, path, "a condition has exactly one kind; found {}", entry_names(entries));
        }
        return None;
    };
    let before = errors.0.len();
    let condition = parse_state_kind(key, body, path, depth, errors)?;
    (errors.0.len() == before).then_some(condition)
}

/// Parses the body of the one state condition kind `key` (everything but `trait`) found at `path`.
fn parse_state_kind(key: &str, body: &Value, path: &str, depth: usize, errors: &mut Errors) -> Option<StateCondition> {
    let p = Path::join(path, key);
    Some(match key {
        "engaged" => {
            let e = read::object(body, &p, &["path", "seconds"], errors)?;
            let seconds = required(e, "seconds", &p, "the engaged seconds to reach", errors)
                .and_then(|(v, at)| read::number(v, &at, 0.0, 86_400.0 * 365.0, errors));
            StateCondition::Engaged { path: pattern(e, "path", &p, errors), seconds: seconds.unwrap_or(0.0) }
        }
        "visits" => {
            let e = read::object(body, &p, &["at_least"], errors)?;
            let at_least = required(e, "at_least", &p, "the number of visits to reach", errors)
                .and_then(|(v, at)| read::whole(v, &at, 1.0, 1e6, errors));
            StateCondition::Visits { at_least: at_least.unwrap_or(1) }
        }
        "scroll" => {
            let e = read::object(body, &p, &["path", "depth"], errors)?;
            let depth = required(e, "depth", &p, "the scroll depth in percent", errors)
                .and_then(|(v, at)| read::number(v, &at, 0.0, 100.0, errors));
            StateCondition::Scroll { path: pattern(e, "path", &p, errors), depth: depth.unwrap_or(0.0) }
        }
        "inactive" => {
            let e = read::object(body, &p, &["for"], errors)?;
            let for_ms = required(e, "for", &p, "how long without activity, e.g. \"90d\"", errors)
                .and_then(|(v, at)| read::duration(v, &at, errors));
            StateCondition::Inactive { for_ms: for_ms.unwrap_or(1) }
        }
        "email_domain" => parse_email_domain(body, &p, errors)?,
        "all" | "any" => parse_all_any(key, body, &p, depth, errors)?,
        "not" => StateCondition::Not(Box::new(parse_state(body, &p, depth + 1, errors)?)),
        other if OCCURRENCE_KEYS.contains(&other) => {
            fail!(
                errors,
                &p,
                "occurrence conditions cannot be combined with all/any/not; use separate rules or the qualify gate"
            );
            return None;
        }
        _ => {
            fail!(errors, path, "unknown condition \"{key}\"; {}", condition_hint());
            return None;
        }
    })
}

/// Parses an `email_domain` body: `{"free": bool}` and/or `{"in": [domains]}`.
fn parse_email_domain(body: &Value, p: &str, errors: &mut Errors) -> Option<StateCondition> {
    let e = read::object(body, p, &["free", "in"], errors)?;
    let free = read::boolean_at(e, p, "free", errors);
    let mut domains = Vec::new();
    if let Some((v, lp)) = read::field_at(e, p, "in") {
        if let Some(items) = read::array(v, &lp, errors) {
            read::strings(items, &lp, MAX_LIST, 253, errors, &mut |s, _, _| {
                domains.push(Pattern::new(s.trim().trim_start_matches('@')));
            });
        }
    }
    if free.is_none() && read::field(e, "in").is_none() {
        fail!(errors, p, "expected {{\"free\": true}} or {{\"in\": [\"domain.com\", ...]}}");
    }
    Some(StateCondition::EmailDomain { free, domains })
}

/// Parses the list of an `all` or `any` (chosen by `key`), each item one level deeper.
fn parse_all_any(key: &str, body: &Value, p: &str, depth: usize, errors: &mut Errors) -> Option<StateCondition> {
    let items = read::array(body, p, errors)?;
    if items.is_empty() {
        fail!(errors, p, "expected at least one condition");
    }
    let mut list = Vec::new();
    read::items(items, p, usize::MAX, errors, &mut |item, at, _, errors| {
        if let Some(condition) = parse_state(item, at, depth + 1, errors) {
            list.push(condition);
        }
    });
    Some(if key == "all" { StateCondition::All(list) } else { StateCondition::Any(list) })
}

fn parse_trait(entries: &[(String, Value)], path: &str, errors: &mut Errors) -> Option<StateCondition> {
    let before = errors.0.len();
    for (key, _) in entries {
        if !TRAIT_TESTS.contains(&key.as_str()) {
            fail!(errors, &Path::join(path, key), "unknown trait test (expected one of: {})", TRAIT_TESTS.join(", "));
        }
    }
    let field = read::string_at(entries, path, "trait", MAX_TEXT, errors)?;
    let mut tests = Vec::new();
    for (key, v) in entries.iter().filter(|(k, _)| k != "trait") {
        let p = Path::join(path, key);
        let number = |v: &Value, p: &str, errors: &mut Errors| read::number(v, p, -1e15, 1e15, errors);
        let test = match key.as_str() {
            "equals" => scalar(v, &p, errors).map(TraitTest::Equals),
            "one_of" => read::array(v, &p, errors).map(|items| {
                let mut scalars = Vec::new();
                read::items(items, &p, MAX_LIST, errors, &mut |x, at, _, errors| {
                    if let Some(value) = scalar(x, at, errors) {
                        scalars.push(value);
                    }
                });
                TraitTest::OneOf(scalars)
            }),
            "contains" => match v {
                Value::String(s) => Some(TraitTest::Contains(vec![s.to_ascii_lowercase()])),
                Value::Array(items) => {
                    let mut texts = Vec::new();
                    read::strings(items, &p, MAX_LIST, MAX_TEXT, errors, &mut |s, _, _| {
                        texts.push(s.to_ascii_lowercase());
                    });
                    Some(TraitTest::Contains(texts))
                }
                other => {
                    fail!(errors, &p, "expected a string or a list of strings, got {}", other.kind());
                    None
                }
            },
            "between" => match v.as_array() {
                Some([lo, hi]) => {
                    let lo = number(lo, &Path::index(&p, 0), errors);
                    let hi = number(hi, &Path::index(&p, 1), errors);
                    match (lo, hi) {
                        (Some(lo), Some(hi)) if lo <= hi => Some(TraitTest::Between(lo, hi)),
                        (Some(_), Some(_)) => {
                            fail!(errors, &p, "expected [low, high] with low ≤ high");
                            None
                        }
                        _ => None,
                    }
                }
                _ => {
                    fail!(errors, &p, "expected [low, high]");
                    None
                }
            },
            "at_least" => number(v, &p, errors).map(TraitTest::AtLeast),
            "at_most" => number(v, &p, errors).map(TraitTest::AtMost),
            "below" => number(v, &p, errors).map(TraitTest::Below),
            "above" => number(v, &p, errors).map(TraitTest::Above),
            "exists" => read::boolean(v, &p, errors).map(TraitTest::Exists),
            "is_true" => read::boolean(v, &p, errors).map(TraitTest::IsTrue),
            _ => None,
        };
        if let Some(test) = test {
            tests.push(test);
        }
    }
    if tests.is_empty() && errors.0.len() == before {
        fail!(
            errors,
            path,
            "a trait condition needs a test: one of {}",
            TRAIT_TESTS.get(1..).unwrap_or(&[]).join(", ")
        );
    }
    (errors.0.len() == before).then_some(StateCondition::Trait { field, tests })
}

fn scalar(value: &Value, path: &str, errors: &mut Errors) -> Option<Scalar> {
    match Scalar::from_value(value) {
        Some(Scalar::Text(s)) => Some(Scalar::Text(s.to_ascii_lowercase())),
        Some(other) => Some(other),
        None => {
            fail!(errors, path, "expected a string, number or boolean, got {}", value.kind());
            None
        }
    }
}
