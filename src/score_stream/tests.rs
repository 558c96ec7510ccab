use super::*;
use crate::calibrate::score_csv;

/// A trait-only model with text, number, yes/no, `contains`, `not` and `any` tests, groups, a cap,
/// a scale floor, stages and a qualification gate.
const MODEL: &str = r#"{ "name": "t", "caps": { "fit": 60 }, "groups": [{ "id": "g", "max": 20 }],
  "rules": [
    { "id": "api", "points": 30, "when": { "trait": "Origin", "equals": "API" } },
    { "id": "form", "points": 12, "group": "g", "when": { "trait": "Origin", "one_of": ["form", "landing page"] } },
    { "id": "visits", "points": 25, "score": "engagement", "when": { "trait": "Visits", "at_least": 3, "below": 10 } },
    { "id": "seven", "points": 4, "when": { "trait": "Visits", "equals": 7 } },
    { "id": "news", "points": 9, "group": "g", "when": { "trait": "Newsletter", "is_true": true } },
    { "id": "no-news", "points": -40, "when": { "trait": "Newsletter", "is_true": false } },
    { "id": "city", "points": 5, "when": { "trait": "City", "contains": ["bomb"] } },
    { "id": "asked", "points": 3, "when": { "trait": "City", "exists": true } },
    { "id": "no-origin", "points": -5, "when": { "not": { "trait": "Origin", "one_of": ["api", "form"] } } },
    { "id": "few-or-many", "points": 2, "score": "engagement",
      "when": { "any": [{ "trait": "Visits", "below": 2 }, { "trait": "Visits", "above": 30 }] } },
    { "id": "size", "points": 6, "when": { "trait": "Size", "one_of": ["10", "small, medium"] } }
  ],
  "stages": [{ "name": "new" }, { "name": "warm", "min": 20 }, { "name": "m;ql", "min": 50 }],
  "qualify": { "stage": "m;ql", "rules": ["api"] } }"#;

fn doc(text: &str) -> Value {
    crate::json::parse(text).unwrap()
}

/// Rows whose cells cover what the fast path must read as the engine does.
fn rows(n: usize, id: bool) -> String {
    let origins = ["API", " api ", "Form", "LANDING PAGE", "", "7", "Email", "\"quoted, api\"", "Ápi"];
    let visits = ["0", "3", " 7 ", "9.99", "10", "31", "1,000", "", "lots", "1e1", "-2", "7.0", "yes", "007"];
    let news = ["Yes", "no", "1", "0", "2", "", "TRUE", "maybe", "On", " y "];
    let cities = ["Mumbai", "Bombay", "", "Pune", "  "];
    let sizes = ["10", "10.0", "\"Small, Medium\"", "", "ten", "9"];
    let mut text = String::from(if id {
        "Lead Id,Origin,Visits,Newsletter,City,Size,Converted\n"
    } else {
        "Origin,Visits,Newsletter,City,Size,Converted\n"
    });
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

fn streamed(
    doc: &Value,
    text: &str,
    chunk: usize,
    options: &ScoreCsvOptions,
    fields: Option<&[String]>,
) -> (String, Value) {
    let mut stream = ScoreStream::new(doc, options.clone(), fields, &StreamOptions::default()).unwrap();
    let mut out = Vec::new();
    for piece in text.as_bytes().chunks(chunk) {
        out.extend(stream.push(piece).unwrap());
    }
    out.extend(stream.finish().unwrap());
    (String::from_utf8(out).unwrap(), stream.summary())
}

#[test]
fn streamed_rows_equal_the_in_memory_scores_on_both_paths() {
    let options =
        ScoreCsvOptions { keep: vec!["Converted".into(), "Origin".into()], now: Some(0), ..Default::default() };
    for (model, id) in [(doc(MODEL), true), (doc(MODEL), false)] {
        let text = rows(3000, id);
        let whole = score_csv(&model, &text, &options).unwrap();
        for chunk in [5, 1000, 1 << 20] {
            let (out, summary) = streamed(&model, &text, chunk, &options, None);
            assert_eq!(out, whole, "chunks of {chunk}");
            let count = |key: &str| summary.get(key).and_then(Value::as_f64).unwrap();
            assert_eq!(count("fast") + count("general"), 3000.0);
            assert!(count("fast") >= 1000.0 && count("general") > 0.0, "{summary:?}");
        }
    }
    // The reference model of the benchmarks (20 rules, the total held to 0..100) on its own kind of rows.
    let reference = doc(include_str!("../../bench/reference-model.json"));
    let mut text =
        String::from("id,visits,pricingViews,jobTitle,revenue,webinarRegistered,country,authority,timelineDays\n");
    for i in 0..2000 {
        let title = ["Head of Sales", "student", "VP", "Engineer"][i % 4];
        let flag = ["true", "false", "yes", ""][i % 4 / 2 + i % 3 / 2];
        let country = ["VN", "us", "DE", " sg "][i % 4];
        text.push_str(&format!(
            "L{i},{},{},{title},{},{flag},{country},decision-maker,{}\n",
            i % 7,
            i % 3,
            i * 997,
            i % 200
        ));
    }
    let options = ScoreCsvOptions { now: Some(0), ..Default::default() };
    assert_eq!(streamed(&reference, &text, 4096, &options, None).0, score_csv(&reference, &text, &options).unwrap());
}

#[test]
fn chosen_columns_are_those_of_the_full_output() {
    let model = doc(MODEL);
    let text = rows(500, true);
    let options = ScoreCsvOptions { keep: vec!["Converted".into()], now: Some(0), ..Default::default() };
    let full = crate::csv::parse(&score_csv(&model, &text, &options).unwrap()).unwrap();
    for fields in [
        vec!["id", "score", "stage"],
        vec!["stage", "qualified", "fit", "engagement"],
        vec!["breakdown"],
        vec!["score"],
    ] {
        let names: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        let (out, _) = streamed(&model, &text, 777, &options, Some(&names));
        let lean = crate::csv::parse(&out).unwrap();
        let expected: Vec<&str> = fields.iter().copied().chain(["Converted"]).collect();
        assert_eq!(lean.header, expected);
        for (row, full_row) in lean.rows.iter().zip(&full.rows) {
            let picked: Vec<&str> = expected.iter().map(|name| full_row[full.column(name).unwrap()].as_str()).collect();
            assert_eq!(*row, picked);
        }
        assert_eq!(lean.rows.len(), 500);
    }
}

#[test]
fn unknown_or_repeated_columns_are_refused() {
    let model = doc(MODEL);
    let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let fail = |fields: Vec<String>| {
        let stream = ScoreStream::new(&model, ScoreCsvOptions::default(), Some(&fields), &StreamOptions::default());
        stream.err().unwrap().to_string()
    };
    assert!(fail(names(&["score", "points"])).contains("\"points\" is not an output column (one of: id, score,"));
    assert!(fail(names(&["score", "score"])).contains("\"score\" is named twice"));
    assert!(fail(names(&[])).contains("name at least one output column"));
}
