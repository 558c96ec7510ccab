//! The `Model` class (a validated model, for scoring many leads without re-reading the document) and
//! the one-call functions beside it: `validateModel`, `scoreLead`, `engineVersion`. Values cross as
//! plain JS objects (no JSON text), so a model fetched and parsed by the page, or built in code, goes
//! straight in.

use super::flat_scorer::JsFlatScorer;
use super::{error, field_errors, from_js, model_option, now_or, serialize, to_js};
use crate::error::Errors;
use crate::model::{Model, ModelSet};
use crate::value::Value;
use wasm_bindgen::prelude::*;

/// Checks a model document without throwing: `{ ok: true, models }` or `{ ok: false, errors }`.
#[wasm_bindgen(js_name = validateModel)]
pub fn validate_model(doc: JsValue) -> JsValue {
    let result = from_js(doc, "model").map_err(|_| Errors::single("", "the model must be plain JSON data"));
    let value = match result.and_then(|v| ModelSet::parse(&v)) {
        Ok(set) => Value::object(vec![
            ("ok", Value::Bool(true)),
            ("models", Value::Array(set.models.iter().map(|m| Value::String(m.name.clone())).collect())),
        ]),
        Err(errors) => Value::object(vec![("ok", Value::Bool(false)), ("errors", field_errors(&errors))]),
    };
    to_js(&value)
}

#[wasm_bindgen(js_name = engineVersion)]
pub fn engine_version() -> String {
    crate::ENGINE_VERSION.to_string()
}

/// Scores one lead against a model document in one call.
#[wasm_bindgen(js_name = scoreLead)]
pub fn score_lead(doc: JsValue, lead: JsValue, now: Option<f64>, options: JsValue) -> Result<JsValue, JsValue> {
    JsModel::new(doc, options)?.score_lead(lead, now)
}

#[wasm_bindgen(js_name = Model)]
pub struct JsModel {
    set: ModelSet,
    selected: usize,
}

#[wasm_bindgen(js_class = Model)]
impl JsModel {
    #[wasm_bindgen(constructor)]
    pub fn new(doc: JsValue, options: JsValue) -> Result<JsModel, JsValue> {
        let doc = from_js(doc, "model")?;
        let set = ModelSet::parse(&doc).map_err(|e| error(&e, "invalid model"))?;
        let name = model_option(&options);
        let selected = set.select_index(name.as_deref()).map_err(|e| error(&e, "invalid options"))?;
        Ok(JsModel { set, selected })
    }

    /// The selected model, for the other export files of the boundary.
    pub(crate) fn selected(&self) -> Option<&Model> {
        self.set.models.get(self.selected)
    }

    fn model(&self) -> Result<&Model, JsValue> {
        self.selected().ok_or_else(|| error(&Errors::single("model", "missing"), "invalid model"))
    }

    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.selected().map(|m| m.name.clone()).unwrap_or_default()
    }

    #[wasm_bindgen(getter)]
    pub fn version(&self) -> Option<String> {
        self.selected().and_then(|m| m.version.clone())
    }

    /// Scores `{ traits, events, state }` at `now` (default: the current time).
    #[wasm_bindgen(js_name = scoreLead)]
    pub fn score_lead(&self, lead: JsValue, now: Option<f64>) -> Result<JsValue, JsValue> {
        let lead = from_js(lead, "lead")?;
        let card = crate::score_lead(self.model()?, &lead, now_or(now)).map_err(|e| error(&e, "invalid lead"))?;
        Ok(serialize(&card))
    }

    /// The fast scorer for this model, or an Error saying why the model needs the general path.
    #[wasm_bindgen(js_name = flatScorer)]
    pub fn flat_scorer(&self) -> Result<JsFlatScorer, JsValue> {
        JsFlatScorer::compile(self.model()?)
    }
}
