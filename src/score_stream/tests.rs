use super::*;
use crate::calibrate::score_csv;
use crate::calibrate::stream::test_data::{doc, rows, TRAIT_MODEL};
use crate::calibrate::stream::Part;

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
    // A rule id with a quote: breakdowns then go through `write_field`, which doubles it.
    let quoted = TRAIT_MODEL.replace(r#""id": "api""#, r#""id": "a\"pi""#).replace(r#"["api"] }"#, r#"["a\"pi"] }"#);
    assert_ne!(quoted, TRAIT_MODEL);
    let (model, text) = (doc(&quoted), rows(300, true));
    let whole = score_csv(&model, &text, &options).unwrap();
    assert!(whole.contains("a\"\"pi:30"), "{whole}");
    assert_eq!(streamed(&model, &text, 4096, &options, None).0, whole);
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

/// Also without a breakdown on a model whose qualification reads no rule: then the fast path
/// takes the totals from the slots' sums without listing the fired rules.
#[test]
fn chosen_columns_are_those_of_the_full_output() {
    let by_scores = TRAIT_MODEL.replace(
        r#""qualify": { "stage": "m;ql", "rules": ["api"] }"#,
        r#""qualify": { "stage": "warm", "min_fit": 10 }"#,
    );
    assert_ne!(by_scores, TRAIT_MODEL);
    for model in [doc(TRAIT_MODEL), doc(&by_scores)] {
        chosen_columns_of(&model);
    }
}

fn chosen_columns_of(model: &Value) {
    let text = rows(500, true);
    let options = ScoreCsvOptions { keep: vec!["Converted".into()], now: Some(0), ..Default::default() };
    let full = crate::csv::parse(&score_csv(model, &text, &options).unwrap()).unwrap();
    for fields in [
        vec!["id", "score", "stage"],
        vec!["stage", "qualified", "fit", "engagement"],
        vec!["breakdown"],
        vec!["score"],
    ] {
        let names: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        let (out, _) = streamed(model, &text, 777, &options, Some(&names));
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

/// A file scored in parts (the CLI's workers): each part after the header, its first line given,
/// writes what the whole file writes for its rows, bad rows listed by their line in the file.
#[test]
fn parts_of_a_file_score_as_the_whole_file_does() {
    let model = doc(TRAIT_MODEL);
    let mut text = rows(40, true);
    text.push_str("L40,api,\"3\nthree\",yes,Pune,10,1\nL41,form\nL42,\"x\"y,1,no,,,0\n");
    text.push_str(
        &rows(40, true).replace("Lead Id,", "").lines().skip(1).map(|l| format!("M{l}\n")).collect::<String>(),
    );
    text.push_str("M41,api,3,yes\n");
    let options = ScoreCsvOptions { now: Some(0), ..Default::default() };
    let whole = {
        let mut stream = ScoreStream::new(&model, options.clone(), None, &StreamOptions::default()).unwrap();
        let mut out = stream.push(text.as_bytes()).unwrap();
        out.extend(stream.finish().unwrap());
        (String::from_utf8(out).unwrap(), stream.summary())
    };
    let header_end = text.find('\n').unwrap() + 1;
    let cut = text.find("L41,").unwrap();
    let part = |bytes: &str, line: usize, last: bool| {
        let read = StreamOptions { part: Some(Part { line: Some(line) }), ..Default::default() };
        let mut stream = ScoreStream::new(&model, options.clone(), None, &read).unwrap();
        let header = stream.push(&text.as_bytes()[..header_end]).unwrap();
        let mut out = stream.push(bytes.as_bytes()).unwrap();
        if last {
            out.extend(stream.finish().unwrap());
        }
        (String::from_utf8(header).unwrap(), String::from_utf8(out).unwrap(), stream.summary())
    };
    let (header, first, first_summary) = part(&text[header_end..cut], 2, false);
    let get = |summary: &Value, key: &str| summary.get(key).and_then(Value::as_f64).unwrap();
    let second_line = get(&first_summary, "line") as usize;
    assert_eq!(second_line, 2 + 40 + 2, "the quoted line break counts");
    assert_eq!(get(&first_summary, "pending"), 0.0);
    assert_eq!(first_summary.get("ordinalIds"), Some(&Value::Bool(false)));
    let (_, second, second_summary) = part(&text[cut..], second_line, true);
    assert_eq!(format!("{header}{first}{second}"), whole.0);
    let errors = |summary: &Value| -> Vec<String> {
        summary.get("errors").unwrap().as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
    };
    assert_eq!([errors(&first_summary), errors(&second_summary)].concat(), errors(&whole.1));
    assert_eq!(errors(&second_summary)[0], "line 44: 2 fields, but the header has 7 columns");
    assert_eq!(get(&first_summary, "rows") + get(&second_summary, "rows"), get(&whole.1, "rows"));
    // A part cut inside a quoted line break stops before that record: `pending` bytes, from `line`.
    let inside = text.find("three").unwrap();
    let (_, _, cut_summary) = part(&text[header_end..inside], 2, false);
    assert_eq!(get(&cut_summary, "line"), 42.0);
    assert_eq!(get(&cut_summary, "pending") as usize, inside - text.find("L40,").unwrap());
    // Without an id column the ids are row ordinals, which a part cannot know.
    let no_id = rows(3, false);
    let read = StreamOptions { part: Some(Part { line: None }), ..Default::default() };
    let mut stream = ScoreStream::new(&model, options, None, &read).unwrap();
    stream.push(no_id.as_bytes()).unwrap();
    assert_eq!(stream.summary().get("ordinalIds"), Some(&Value::Bool(true)));
    assert_eq!(get(&stream.summary(), "line"), 5.0, "without a line given, the file's own numbering");
    let bad = StreamOptions::from_value(&doc(r#"{ "part": { "line": 0.5 } }"#)).unwrap_err();
    assert!(bad.to_string().contains("read.part.line"), "{bad}");
}

/// One stream restarted for each part (what each thread of the CLI does) writes and counts what a new
/// stream per part does; a header it has not seen is planned again.
#[test]
fn a_restarted_stream_scores_as_a_new_one() {
    let model = doc(TRAIT_MODEL);
    let text = rows(300, true);
    let header_end = text.find('\n').unwrap() + 1;
    let cut = header_end + text[header_end..].char_indices().filter(|&(_, c)| c == '\n').nth(120).unwrap().0 + 1;
    let options = ScoreCsvOptions { keep: vec!["Converted".into()], now: Some(0), ..Default::default() };
    let read = |line: usize| StreamOptions { part: Some(Part { line: Some(line) }), ..Default::default() };
    let score = |stream: &mut ScoreStream, bytes: &str| {
        let mut out = stream.push(&text.as_bytes()[..header_end]).unwrap();
        out.extend(stream.push(bytes.as_bytes()).unwrap());
        out.extend(stream.finish().unwrap());
        (String::from_utf8(out).unwrap(), stream.summary())
    };
    let fresh = |line: usize, bytes: &str| {
        score(&mut ScoreStream::new(&model, options.clone(), None, &read(line)).unwrap(), bytes)
    };
    let mut reused = ScoreStream::new(&model, options.clone(), None, &read(2)).unwrap();
    assert_eq!(score(&mut reused, &text[header_end..cut]), fresh(2, &text[header_end..cut]));
    reused.restart(&read(123));
    assert_eq!(score(&mut reused, &text[cut..]), fresh(123, &text[cut..]));
    // Another header: its columns are found again.
    let other = rows(20, true).replace("Lead Id,", "Key,");
    reused.restart(&StreamOptions::default());
    let mut out = reused.push(other.as_bytes()).unwrap();
    out.extend(reused.finish().unwrap());
    let mut new = ScoreStream::new(&model, options, None, &StreamOptions::default()).unwrap();
    let mut expected = new.push(other.as_bytes()).unwrap();
    expected.extend(new.finish().unwrap());
    assert_eq!(out, expected);
}
