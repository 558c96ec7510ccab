//! Calibration exports: `calibrate`, `scoreCsv`, `funnel`. CSV crosses as text (one copy into
//! wasm memory); options and results as plain objects.

use super::{error, from_js, to_js};
use crate::calibrate::stream::Streamed;
use crate::calibrate::{self, CalibrateOptions, FunnelOptions, Progress, ScoreCsvOptions};
use crate::value::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The options without `key` (a function cannot cross as data), and that key's function if any.
fn split_callback(options: &JsValue, key: &str) -> (JsValue, Option<js_sys::Function>) {
    if !options.is_object() {
        return (options.clone(), None);
    }
    let name = JsValue::from_str(key);
    let callback = js_sys::Reflect::get(options, &name).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let copy = js_sys::Object::assign(&js_sys::Object::new(), options.unchecked_ref());
    // Deleting from a fresh plain object cannot fail.
    let _ = js_sys::Reflect::delete_property(&copy, &name);
    (copy.into(), callback)
}

/// Learns a model from a CSV of past leads: `{ model, report }`. `options.onProgress({ step,
/// steps, message })` is called between steps (a worker can post it to the page).
#[wasm_bindgen]
pub fn calibrate(csv_text: &str, options: JsValue) -> Result<JsValue, JsValue> {
    let (plain, on_progress) = split_callback(&options, "onProgress");
    let value = from_js(plain, "options")?;
    let options = CalibrateOptions::from_value(&value).map_err(|e| error(&e, "invalid options"))?;
    let mut progress = |p: Progress<'_>| {
        if let Some(callback) = &on_progress {
            let event = Value::object(vec![
                ("step", Value::Number(p.step as f64)),
                ("steps", Value::Number(p.steps as f64)),
                ("message", Value::from(p.message)),
            ]);
            // A throwing progress callback must not abort the calibration.
            let _ = callback.call1(&JsValue::NULL, &to_js(&event));
        }
    };
    let result = calibrate::calibrate(csv_text, &options, &mut progress).map_err(|e| error(&e, "calibrate"))?;
    Ok(to_js(&Value::object(vec![("model", result.model), ("report", result.report)])))
}

/// Scores every row of a CSV with a model document; returns CSV text with the columns
/// `id,score,stage,qualified,fit,engagement,breakdown` (then `options.keep`).
#[wasm_bindgen(js_name = scoreCsv)]
pub fn score_csv(doc: JsValue, csv_text: &str, options: JsValue) -> Result<String, JsValue> {
    let doc = from_js(doc, "model")?;
    let mut options =
        ScoreCsvOptions::from_value(&from_js(options, "options")?).map_err(|e| error(&e, "invalid options"))?;
    options.now = options.now.or(Some(js_sys::Date::now() as i64));
    calibrate::score_csv(&doc, csv_text, &options).map_err(|e| error(&e, "scoreCsv"))
}

/// Funnel metrics from a CSV of scored leads with outcomes.
#[wasm_bindgen]
pub fn funnel(csv_text: &str, options: JsValue) -> Result<JsValue, JsValue> {
    let options = FunnelOptions::from_value(&from_js(options, "options")?).map_err(|e| error(&e, "invalid options"))?;
    calibrate::funnel(csv_text, &options).map(|report| to_js(&report)).map_err(|e| error(&e, "funnel"))
}

/// `score` over a file of any size: `push(bytes)` returns the output (UTF-8 bytes) of every row
/// the bytes complete, `finish()` the last rows, `summary()` the counts and bad-row messages.
/// CSV output is written by `score_stream` (the output columns can be chosen), JSON Lines by
/// `calibrate::stream`.
#[wasm_bindgen(js_name = ScoreStream)]
pub struct JsScoreStream(ScoreOutput);

/// One stream lives per call of the CLI: boxed so the enum is one pointer wide.
enum ScoreOutput {
    Csv(Box<crate::score_stream::ScoreStream>),
    Jsonl(Box<calibrate::stream::ScoreStream>),
}

