//! Edge exports: `formTraits`, the reading of a submission's fields, and `scoreSubmission`, the scoring
//! half of `qualify` in `leadscore/edge`. Neither throws: a malformed submission comes back as
//! `{ ok: false, errors }`, so the edge function can answer 400 naming the field instead of failing the request.

use super::model::JsModel;
use super::{field_errors, from_js, serialize, to_js};
use crate::engine::ScoreCard;
use crate::error::Errors;
use crate::value::Value;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[derive(Serialize)]
struct Scored<'a> {
    ok: bool,
    card: &'a ScoreCard,
    clamped: &'a [String],
}

fn refused(errors: &Errors) -> JsValue {
    to_js(&Value::object(vec![("ok", Value::Bool(false)), ("errors", field_errors(errors))]))
}

/// The traits of a submission's allow-listed fields, given as `[{ field, trait, type, value }]` and each
/// read as its declared type (`form::coerce`): `{ ok: true, traits }` or `{ ok: false, errors }` by field.
#[wasm_bindgen(js_name = formTraits)]
pub fn form_traits(fields: JsValue) -> JsValue {
    let Ok(fields) = from_js(fields, "fields") else {
        return refused(&Errors::single("fields", "expected plain data"));
    };
    match crate::form::traits(&fields) {
        Ok(traits) => to_js(&Value::object(vec![("ok", Value::Bool(true)), ("traits", traits)])),
        Err(errors) => refused(&errors),
    }
}

/// Scores `{ state?, traits?, form?, form_id? }` at `now` with the client's state clamped to what
/// is physically possible: `{ ok: true, card, clamped: [notes] }` or `{ ok: false, errors }`.
#[wasm_bindgen(js_name = scoreSubmission)]
pub fn score_submission(model: &JsModel, submission: JsValue, now: f64) -> JsValue {
    let Some(selected) = model.selected() else {
        return refused(&Errors::single("model", "missing"));
    };
    if !now.is_finite() {
        return refused(&Errors::single("now", "expected milliseconds since the Unix epoch"));
    }
    let submission = match from_js(submission, "submission") {
        Ok(value) => value,
        Err(_) => return refused(&Errors::single("submission", "expected plain data")),
    };
    match crate::sanitize::score_submission(selected, &submission, now as i64) {
        Ok(scored) => serialize(&Scored { ok: true, card: &scored.card, clamped: &scored.clamped }),
        Err(errors) => refused(&errors),
    }
}
