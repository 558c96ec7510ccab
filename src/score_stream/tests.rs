use super::*;
use crate::calibrate::score_csv;
use crate::calibrate::stream::test_data::{doc, rows, TRAIT_MODEL};

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
    for (model, id) in [(doc(TRAIT_MODEL), true), (doc(TRAIT_MODEL), false)] {
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
    let model = doc(TRAIT_MODEL);
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
    let model = doc(TRAIT_MODEL);
    let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let fail = |fields: Vec<String>| {
        let stream = ScoreStream::new(&model, ScoreCsvOptions::default(), Some(&fields), &StreamOptions::default());
        stream.err().unwrap().to_string()
    };
    assert!(fail(names(&["score", "points"])).contains("\"points\" is not an output column (one of: id, score,"));
    assert!(fail(names(&["score", "score"])).contains("\"score\" is named twice"));
    assert!(fail(names(&[])).contains("name at least one output column"));
}
