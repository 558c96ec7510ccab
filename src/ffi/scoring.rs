//! Scoring exports: `validateModel`, `Model`, `Scorer`, `scoreLead`, `engineVersion`.
//! Values cross as plain JS objects (no JSON text), so a model fetched and parsed by the page,
//! or built in code, goes straight in.

use super::{error, field_error, from_js, to_js};
use crate::error::Errors;
use crate::model::ModelSet;
use crate::value::Value;
use crate::{card_to_value, engine::ScoreCard, Ingest, Scorer as CoreScorer};
use wasm_bindgen::prelude::*;

fn now_or(now: Option<f64>) -> i64 {
    match now {
        Some(n) if n.is_finite() => n as i64,
        _ => js_sys::Date::now() as i64,
    }
}

fn model_option(options: &JsValue) -> Option<String> {
    if !options.is_object() {
        return None;
    }
    js_sys::Reflect::get(options, &JsValue::from_str("model")).ok().and_then(|v| v.as_string())
}

fn card_js(card: &ScoreCard) -> JsValue {
    to_js(&card_to_value(card))
}

/// Checks a model document without throwing: `{ ok: true, models }` or `{ ok: false, errors }`.
#[wasm_bindgen(js_name = validateModel)]
pub fn validate_model(doc: JsValue) -> JsValue {
    let result = from_js(doc, "model").map_err(|_| Errors::single("", "the model must be plain JSON data"));
    let value = match result.and_then(|v| ModelSet::parse(&v)) {
        Ok(set) => Value::object(vec![
            ("ok", Value::Bool(true)),
            ("models", Value::Array(set.models.iter().map(|m| Value::String(m.name.clone())).collect())),
        ]),
        Err(errors) => Value::object(vec![
            ("ok", Value::Bool(false)),
            ("errors", Value::Array(errors.0.iter().map(|e| field_error(&e.path, &e.message)).collect())),
        ]),
    };
    to_js(&value)
}

#[wasm_bindgen(js_name = engineVersion)]
pub fn engine_version() -> String {
    crate::ENGINE_VERSION.to_string()
}

/// A validated model, for scoring many leads without re-reading the document.
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
        let chosen = set.select(name.as_deref()).map_err(|e| error(&e, "invalid options"))?;
        let selected = set.models.iter().position(|m| std::ptr::eq(m, chosen)).unwrap_or(0);
        Ok(JsModel { set, selected })
    }

    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.set.models.get(self.selected).map(|m| m.name.clone()).unwrap_or_default()
    }

    #[wasm_bindgen(getter)]
    pub fn version(&self) -> Option<String> {
        self.set.models.get(self.selected).and_then(|m| m.version.clone())
    }

    /// Scores `{ traits, events, state }` at `now` (default: the current time).
    #[wasm_bindgen(js_name = scoreLead)]
    pub fn score_lead(&self, lead: JsValue, now: Option<f64>) -> Result<JsValue, JsValue> {
        let lead = from_js(lead, "lead")?;
        let model = self.set.models.get(self.selected).ok_or_else(|| error(&Errors::single("model", "missing"), "invalid model"))?;
        crate::score_lead(model, &lead, now_or(now)).map(|c| card_js(&c)).map_err(|e| error(&e, "invalid lead"))
    }
}

/// Scores one lead against a model document in one call.
#[wasm_bindgen(js_name = scoreLead)]
pub fn score_lead(doc: JsValue, lead: JsValue, now: Option<f64>, options: JsValue) -> Result<JsValue, JsValue> {
    JsModel::new(doc, options)?.score_lead(lead, now)
}

/// One visitor: ingests events, keeps a bounded state, scores on demand.
#[wasm_bindgen(js_name = Scorer)]
pub struct JsScorer {
    inner: CoreScorer,
}

#[wasm_bindgen(js_class = Scorer)]
impl JsScorer {
    #[wasm_bindgen(constructor)]
    pub fn new(doc: JsValue, options: JsValue) -> Result<JsScorer, JsValue> {
        let doc = from_js(doc, "model")?;
        let name = model_option(&options);
        let inner = CoreScorer::new(&doc, name.as_deref()).map_err(|e| error(&e, "invalid model"))?;
        Ok(JsScorer { inner })
    }

    #[wasm_bindgen(getter, js_name = modelName)]
    pub fn model_name(&self) -> String {
        self.inner.model().map(|m| m.name.clone()).unwrap_or_default()
    }

    /// `{ accepted, duplicate, reason? }`; a rejected event never throws and never changes the state.
    pub fn ingest(&mut self, event: JsValue) -> JsValue {
        let outcome = match from_js(event, "event") {
            Ok(value) => self.inner.ingest(&value),
            Err(_) => Ingest::Rejected("event: expected plain data".to_string()),
        };
        let (accepted, duplicate, reason) = match outcome {
            Ingest::Counted => (true, false, None),
            Ingest::Duplicate => (true, true, None),
            Ingest::Rejected(reason) => (false, false, Some(reason)),
        };
        let mut entries = vec![("accepted", Value::Bool(accepted)), ("duplicate", Value::Bool(duplicate))];
        if let Some(reason) = reason {
            entries.push(("reason", Value::String(reason)));
        }
        to_js(&Value::object(entries))
    }

    /// `{ accepted, duplicates, rejected: [{ index, reason }] }`.
    #[wasm_bindgen(js_name = ingestMany)]
    pub fn ingest_many(&mut self, events: JsValue) -> Result<JsValue, JsValue> {
        let events = from_js(events, "events")?;
        let Some(list) = events.as_array() else {
            return Err(error(&Errors::single("events", format!("expected an array, got {}", events.kind())), "invalid events"));
        };
        let summary = self.inner.ingest_many(list);
        let rejected = summary
            .rejected
            .iter()
            .map(|(i, reason)| Value::object(vec![("index", Value::Number(*i as f64)), ("reason", Value::from(reason.as_str()))]))
            .collect();
        Ok(to_js(&Value::object(vec![
            ("accepted", Value::Number(f64::from(summary.accepted))),
            ("duplicates", Value::Number(f64::from(summary.duplicates))),
            ("rejected", Value::Array(rejected)),
        ])))
    }

    pub fn score(&self, now: Option<f64>) -> JsValue {
        self.inner.score(now_or(now)).map(|c| card_js(&c)).unwrap_or(JsValue::NULL)
    }

    #[wasm_bindgen(js_name = scoreAll)]
    pub fn score_all(&self, now: Option<f64>) -> JsValue {
        let cards = self.inner.score_all(now_or(now));
        to_js(&Value::Array(cards.iter().map(card_to_value).collect()))
    }

    #[wasm_bindgen(js_name = exportState)]
    pub fn export_state(&self) -> JsValue {
        to_js(&self.inner.export_state())
    }

    /// Replaces the visitor state; throws naming the bad field and keeps the current state.
    #[wasm_bindgen(js_name = importState)]
    pub fn import_state(&mut self, state: JsValue) -> Result<(), JsValue> {
        let value = from_js(state, "state")?;
        self.inner.import_state(&value).map_err(|e| error(&e, "invalid state"))
    }
}
