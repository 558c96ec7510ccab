//! Test data both score streams are checked on (`calibrate::stream` and `score_stream`): a trait-only
//! model and rows whose cells cover what the fast path must read exactly as the engine does.

use crate::value::Value;

/// A trait-only model with every kind of test (also under `not` and `any`), groups, a cap, a scale
/// floor, stages (one whose name needs quotes in a CSV) and a qualification gate.
pub const TRAIT_MODEL: &str = r#"{ "name": "t", "caps": { "fit": 60 },
  "groups": [{ "id": "g", "max": 20 }],
  "rules": [
    { "id": "api", "points": 30, "when": { "trait": "Origin", "equals": "API" } },
    { "id": "form", "points": 12, "group": "g", "when": { "trait": "Origin", "one_of": ["form", "landing page"] } },
    { "id": "visits", "points": 25, "score": "engagement", "when": { "trait": "Visits", "at_least": 3, "below": 10 } },
    { "id": "many", "points": 15, "score": "engagement", "when": { "trait": "Visits", "above": 20 } },
    { "id": "seven", "points": 4, "when": { "trait": "Visits", "equals": 7 } },
    { "id": "news", "points": 9, "group": "g", "when": { "trait": "Newsletter", "is_true": true } },
    { "id": "no-news", "points": -40, "when": { "trait": "Newsletter", "is_true": false } },
    { "id": "city", "points": 5, "when": { "trait": "City", "contains": ["bomb"] } },
    { "id": "asked", "points": 3, "when": { "trait": "City", "exists": true } },
    { "id": "no-origin", "points": -5, "when": { "not": { "trait": "Origin", "one_of": ["api", "form"] } } },
    { "id": "few-or-many", "points": 2, "score": "engagement",
      "when": { "any": [{ "trait": "Visits", "below": 2 }, { "trait": "Visits", "above": 30 }] } },
    { "id": "no-visits", "points": -3,
      "when": { "not": { "any": [{ "trait": "Visits", "at_least": 0 }, { "trait": "Visits", "below": 0 }] } } },
    { "id": "size", "points": 6, "when": { "trait": "Size", "one_of": ["10", "small, medium"] } }
  ],
  "stages": [{ "name": "new" }, { "name": "warm", "min": 20 }, { "name": "m;ql", "min": 50 }],
  "qualify": { "stage": "m;ql", "rules": ["api"] } }"#;

pub fn doc(text: &str) -> Value {
    crate::json::parse(text).unwrap()
}

/// `n` rows of `TRAIT_MODEL`'s columns and a `Converted` column, led by a `Lead Id` column when `id`.
pub fn rows(n: usize, id: bool) -> String {
    let origins = ["API", " api ", "Form", "LANDING PAGE", "", "7", "Email", "n/a", "\"quoted, api\"", "Ápi"];
    let visits = ["0", "3", " 7 ", "9.99", "10", "21", "31", "1,000", "", "lots", "1e1", "-2", "7.0", "yes", "007"];
    let news = ["Yes", "no", "1", "0", "2", "", "TRUE", "maybe", "On", " y "];
    let cities = ["Mumbai", "Bombay", "", "Pune", "  "];
    let sizes = ["10", "10.0", "\"Small, Medium\"", "", "ten", "9"];
    let mut text = String::from(if id { "Lead Id," } else { "" });
    text.push_str("Origin,Visits,Newsletter,City,Size,Converted\n");
    for i in 0..n {
        let pick = |list: &[&'static str], k: usize| list[(i * k + i / 7) % list.len()];
        if id {
            text.push_str(&format!("L{i},"));
        }
        text.push_str(&format!(
            "{},\"{}\",{},{},{},{}\n",
            pick(&origins, 3),
            pick(&visits, 5),
            pick(&news, 7),
            pick(&cities, 11),
            pick(&sizes, 13),
            i % 2
        ));
    }
    text
}
