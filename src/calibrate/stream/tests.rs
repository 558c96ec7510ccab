use super::test_data::{doc, rows, TRAIT_MODEL};
use super::*;
use crate::calibrate::score_csv;

fn streamed(
    doc: &Value,
    text: &[u8],
    chunk: usize,
    options: &ScoreCsvOptions,
    read: &StreamOptions,
) -> (String, Value) {
    let mut stream = ScoreStream::new(doc, options.clone(), read).unwrap();
    let mut out = Vec::new();
    for piece in text.chunks(chunk) {
        out.extend(stream.push(piece).unwrap());
    }
    out.extend(stream.finish().unwrap());
    (String::from_utf8(out).unwrap(), stream.summary())
}

#[test]
fn streamed_rows_equal_the_in_memory_scores_on_both_paths() {
    let text = rows(2000, true);
    let options = ScoreCsvOptions { keep: vec!["Converted".into()], now: Some(0), ..Default::default() };
    let trait_doc = doc(TRAIT_MODEL);
    let whole = score_csv(&trait_doc, &text, &options).unwrap();
    for chunk in [7, 1000, 1 << 20] {
        let (out, summary) = streamed(&trait_doc, text.as_bytes(), chunk, &options, &StreamOptions::default());
        assert_eq!(out, whole, "chunks of {chunk}");
        let fast = summary.get("fast").and_then(Value::as_f64).unwrap();
        let general = summary.get("general").and_then(Value::as_f64).unwrap();
        assert_eq!(fast + general, 2000.0);
        assert_eq!(summary.get("rows").and_then(Value::as_f64), Some(2000.0));
        assert!(fast >= 500.0 && general > 0.0, "both paths used: {fast} fast, {general} general");
    }
    // A rule that is not a trait rule: every row on the general path, the same output.
    let general_doc =
        doc(&TRAIT_MODEL.replace(r#"{ "trait": "City", "exists": true }"#, r#"{ "email_domain": { "free": true } }"#));
    let whole = score_csv(&general_doc, &text, &options).unwrap();
    let (out, summary) = streamed(&general_doc, text.as_bytes(), 4096, &options, &StreamOptions::default());
    assert_eq!(out, whole);
    assert_eq!(summary.get("fast").and_then(Value::as_f64), Some(0.0));
}

#[test]
fn bad_rows_are_skipped_with_their_line_or_fail() {
    let text = "Lead Id,Origin,Visits\nA,api,3\nB,api\nC,\"x\"y,4\nD,\"two\nlines\",5\nE,form,1,extra\nF,api,9\n";
    let d = doc(TRAIT_MODEL);
    let (out, summary) = streamed(&d, text.as_bytes(), 5, &ScoreCsvOptions::default(), &StreamOptions::default());
    let ids: Vec<&str> = out.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(ids, ["A", "D", "F"]);
    assert_eq!(summary.get("bad").and_then(Value::as_f64), Some(3.0));
    let errors: Vec<&str> =
        summary.get("errors").unwrap().as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(
        errors,
        [
            "line 3: 2 fields, but the header has 3 columns",
            "line 4, field 2: text after the closing quote (a quote inside a quoted field is written \"\")",
            "line 7: 4 fields, but the header has 3 columns"
        ]
    );
    let fail = StreamOptions { fail_on_error: true, ..Default::default() };
    let mut stream = ScoreStream::new(&d, ScoreCsvOptions::default(), &fail).unwrap();
    let e = stream.push(text.as_bytes()).unwrap_err().to_string();
    assert_eq!(e, "csv: line 3: 2 fields, but the header has 3 columns");
}

#[test]
fn jsonl_output_semicolons_and_header_errors() {
    let d = doc(TRAIT_MODEL);
    let read = StreamOptions { jsonl: true, ..Default::default() };
    let options = ScoreCsvOptions { keep: vec!["Note".into()], ..Default::default() };
    let (out, _) = streamed(&d, "id;Origin;Visits;Note\n1;api;5;\"say \"\"hi\"\"\"\n".as_bytes(), 3, &options, &read);
    assert_eq!(
        out,
        "{\"id\":\"1\",\"score\":15,\"fit\":-10,\"engagement\":25,\"stage\":\"new\",\"qualified\":false,\"breakdown\":{\"api\":30,\"visits\":25,\"no-news\":-40},\"Note\":\"say \\\"hi\\\"\"}\n"
    );
    let e = ScoreStream::new(&d, ScoreCsvOptions::default(), &StreamOptions::default())
        .unwrap()
        .push(b"a,b\n1,2\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("none of the columns the model reads"), "{e}");
    let mut empty = ScoreStream::new(&d, ScoreCsvOptions::default(), &StreamOptions::default()).unwrap();
    assert!(empty.finish().unwrap_err().to_string().contains("the file is empty"));
    let bad = StreamOptions::from_value(&doc(
        r#"{ "delimiter": "x", "encoding": "koi8", "format": "xml", "onError": "shrug" }"#,
    ))
    .unwrap_err();
    assert_eq!(bad.0.len(), 4, "{bad}");
}

#[test]
fn whole_numbers_read_as_the_engine_reads_them() {
    for text in ["0", "7", "007", "123456789012345", "999999999999999"] {
        assert_eq!(whole_number(text), crate::read::parse_decimal(text), "{text}");
    }
    for text in ["", "1.5", "-2", "1,000", "1234567890123456", " 7"] {
        assert_eq!(whole_number(text), None, "{text}");
    }
}

#[test]
fn centi_numbers_are_written_as_fmt_centi_writes_them() {
    for c in [0, 5, -5, 10, 50, 99, 100, 105, 150, -150, 1234567, -100_000, i64::MAX, i64::MIN + 1] {
        let mut out = String::from("x");
        push_centi(&mut out, c);
        assert_eq!(out, format!("x{}", fmt_centi(c)), "{c}");
    }
}
