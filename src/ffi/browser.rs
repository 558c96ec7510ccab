//! Website tag exports (`pkg/browser/`): plain functions, one agent per page. The loader
//! (`js/browser/leadscore.js`) calls `start` once the model and the wasm are in, then forwards the
//! page API (`leadscore.track/identify/score/consent/exportState`) here. None of these throw:
//! misuse is reported through the loader's `error` event (a console error) instead.

use super::from_js;
use crate::browser::agent::{self, Agent};
use wasm_bindgen::prelude::*;

/// Starts collecting: `config` is the script tag's dataset (plus `gpcSignal`, `modelError`),
/// `model` the parsed model document (or undefined), `host` the loader's `{ guard, emit }`.
#[wasm_bindgen]
pub fn start(config: JsValue, model: JsValue, host: JsValue) -> Result<(), JsValue> {
    agent::start(config, model, host)
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
    let mut props = Some(from_js(props, "props").unwrap_or(crate::value::Value::Bool(false)));
    outcome(&mut |a| a.track(&name, props.take().unwrap_or_default()))
}

/// `leadscore.identify(traits)`.
#[wasm_bindgen]
pub fn identify(traits: JsValue) -> bool {
    let mut traits = Some(from_js(traits, "traits").unwrap_or_default());
    outcome(&mut |a| a.identify(traits.take().unwrap_or_default()))
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
