//! Website tag exports (`pkg/browser/`): plain functions, one agent per page. The loader
//! (`js/browser/leadscore.js`) calls `start` once the model and the wasm are in, then forwards the
//! page API (`leadscore.track/identify/score/consent/exportState`) here. None of these throw:
//! misuse is reported through the loader's `error` event (a console error) instead.

use super::plain;
use crate::browser::agent::{self, Agent};
use crate::value::Value;
use wasm_bindgen::prelude::*;

/// Starts collecting: `config` is the loader's normalised configuration (plus `modelError`, `shadowError`),
/// `model` the parsed model document (or undefined), `shadow` the shadow model's (or undefined), `host` the
/// loader's `{ emit }`.
#[wasm_bindgen]
pub fn start(config: JsValue, model: JsValue, shadow: JsValue, host: JsValue) -> Result<(), JsValue> {
    agent::start(config, model, shadow, host)
}

/// What the loader's listeners observed (`js/browser/listen.js`): see [`agent::collect`].
#[wasm_bindgen]
pub fn collect(kind: &str, data: JsValue) -> JsValue {
    agent::collect(kind, data)
}

/// Runs a page API call; a rejected one is reported as an `error` event. True when accepted.
fn outcome(call: &mut dyn FnMut(&mut Agent) -> Result<(), String>) -> bool {
    let mut accepted = false;
    agent::with(&mut |a| match call(a) {
        Ok(()) => accepted = true,
        Err(message) => a.report(message),
    });
    accepted
}

/// `leadscore.track(name, props)`.
#[wasm_bindgen]
pub fn track(name: JsValue, props: JsValue) -> bool {
    let Some(name) = name.as_string().filter(|n| !n.is_empty()) else {
        return outcome(&mut |_| Err("track(name, props): name must be a non-empty string".to_string()));
    };
    let Some(props) = plain(&props) else {
        return outcome(&mut |_| {
            Err("track(name, props): props must be plain data (not a function, symbol or bigint)".to_string())
        });
    };
    let mut props = Some(props);
    outcome(&mut |a| a.track(&name, props.take().unwrap_or_default()))
}

/// `leadscore.identify(userId?, traits?)`, in Segment's and PostHog's order (the user id is kept as the
/// trait `user_id`); `identify(traits)` works too.
#[wasm_bindgen]
pub fn identify(first: JsValue, traits: JsValue) -> bool {
    let (user_id, traits) = match (first.as_string(), first.as_f64()) {
        (Some(id), _) => (Some(id), traits),
        (None, Some(n)) => (Some(crate::json::write(&Value::Number(n))), traits),
        (None, None) => (None, first),
    };
    let Some(traits) = plain(&traits) else {
        return outcome(&mut |_| {
            Err("identify(userId, traits): traits must be plain data (not a function, symbol or bigint)".to_string())
        });
    };
    let mut call = Some((user_id, traits));
    outcome(&mut |a| {
        let (user_id, traits) = call.take().unwrap_or_default();
        a.identify(user_id, traits)
    })
}

/// `leadscore.reset()`: forgets the visitor (a new lead id, an empty state), e.g. when a user logs out.
#[wasm_bindgen]
pub fn reset() -> bool {
    agent::with(&mut Agent::reset)
}

/// `leadscore.score()`: the current score card, or null.
#[wasm_bindgen]
pub fn score() -> JsValue {
    agent::with_value(Agent::card)
}

/// `leadscore.consent(granted)`: true grants, false opts out; anything else is ignored.
#[wasm_bindgen]
pub fn consent(granted: JsValue) -> bool {
    match granted.as_bool() {
        Some(granted) => agent::with(&mut |a| a.set_consent(granted)),
        None => outcome(&mut |_| Err("consent(granted): expected true or false".to_string())),
    }
}

/// `leadscore.exportState()`: the visitor state, as the `leadscore_state` form field carries it.
#[wasm_bindgen(js_name = exportState)]
pub fn export_state() -> JsValue {
    agent::with_value(Agent::export_state)
}

/// JSON text of a plain JS value, written by the wasm: the loader stores its outbox with this, since
/// the page's `JSON` may be replaced or patched (see `crate::json`). Undefined for what is not plain data.
#[wasm_bindgen(js_name = toJson)]
pub fn to_json(value: JsValue) -> Option<String> {
    plain(&value).map(|value| crate::json::write(&value))
}

/// The value of a JSON text, read by the wasm; undefined when it is not JSON.
#[wasm_bindgen(js_name = fromJson)]
pub fn from_json(text: &str) -> JsValue {
    crate::json::parse(text).map_or(JsValue::UNDEFINED, |value| super::to_js(&value))
}
