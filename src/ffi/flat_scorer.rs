//! The `FlatScorerCore` class, the fast path for flat leads (see `flat/`): the JS wrapper (`js/flat.js`)
//! encodes leads straight into this object's buffer in WASM memory, then asks for totals.

use super::{error, to_js};
use crate::error::Errors;
use crate::flat::FlatModel;
use crate::model::Model;
use crate::value::Value;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(js_name = FlatScorerCore)]
pub struct JsFlatScorer {
    flat: FlatModel,
    /// Per lead: one code per field, then one number per field.
    input: Vec<f64>,
    /// Per lead: the total.
    output: Vec<f64>,
}

#[wasm_bindgen(js_class = FlatScorerCore)]
impl JsFlatScorer {
    /// `Model.flatScorer()`: the fast scorer for `model`, or an Error saying why it needs the general path.
    pub(crate) fn compile(model: &Model) -> Result<JsFlatScorer, JsValue> {
        let flat = FlatModel::compile(model)
            .map_err(|why| error(&Errors::single("rules", why), "no fast path for this model"))?;
        Ok(JsFlatScorer { flat, input: Vec::new(), output: Vec::new() })
    }

    /// `{ fields, texts, unknownOk }`: what the encoder needs.
    pub fn layout(&self) -> JsValue {
        let strings = |list: &[String]| Value::Array(list.iter().map(|s| Value::from(s.as_str())).collect());
        to_js(&Value::object(vec![
            ("fields", strings(&self.flat.fields)),
            ("texts", strings(&self.flat.texts)),
            ("unknownOk", Value::Array(self.flat.unknown_ok.iter().map(|b| Value::Bool(*b)).collect())),
        ]))
    }

    /// Makes room for `leads` encoded leads; returns the input buffer's address in WASM memory
    /// (valid until the next call to reserve, which may move it).
    pub fn reserve(&mut self, leads: usize) -> usize {
        let width = 2 * self.flat.fields.len();
        let leads = leads.clamp(1, 1 << 20);
        self.input.resize(leads * width, 0.0);
        self.output.resize(leads, 0.0);
        self.input.as_ptr() as usize
    }

    /// The output buffer's address (totals of the last `scoreBatch`).
    #[wasm_bindgen(js_name = outputAddress)]
    pub fn output_address(&self) -> usize {
        self.output.as_ptr() as usize
    }

    /// The total of the first lead in the buffer.
    pub fn score(&self) -> f64 {
        let n = self.flat.fields.len();
        let codes = self.input.get(..n).unwrap_or(&[]);
        let numbers = self.input.get(n..2 * n).unwrap_or(&[]);
        self.flat.score(codes, numbers) as f64 / 100.0
    }

    /// Scores the first `leads` leads in the buffer into the output buffer.
    #[wasm_bindgen(js_name = scoreBatch)]
    pub fn score_batch(&mut self, leads: usize) {
        let n = self.flat.fields.len();
        let width = 2 * n;
        for (i, out) in self.output.iter_mut().enumerate().take(leads) {
            let row = self.input.get(i * width..(i + 1) * width).unwrap_or(&[]);
            let (codes, numbers) = row.split_at(row.len().min(n));
            *out = self.flat.score(codes, numbers) as f64 / 100.0;
        }
    }
}