#[wasm_bindgen(js_class = ScoreStream)]
impl JsScoreStream {
    /// `options` as for `scoreCsv`, plus `fields`: the output columns (CSV only; default all);
    /// `read`: `{ delimiter, encoding, format, onError }`.
    #[wasm_bindgen(constructor)]
    pub fn new(doc: JsValue, options: JsValue, read: JsValue) -> Result<JsScoreStream, JsValue> {
        let doc = from_js(doc, "model")?;
        let mut options = from_js(options, "options")?;
        let fields = take_fields(&mut options)?;
        let mut options = ScoreCsvOptions::from_value(&options).map_err(|e| error(&e, "invalid options"))?;
        options.now = options.now.or(Some(js_sys::Date::now() as i64));
        let read = calibrate::stream::StreamOptions::from_value(&from_js(read, "read")?)
            .map_err(|e| error(&e, "invalid options"))?;
        let output = if read.jsonl {
            if fields.is_some() {
                let why = "output columns are chosen for CSV output only (JSON Lines has them all)";
                return Err(error(&crate::error::Errors::single("options.fields", why), "invalid options"));
            }
            calibrate::stream::ScoreStream::new(&doc, options, &read).map(|s| ScoreOutput::Jsonl(Box::new(s)))
        } else {
            crate::score_stream::ScoreStream::new(&doc, options, fields.as_deref(), &read)
                .map(|s| ScoreOutput::Csv(Box::new(s)))
        };
        output.map(JsScoreStream).map_err(|e| error(&e, "score"))
    }

    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<u8>, JsValue> {
        match &mut self.0 {
            ScoreOutput::Csv(stream) => stream.push(bytes),
            ScoreOutput::Jsonl(stream) => stream.push(bytes),
        }
        .map_err(|e| error(&e, "score"))
    }

    pub fn finish(&mut self) -> Result<Vec<u8>, JsValue> {
        match &mut self.0 {
            ScoreOutput::Csv(stream) => stream.finish(),
            ScoreOutput::Jsonl(stream) => stream.finish(),
        }
        .map_err(|e| error(&e, "score"))
    }

    /// Ready for another input with the same model, options and columns (`read` as for the
    /// constructor; CSV output only): the CLI scores the parts of a file on one stream per thread.
    pub fn restart(&mut self, read: JsValue) -> Result<(), JsValue> {
        let read = calibrate::stream::StreamOptions::from_value(&from_js(read, "read")?)
            .map_err(|e| error(&e, "invalid options"))?;
        match &mut self.0 {
            ScoreOutput::Csv(stream) if !read.jsonl => {
                stream.restart(&read);
                Ok(())
            }
            _ => {
                Err(error(&crate::error::Errors::single("read.format", "restart is for CSV output"), "invalid options"))
            }
        }
    }

    pub fn summary(&self) -> JsValue {
        to_js(&match &self.0 {
            ScoreOutput::Csv(stream) => stream.summary(),
            ScoreOutput::Jsonl(stream) => stream.summary(),
        })
    }
}

/// Removes `fields` (an array of column names) from the options, for `ScoreCsvOptions` to read the rest.
fn take_fields(options: &mut Value) -> Result<Option<Vec<String>>, JsValue> {
    let Value::Object(entries) = options else { return Ok(None) };
    let Some(at) = entries.iter().position(|(key, _)| key == "fields") else { return Ok(None) };
    let (_, value) = entries.remove(at);
    let names = match &value {
        Value::Null => return Ok(None),
        Value::Array(items) => items.iter().map(|item| item.as_str().map(str::to_string)).collect::<Option<Vec<_>>>(),
        _ => None,
    };
    names.map(Some).ok_or_else(|| {
        error(&crate::error::Errors::single("options.fields", "expected an array of column names"), "invalid options")
    })
}

/// Champion / challenger over a file of any size: `push(bytes)` returns, when `listChanges` is
/// set, the CSV rows of leads whose stage changes; `report()` the side-by-side report.
#[wasm_bindgen(js_name = CompareStream)]
pub struct JsCompareStream(calibrate::compare::CompareStream);

