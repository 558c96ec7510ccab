//! Value tiers: the model's optional `value` section, which turns a lead's score into the value it
//! is expected to bring — its conversion rate at that score times the expected amount of a deal
//! (overall, or by the answer of one trait such as the product line) — and names a tier for it.
//!
//! ```json
//! "value": {
//!   "rates": [{ "min": 70, "rate": 0.81 }, { "min": 40, "rate": 0.42 }, { "rate": 0.06 }],
//!   "amount": { "default": 1800, "trait": "Lead Origin", "by": { "API": 1200, "Lead Add Form": 2600 } },
//!   "tiers": [{ "tier": "high", "min": 900 }, { "tier": "medium", "min": 300 }, { "tier": "low" }]
//! }
//! ```
//! Bands and tiers are listed from the highest `min` down; the last has no `min` and takes the rest.
//! Trait answers compare ignoring ASCII case, like `equals`. The website tag's build (none of the
//! `api`, `calibrate` or `validator` features) accepts the section but does not read it.

#[cfg(any(feature = "api", feature = "calibrate", feature = "validator"))]
use crate::error::{index, join, Errors};
use crate::model::Scalar;
#[cfg(any(feature = "api", feature = "calibrate", feature = "validator"))]
use crate::read;
use crate::state::VisitorState;
#[cfg(any(feature = "api", feature = "calibrate", feature = "validator"))]
use crate::value::Value;

/// Largest amount a model may state (a deal's value in any currency unit).
#[cfg(any(feature = "api", feature = "calibrate", feature = "validator"))]
const MAX_AMOUNT: f64 = 1e12;

#[derive(Debug, Clone, PartialEq)]
pub struct ValueTiers {
    /// (min total in hundredths, conversion rate), highest min first; the last min is i64::MIN.
    pub rates: Vec<(i64, f64)>,
    pub default_amount: f64,
    /// The trait whose answer picks the amount, and (answer lower-cased, amount) pairs.
    pub by: Option<(String, Vec<(String, f64)>)>,
    /// (tier, min expected value), highest min first; the last min is -infinity.
    pub tiers: Vec<(String, f64)>,
}

/// What the card reports: the expected value and its tier.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadValue {
    /// Conversion rate × expected amount, rounded to a hundredth.
    pub expected: f64,
    pub tier: String,
}

impl ValueTiers {
    /// The value of a lead with this total (hundredths of a point) and these traits.
    pub fn of(&self, total: i64, state: &VisitorState) -> LeadValue {
        let rate = self.rates.iter().find(|(min, _)| total >= *min).map_or(0.0, |(_, r)| *r);
        let amount = self
            .by
            .as_ref()
            .and_then(|(name, answers)| {
                let Some(Scalar::Text(answer)) = state.trait_value(name) else { return None };
                answers.iter().find(|(a, _)| a.eq_ignore_ascii_case(answer.trim())).map(|(_, amount)| *amount)
            })
            .unwrap_or(self.default_amount);
        let expected = (rate * amount * 100.0).round() / 100.0;
        let tier = self
            .tiers
            .iter()
            .find(|(_, min)| expected >= *min)
            .or(self.tiers.last())
            .map_or_else(String::new, |(t, _)| t.clone());
        LeadValue { expected, tier }
    }
}

/// Reads the `value` section at `path`; errors name the field.
#[cfg(any(feature = "api", feature = "calibrate", feature = "validator"))]
pub fn parse(value: &Value, path: &str, errors: &mut Errors) -> Option<ValueTiers> {
    let before = errors.0.len();
    let entries = read::object(value, path, &["rates", "amount", "tiers"], errors)?;
    let rates = bands(entries, path, "rates", "rate", errors, |v, p, errors| read::number(v, p, 0.0, 1.0, errors))
        .into_iter()
        .map(|(min, rate)| (if min.is_finite() { (min * 100.0).round() as i64 } else { i64::MIN }, rate))
        .collect();
    let tiers = bands(entries, path, "tiers", "tier", errors, |v, p, errors| read::string(v, p, 40, errors));
    let tiers = tiers.into_iter().map(|(min, tier)| (tier, min)).collect();
    let amount_path = join(path, "amount");
    let (default_amount, by) = match read::field(entries, "amount") {
        None => {
            errors.push(&amount_path, "required: the expected amount of a converted lead ({ \"default\": 1800 })");
            (0.0, None)
        }
        Some(v) => {
            let amount = read::object(v, &amount_path, &["default", "trait", "by"], errors).unwrap_or(&[]);
            let default = match read::field(amount, "default") {
                Some(v) => read::number(v, &join(&amount_path, "default"), 0.0, MAX_AMOUNT, errors).unwrap_or(0.0),
                None => {
                    errors.push(&join(&amount_path, "default"), "required: the amount when no answer below applies");
                    0.0
                }
            };
            let name =
                read::field(amount, "trait").and_then(|v| read::string(v, &join(&amount_path, "trait"), 64, errors));
            let by_path = join(&amount_path, "by");
            let answers: Vec<(String, f64)> = read::field(amount, "by")
                .and_then(|v| match v {
                    Value::Object(list) => Some(list),
                    _ => {
                        errors.push(&by_path, "expected an object of answer: amount");
                        None
                    }
                })
                .map(|list| {
                    list.iter()
                        .filter_map(|(answer, v)| {
                            read::number(v, &join(&by_path, answer), 0.0, MAX_AMOUNT, errors)
                                .map(|n| (answer.trim().to_ascii_lowercase(), n))
                        })
                        .collect()
                })
                .unwrap_or_default();
            match name {
                Some(name) => (default, Some((name, answers))),
                None if !answers.is_empty() => {
                    errors.push(
                        &join(&amount_path, "trait"),
                        "required with \"by\": the trait whose answer picks the amount",
                    );
                    (default, None)
                }
                None => (default, None),
            }
        }
    };
    (errors.0.len() == before).then_some(ValueTiers { rates, default_amount, by, tiers })
}

