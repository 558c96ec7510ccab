//! Scoring exports: `validateModel`, `Model`, `Scorer`, `scoreLead`, `engineVersion`.
//! Values cross as plain JS objects (no JSON text), so a model fetched and parsed by the page,
//! or built in code, goes straight in.

use super::{error, field_error, from_js, to_js};
use crate::engine::{ScoreCard, Summary};
use crate::error::Errors;
use crate::model::ModelSet;
use crate::points;
use crate::state::{self, EventFields, TimedEvent};
use crate::value::Value;
use crate::{Ingest, Scorer as CoreScorer};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Typed results go straight to JS objects (no intermediate `Value`); nothing in them can fail.
fn serialize<T: Serialize + ?Sized>(value: &T) -> JsValue {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
}

#[derive(Serialize)]
struct IngestOutcome {
    accepted: bool,
    duplicate: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

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
    serialize(card)
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
        let selected = set.select_index(name.as_deref()).map_err(|e| error(&e, "invalid options"))?;
        Ok(JsModel { set, selected })
    }

    /// The selected model, for the other export files of the boundary.
    pub(crate) fn selected(&self) -> Option<&crate::model::Model> {
        self.set.models.get(self.selected)
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
        let model = self
            .set
            .models
            .get(self.selected)
            .ok_or_else(|| error(&Errors::single("model", "missing"), "invalid model"))?;
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
    /// The last summary: total, fit, engagement, stage index, qualified (1 or 0). `js/scorer.js`
    /// reads it through a view of WASM memory and builds `{ total, fit, engagement, stage, qualified }`
    /// in JS: nothing is returned through the boundary but a flag.
    summary: [f64; 5],
}

#[wasm_bindgen(js_class = Scorer)]
impl JsScorer {
    #[wasm_bindgen(constructor)]
    pub fn new(doc: JsValue, options: JsValue) -> Result<JsScorer, JsValue> {
        let doc = from_js(doc, "model")?;
        let name = model_option(&options);
        let inner = CoreScorer::new(&doc, name.as_deref()).map_err(|e| error(&e, "invalid model"))?;
        Ok(JsScorer { inner, summary: [f64::NAN; 5] })
    }

    fn keep(&mut self, summary: Option<Summary>) {
        self.summary = match summary {
            Some(s) => {
                [points(s.total), points(s.fit), points(s.engagement), s.stage as f64, f64::from(u8::from(s.qualified))]
            }
            None => [f64::NAN; 5],
        };
    }

    /// The address in WASM memory of the last summary (five numbers; see `summary`); stable for
    /// the life of this scorer.
    #[wasm_bindgen(js_name = summaryAddress)]
    pub fn summary_address(&self) -> usize {
        self.summary.as_ptr() as usize
    }

    /// The selected model's stage names, which the summary's stage index points into.
    #[wasm_bindgen(js_name = stageNames)]
    pub fn stage_names(&self) -> JsValue {
        let names = self
            .inner
            .model()
            .map(|m| m.stages.iter().map(|s| Value::from(s.name.as_str())).collect())
            .unwrap_or_default();
        to_js(&Value::Array(names))
    }

    /// Summarizes the selected model at `now` into the summary buffer: `score` without the text.
    pub fn summarize(&mut self, now: Option<f64>) {
        let summary = self.inner.summary(now_or(now));
        self.keep(summary);
    }

    /// Ingests one event, then summarizes at `now` into the summary buffer. Throws an Error naming
    /// the bad field, and keeps the state, when the event is invalid (what `ingest` reports).
    #[wasm_bindgen(js_name = trackEvent)]
    pub fn track_event(&mut self, event: JsValue, now: Option<f64>) -> Result<(), JsValue> {
        let value = from_js(event, "event")?;
        let event = TimedEvent::parse(&value, "event").map_err(|e| error(&e, "invalid event"))?;
        let summary = self.inner.track(&event, now_or(now));
        self.keep(summary);
        Ok(())
    }