#[wasm_bindgen(js_class = CompareStream)]
impl JsCompareStream {
    /// `options`: `{ label, id?, listChanges? }`; `read` as for `ScoreStream`.
    #[wasm_bindgen(constructor)]
    pub fn new(doc_a: JsValue, doc_b: JsValue, options: JsValue, read: JsValue) -> Result<JsCompareStream, JsValue> {
        let (doc_a, doc_b) = (from_js(doc_a, "model a")?, from_js(doc_b, "model b")?);
        let options = from_js(options, "options")?;
        let text = |key: &str| options.get(key).and_then(Value::as_str).map(str::to_string);
        let Some(label) = text("label") else {
            return Err(error(
                &crate::error::Errors::single("options.label", "required: the column holding the outcome"),
                "invalid options",
            ));
        };
        let list_changes = matches!(options.get("listChanges"), Some(Value::Bool(true)));
        let read = calibrate::stream::StreamOptions::from_value(&from_js(read, "read")?)
            .map_err(|e| error(&e, "invalid options"))?;
        calibrate::compare::CompareStream::new(&doc_a, &doc_b, &label, text("id"), list_changes, &read)
            .map(JsCompareStream)
            .map_err(|e| error(&e, "compare"))
    }

    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<u8>, JsValue> {
        self.0.push(bytes).map_err(|e| error(&e, "compare"))
    }

    pub fn finish(&mut self) -> Result<Vec<u8>, JsValue> {
        self.0.finish().map_err(|e| error(&e, "compare"))
    }

    pub fn summary(&self) -> JsValue {
        to_js(&self.0.summary())
    }

    pub fn report(&self) -> Result<JsValue, JsValue> {
        self.0.report().map(|r| to_js(&r)).map_err(|e| error(&e, "compare"))
    }
}

/// `funnel` over a file of any size: `push(bytes)` for each chunk (returns nothing to write),
/// `finish()`, then `report()` (as `funnel` gives it) and `summary()` (rows, bad rows).
#[wasm_bindgen(js_name = FunnelStream)]
pub struct JsFunnelStream(calibrate::FunnelStream);

#[wasm_bindgen(js_class = FunnelStream)]
impl JsFunnelStream {
    /// `options` as for `funnel`; `read` as for `ScoreStream` (its `format` is not used).
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue, read: JsValue) -> Result<JsFunnelStream, JsValue> {
        let options =
            FunnelOptions::from_value(&from_js(options, "options")?).map_err(|e| error(&e, "invalid options"))?;
        let read = calibrate::stream::StreamOptions::from_value(&from_js(read, "read")?)
            .map_err(|e| error(&e, "invalid options"))?;
        calibrate::FunnelStream::new(options, &read).map(JsFunnelStream).map_err(|e| error(&e, "funnel"))
    }

    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<u8>, JsValue> {
        self.0.push(bytes).map_err(|e| error(&e, "funnel"))
    }

    pub fn finish(&mut self) -> Result<Vec<u8>, JsValue> {
        self.0.finish().map_err(|e| error(&e, "funnel"))
    }

    pub fn summary(&self) -> JsValue {
        to_js(&self.0.summary())
    }

    pub fn report(&mut self) -> Result<JsValue, JsValue> {
        self.0.report().map(|r| to_js(&r)).map_err(|e| error(&e, "funnel"))
    }
}

/// A uniform sample of the rows of input of any size (what `calibrate` learns from when the file
/// is larger than it holds): `push(bytes)`, `finish()`, then `text()` (CSV, file order) and `summary()`.
#[wasm_bindgen(js_name = SampleStream)]
pub struct JsSampleStream(calibrate::sample::SampleStream);

#[wasm_bindgen(js_class = SampleStream)]
impl JsSampleStream {
    #[wasm_bindgen(constructor)]
    pub fn new(size: u32, seed: u32, read: JsValue) -> Result<JsSampleStream, JsValue> {
        let read = calibrate::stream::StreamOptions::from_value(&from_js(read, "read")?)
            .map_err(|e| error(&e, "invalid options"))?;
        Ok(JsSampleStream(calibrate::sample::SampleStream::new(size as usize, u64::from(seed), &read)))
    }

    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<u8>, JsValue> {
        self.0.push(bytes).map_err(|e| error(&e, "calibrate"))
    }

    pub fn finish(&mut self) -> Result<Vec<u8>, JsValue> {
        self.0.finish().map_err(|e| error(&e, "calibrate"))
    }

    pub fn text(&mut self) -> String {
        self.0.text()
    }

    pub fn summary(&self) -> JsValue {
        to_js(&self.0.summary())
    }
}