/// A list of `{ <key>: …, "min": n }` from the highest min down, the last without `min`.
#[cfg(any(feature = "api", feature = "calibrate", feature = "validator"))]
fn bands<T>(
    entries: &[(String, Value)],
    path: &str,
    list: &str,
    key: &str,
    errors: &mut Errors,
    read_item: impl Fn(&Value, &str, &mut Errors) -> Option<T>,
) -> Vec<(f64, T)> {
    let list_path = join(path, list);
    let Some(items) = read::field(entries, list).and_then(|v| read::array(v, &list_path, errors)) else {
        if read::field(entries, list).is_none() {
            errors
                .push(&list_path, format!("required: a list of {{ \"{key}\": …, \"min\": … }}, the last without min"));
        }
        return Vec::new();
    };
    let mut out: Vec<(f64, T)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = index(&list_path, i);
        let Some(fields) = read::object(item, &p, &[key, "min"], errors) else { continue };
        let last = i + 1 == items.len();
        let min = match (read::field(fields, "min"), last) {
            (Some(v), false) => read::number(v, &join(&p, "min"), -MAX_AMOUNT, MAX_AMOUNT, errors),
            (None, true) => Some(f64::NEG_INFINITY),
            (Some(_), true) => {
                errors.push(&join(&p, "min"), "the last entry takes every lead left: no min");
                None
            }
            (None, false) => {
                errors.push(&join(&p, "min"), "required on every entry but the last");
                None
            }
        };
        if let (Some((prev, _)), Some(m)) = (out.last(), min) {
            if *prev <= m {
                errors.push(&join(&p, "min"), "entries must be listed from the highest min down");
            }
        }
        let item = match read::field(fields, key) {
            Some(v) => read_item(v, &join(&p, key), errors),
            None => {
                errors.push(&join(&p, key), "required");
                None
            }
        };
        if let (Some(min), Some(item)) = (min, item) {
            out.push((min, item));
        }
    }
    if items.is_empty() {
        errors.push(&list_path, "must hold at least one entry");
    }
    out
}

/// The section as a document value (what calibration writes).
#[cfg(feature = "calibrate")]
pub fn to_value(tiers: &ValueTiers) -> Value {
    let band = |key: &str, item: Value, min: Option<f64>| {
        let mut entries = vec![(key, item)];
        if let Some(min) = min {
            entries.push(("min", Value::Number(min)));
        }
        Value::object(entries)
    };
    let rates = tiers
        .rates
        .iter()
        .map(|(min, rate)| band("rate", Value::Number(*rate), (*min != i64::MIN).then_some(*min as f64 / 100.0)))
        .collect();
    let mut amount = vec![("default", Value::Number(tiers.default_amount))];
    if let Some((name, answers)) = &tiers.by {
        amount.push(("trait", Value::String(name.clone())));
        amount.push(("by", Value::Object(answers.iter().map(|(a, n)| (a.clone(), Value::Number(*n))).collect())));
    }
    let list = tiers
        .tiers
        .iter()
        .map(|(t, min)| band("tier", Value::String(t.clone()), min.is_finite().then_some(*min)))
        .collect();
    Value::object(vec![
        ("rates", Value::Array(rates)),
        ("amount", Value::object(amount)),
        ("tiers", Value::Array(list)),
    ])
}
