//! CRM exports are untrusted files: any text is refused with a message or read into a rectangular
//! table that writes back to the same table; small ones also go through batch scoring and
//! calibration, which must answer with a result or an error, never a crash.
#![no_main]

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
        let _ = score_csv(&model, text, &ScoreCsvOptions { now: Some(1_763_856_000_000), ..ScoreCsvOptions::default() });
    }
    if table.rows.len() <= 60 {
        if let Some(label) = table.header.first() {
            let mut options = CalibrateOptions::new(label);
            options.folds = 2;
            let _ = calibrate(text, &options, &mut |_| {});
        }
    }
});