    /// `trackEvent` for an event whose fields `js/scorer.js` read in JS: `kind` indexes
    /// `eventTypes()`, then the fields of that type after `type` (`eventFields(kind)`) follow in
    /// order, each as the string or the number it is, or as neither when absent. No object crosses
    /// and nothing is read back from JS. False, with the state unchanged, when a field is invalid:
    /// `trackEvent` then reports it.
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(js_name = trackFields)]
    pub fn track_fields(
        &mut self,
        kind: usize,
        now: Option<f64>,
        text1: Option<String>,
        number1: Option<f64>,
        text2: Option<String>,
        number2: Option<f64>,
        text3: Option<String>,
        number3: Option<f64>,
        text4: Option<String>,
        number4: Option<f64>,
        text5: Option<String>,
        number5: Option<f64>,
        text6: Option<String>,
        number6: Option<f64>,
    ) -> bool {
        let (Some(mut fields), Some(names)) = (EventFields::of_type(kind), state::EVENT_FIELDS.get(kind)) else {
            return false;
        };
        let values = [
            (text1, number1),
            (text2, number2),
            (text3, number3),
            (text4, number4),
            (text5, number5),
            (text6, number6),
        ]
        .map(|slot| match slot {
            (Some(text), _) => Some(Value::String(text)),
            (None, Some(number)) => Some(Value::Number(number)),
            (None, None) => None,
        });
        for (name, value) in names.iter().skip(1).zip(&values) {
            if let Some(value) = value {
                fields.set(name, value);
            }
        }
        let Ok(event) = TimedEvent::from_fields(&fields, "event") else { return false };
        let summary = self.inner.track(&event, now_or(now));
        self.keep(summary);
        true
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
        serialize(&IngestOutcome { accepted, duplicate, reason })
    }

    /// `{ accepted, duplicates, rejected: [{ index, reason }] }`.
    #[wasm_bindgen(js_name = ingestMany)]
    pub fn ingest_many(&mut self, events: JsValue) -> Result<JsValue, JsValue> {
        let events = from_js(events, "events")?;
        let Some(list) = events.as_array() else {
            return Err(error(
                &Errors::single("events", format!("expected an array, got {}", events.kind())),
                "invalid events",
            ));
        };
        let summary = self.inner.ingest_many(list);
        let rejected = summary
            .rejected
            .iter()
            .map(|(i, reason)| {
                Value::object(vec![("index", Value::Number(*i as f64)), ("reason", Value::from(reason.as_str()))])
            })
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
        serialize(&cards)
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

/// The fast path for flat leads (see `flat.rs`): the JS wrapper (`js/flat.js`) encodes leads
/// straight into this object's buffer in WASM memory, then asks for totals.
#[wasm_bindgen(js_name = FastScorer)]
pub struct JsFastScorer {
    flat: crate::flat::FlatModel,
    /// Per lead: one code per field, then one number per field.
    input: Vec<f64>,
    /// Per lead: the total.
    output: Vec<f64>,
}

#[wasm_bindgen(js_class = Model)]
impl JsModel {
    /// The fast scorer for this model, or an Error saying why the model needs the general path.
    #[wasm_bindgen(js_name = fastScorer)]
    pub fn fast_scorer(&self) -> Result<JsFastScorer, JsValue> {
        let model = self
            .set
            .models
            .get(self.selected)
            .ok_or_else(|| error(&Errors::single("model", "missing"), "invalid model"))?;
        let flat = crate::flat::FlatModel::compile(model)
            .map_err(|why| error(&Errors::single("rules", why), "no fast path for this model"))?;
        Ok(JsFastScorer { flat, input: Vec::new(), output: Vec::new() })
    }
}

#[wasm_bindgen(js_class = FastScorer)]
impl JsFastScorer {
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

/// The event types, in the order `Scorer.trackFields` numbers them.
#[wasm_bindgen(js_name = eventTypes)]
pub fn event_types() -> JsValue {
    to_js(&Value::Array(state::EVENT_TYPES.iter().map(|&t| Value::from(t)).collect()))
}

/// The fields an event of the type `eventTypes()[kind]` may have, `type` first.
#[wasm_bindgen(js_name = eventFields)]
pub fn event_fields(kind: usize) -> JsValue {
    let names = state::EVENT_FIELDS.get(kind).copied().unwrap_or_default();
    to_js(&Value::Array(names.iter().map(|&n| Value::from(n)).collect()))
}

/// The module's memory, for encoders that write into WASM buffers directly.
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}
