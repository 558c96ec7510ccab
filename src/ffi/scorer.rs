//! The `Scorer` class: one visitor, whose events are ingested into a bounded state and scored on demand;
//! beside it `eventTypes` and `eventFields`, which number the event types and fields of `trackFields`.

use super::{error, field_errors, from_js, model_option, now_or, serialize, to_js};
use crate::engine::Summary;
use crate::error::Errors;
use crate::points;
use crate::state::{self, EventFields, TimedEvent};
use crate::value::Value;
use crate::{Ingest, Scorer as CoreScorer};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// What `ingest` answers for a counted or duplicate event (a struct: serde-wasm-bindgen caches its keys).
#[derive(Serialize)]
struct IngestOutcome {
    accepted: bool,
    duplicate: bool,
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
        let (Some(mut fields), Some(names)) = (EventFields::of_type(kind), state::fields_of_type(kind)) else {
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

    /// `{ accepted, duplicate }`, or `{ accepted: false, duplicate: false, errors: [{ path, message }] }`:
    /// a rejected event never throws and never changes the state.
    pub fn ingest(&mut self, event: JsValue) -> JsValue {
        let outcome = match from_js(event, "event") {
            Ok(value) => self.inner.ingest(&value),
            Err(_) => Ingest::Rejected(Errors::single("event", "expected plain data")),
        };
        match outcome {
            Ingest::Counted => serialize(&IngestOutcome { accepted: true, duplicate: false }),
            Ingest::Duplicate => serialize(&IngestOutcome { accepted: true, duplicate: true }),
            Ingest::Rejected(errors) => to_js(&Value::object(vec![
                ("accepted", Value::Bool(false)),
                ("duplicate", Value::Bool(false)),
                ("errors", field_errors(&errors)),
            ])),
        }
    }

    /// `{ accepted, duplicates, rejected: [{ index, errors: [{ path, message }] }] }`.
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
            .map(|(i, errors)| {
                Value::object(vec![("index", Value::Number(*i as f64)), ("errors", field_errors(errors))])
            })
            .collect();
        Ok(to_js(&Value::object(vec![
            ("accepted", Value::Number(f64::from(summary.accepted))),
            ("duplicates", Value::Number(f64::from(summary.duplicates))),
            ("rejected", Value::Array(rejected)),
        ])))
    }

    pub fn score(&self, now: Option<f64>) -> JsValue {
        self.inner.score(now_or(now)).map(|c| serialize(&c)).unwrap_or(JsValue::NULL)
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

/// The event types, in the order `Scorer.trackFields` numbers them.
#[wasm_bindgen(js_name = eventTypes)]
pub fn event_types() -> JsValue {
    to_js(&Value::Array(state::event_types().map(Value::from).collect()))
}

/// The fields an event of the type `eventTypes()[kind]` may have, `type` first.
#[wasm_bindgen(js_name = eventFields)]
pub fn event_fields(kind: usize) -> JsValue {
    let names = state::fields_of_type(kind).unwrap_or_default();
    to_js(&Value::Array(names.iter().map(|&n| Value::from(n)).collect()))
}
