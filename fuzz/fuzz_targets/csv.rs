//! CRM exports are untrusted files: any text is refused with a message or read into a rectangular
//! table that writes back to the same table; small ones also go through batch scoring and
//! calibration, which must answer with a result or an error, never a crash. Streamed in two
//! chunks split anywhere, a file that reads whole scores to the same text.
#![no_main]

use leadscore::calibrate::stream::{ScoreStream, StreamOptions, Streamed};
use leadscore::calibrate::{calibrate, score_csv, CalibrateOptions, ScoreCsvOptions};
use leadscore::csv;
use leadscore::value::Value;
use libfuzzer_sys::fuzz_target;

const MODEL: &str = r#"{"name":"c","rules":[{"id":"a","points":10,"when":{"trait":"a","at_least":1}},
  {"id":"b","points":5,"when":{"trait":"b","one_of":["yes","x"]}}]}"#;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(table) = csv::parse(text) else { return };
    assert!(table.rows.iter().all(|row| row.len() == table.header.len()), "ragged table accepted");
    let mut written = String::new();
    csv::write_row(&mut written, &table.header);
    for row in &table.rows {
        csv::write_row(&mut written, row);
    }
    let again = csv::parse(&written).unwrap_or_else(|e| panic!("written table does not read back: {e}"));
    assert_eq!(again.header, table.header);
    assert_eq!(again.rows, table.rows);
    if let Ok(model) = serde_json::from_str::<Value>(MODEL) {
        let options = ScoreCsvOptions { now: Some(1_763_856_000_000), ..ScoreCsvOptions::default() };
        let whole = score_csv(&model, text, &options);
        let fail = StreamOptions { fail_on_error: true, ..StreamOptions::default() };
        if let (Ok(whole), Ok(mut stream)) = (whole, ScoreStream::new(&model, options, &fail)) {
            let split = usize::from(data.first().copied().unwrap_or(0)) * data.len() / 256;
            let (a, b) = data.split_at(split.min(data.len()));
            let mut out = stream.push(a).unwrap_or_else(|e| panic!("streamed: {e}"));
            out.extend(stream.push(b).unwrap_or_else(|e| panic!("streamed: {e}")));
            out.extend(stream.finish().unwrap_or_else(|e| panic!("streamed: {e}")));
            assert_eq!(String::from_utf8_lossy(&out), whole, "streamed and whole differ");
        }
    }
    if table.rows.len() <= 60 {
        if let Some(label) = table.header.first() {
            let mut options = CalibrateOptions::new(label);
            options.folds = 2;
            let _ = calibrate(text, &options, &mut |_| {});
        }
    }
});
