//! The tag at run time (wasm32 with the `browser` feature): what the loader's listeners observe
//! (`js/browser/listen.js`: page views, clicks, forms, engaged time, scroll depth) becomes core
//! events here, under the tag's policies (which form fields, which links are downloads, which URL
//! parts are kept); the visitor state is kept in localStorage, and a lead that qualifies is handed to
//! the loader's outbox once per stage (`_send`), which delivers it.
//!
//! The agent sits in a `RefCell`; a re-entrant call finds it busy and is dropped instead of
//! panicking, and page callbacks run only after the agent is released.

use super::config::Config;
use super::fields::{self, Control};
use super::payload::{self, MAX_BODY_BYTES};
use super::store::{self, journal_from_value, journal_json, Entry, Envelope, JOURNAL_PREFIX, KEY, OPT_OUT_KEY};
use super::urls;
use crate::engine;
use crate::ffi::{plain, to_js};
use crate::json;
use crate::model::{Model, ModelSet};
use crate::state::{TimedEvent, VisitorState};
use crate::value::Value;
use js_sys::{Array, Function, Reflect};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Storage;

mod observe;
mod storage;

pub(crate) use observe::collect;
use storage::*;

/// Events kept while consent is pending, replayed into the stored state once it is given.
const MAX_PENDING: usize = 200;
/// The last valid model document, so a broken or unreachable new model does not stop scoring
/// (stored with the visitor's data, so only with consent, and erased with it on opt-out).
const MODEL_KEY: &str = "leadscore:model";
/// A journal entry is kept this long after the stored state holds it (another tab may still
/// overwrite that state with an older one it read before), and at most this many entries.
const JOURNAL_KEEP_MS: f64 = 10_000.0;
const MAX_JOURNAL: usize = 128;
/// Storage keys looked at for other tabs' journals (a page's own keys share the storage).
const MAX_SCANNED: u32 = 1_000;

thread_local! {
    static AGENT: RefCell<Option<Agent>> = const { RefCell::new(None) };
}

pub(crate) struct Agent {
    config: Config,
    model: Option<Model>,
    /// A challenger scored beside the model and reported in the payload (`shadow`), never deciding.
    shadow: Option<Model>,
    /// The model document as JSON text when it was valid, to keep under [`MODEL_KEY`].
    model_json: Option<String>,
    state: VisitorState,
    env: Envelope,
    /// Present when the visitor's data may be persisted and storage is reachable.
    storage: Option<Storage>,
    /// The stored text as last read or written; anything else there was written by another tab.
    seen: Option<String>,
    /// The last write failed (storage full or throwing): memory holds the newest state.
    dirty: bool,
    /// This tab's id, its last journal sequence number and its journal's entries (see `store`).
    tab: String,
    seq: u32,
    journal: Vec<Entry>,
    /// Data may be stored and sent.
    consent: bool,
    /// Opted out: nothing is collected.
    off: bool,
    pending: Vec<Value>,
    emit: Function,
    /// Events for the page, emitted once the agent is released.
    out: Vec<(&'static str, JsValue)>,
    /// The current page's path as the state keys it, and its URL without query (for the payload).
    page: String,
    url: String,
    /// Rank of the highest stage announced to the page (`qualified` event) during this page load.
    announced: i64,
}

fn now() -> f64 {
    js_sys::Date::now()
}

fn random_id() -> String {
    let mut id = String::with_capacity(32);
    for _ in 0..4 {
        let n = (js_sys::Math::random() * 4_294_967_296.0) as u32;
        for shift in (0..8).rev() {
            id.push(char::from_digit((n >> (shift * 4)) & 0xf, 16).unwrap_or('0'));
        }
    }
    id
}

/// The browser's decodeURIComponent (None for malformed escapes).
fn decode(text: &str) -> Option<String> {
    js_sys::decode_uri_component(text).ok().map(String::from)
}

/// Ingests an event collected earlier (kept while consent was pending, or in a journal). Not inlined:
/// parsing and ingesting are large, and each caller would carry a copy.
#[inline(never)]
fn replay(state: &mut VisitorState, event: &Value) {
    if let Ok(event) = TimedEvent::parse(event, "event") {
        state.ingest(&event);
    }
}

/// A score card as the page API and the payload show it.
fn card_js(card: &engine::ScoreCard) -> JsValue {
    to_js(&card.to_value())
}

/// `value` as `T` when it is a function. Checked with `typeof`, never `instanceof`: pages replace
/// the global constructors (MooTools replaces `Window`, `Element` and `Event`).
fn function(value: JsValue) -> Option<Function> {
    value.is_function().then(|| value.unchecked_into())
}

#[wasm_bindgen]
extern "C" {
    /// The global object. Not `js_sys::global()`, whose fallbacks for engines without `globalThis` (every
    /// browser the tag supports has it) cost four imports and their code.
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL_THIS: JsValue;
}

/// A JS array of `items`. Pushed one by one: `Array.of` would add an import per arity.
fn strings(items: &[&str]) -> JsValue {
    let array = Array::new();
    for item in items {
        array.push(&JsValue::from_str(item));
    }
    array.into()
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn text(s: &str) -> Value {
    Value::from(s)
}

fn clip(s: &str, max: usize) -> String {
    s.trim().chars().take(max).collect()
}

fn stage_rank(model: &Model, stage: &str) -> i64 {
    model.stages.iter().position(|s| s.name == stage).map(|i| i as i64).unwrap_or(-1)
}

/// Runs `f` on the agent, then emits the events it queued for the page. False when the agent is
/// not started or already busy (a re-entrant call, dropped rather than panicking). Not generic, so
/// the borrow-and-emit code exists once, not once per caller.
#[inline(never)]
pub(crate) fn with(f: &mut dyn FnMut(&mut Agent)) -> bool {
    let taken = AGENT.with(|cell| {
        let mut slot = cell.try_borrow_mut().ok()?;
        let agent = slot.as_mut()?;
        f(agent);
        Some((std::mem::take(&mut agent.out), agent.emit.clone()))
    });
    let Some((out, emit)) = taken else { return false };
    for (name, detail) in out {
        let _ = emit.call2(&JsValue::NULL, &JsValue::from_str(name), &detail);
    }
    true
}

/// [`with`] for calls that return a value.
pub(crate) fn with_value(f: fn(&mut Agent) -> JsValue) -> JsValue {
    let mut value = JsValue::NULL;
    with(&mut |a| value = f(a));
    value
}

/// The model named `name` (or the document's only one) from `doc`, fetched from `url`, with the document as
/// JSON text (kept as the last valid model), or the message to show in the console (`what`: "model" or
/// "shadow model"; `fetch_error`: why the loader has no document; `meanwhile`: what happens until it is fixed).
/// Not inlined: its two callers would carry a copy each.
#[inline(never)]
fn load_model(
    what: &str,
    url: &str,
    fetch_error: Option<&str>,
    name: Option<&str>,
    meanwhile: &str,
    doc: JsValue,
) -> Result<(Model, String), String> {
    let mut message = String::from(what);
    message.push(' ');
    message.push_str(url);
    message.push_str(": ");
    if let Some(error) = fetch_error {
        message.push_str(error);
        message.push_str(" (");
        message.push_str(meanwhile);
        return Err(message);
    }
    let parsed = plain(&doc)
        .ok_or_else(|| "not plain JSON data".to_string())
        .and_then(|value| select_model(name, &value).map(|model| (model, json::write(&value))));
    parsed.map_err(|e| {
        message.push_str(&e);
        message.push_str(" (validateModel or the studio says why; ");
        message.push_str(meanwhile);
        message
    })
}

/// The model named `name` (or the only one) in a model document, or "rejected": the tag's reader says no more
/// (`error::Path`), and the loader then loads the full validator to name the field (`loadEngine` in
/// js/browser/start.js, which looks for ": rejected" in the message).
fn select_model(name: Option<&str>, value: &Value) -> Result<Model, String> {
    let rejected = |_| "rejected".to_string();
    let set = ModelSet::parse(value).map_err(rejected)?;
    let index = set.select_index(name).map_err(rejected)?;
    set.models.into_iter().nth(index).ok_or_else(|| "no model".to_string())
}

/// Starts the tag once: `config` is the script's dataset, `model` the parsed model document, `shadow` the
/// shadow model's document (undefined without one), `host` the loader's `{ emit }`. The loader then reports
/// the first page view and asks for `ready` (see [`collect`]).
pub(crate) fn start(config: JsValue, model: JsValue, shadow: JsValue, host: JsValue) -> Result<(), JsValue> {
    let started = AGENT.with(|cell| cell.try_borrow().map(|a| a.is_some()).unwrap_or(true));
    if started {
        return Ok(());
    }
    let Some(emit) = function(get(&host, "emit")) else {
        return Err(JsValue::from_str("start(config, model, shadow, { emit })"));
    };
    let config = Config::from_value(&plain(&config).unwrap_or_default());
    let kept = "the last valid model is used when this browser kept one; visits are still recorded)";
    let name = config.model_name.as_deref();
    let (model, model_json, error) =
        match load_model("model", &config.model_url, config.model_error.as_deref(), name, kept, model) {
            Ok((model, json)) => (Some(model), Some(json), None),
            Err(message) => (None, None, Some(message)),
        };
    let (shadow, shadow_error) = match &config.shadow_url {
        None => (None, None),
        Some(url) => match load_model(
            "shadow model",
            url,
            config.shadow_error.as_deref(),
            None,
            "the model alone scores)",
            shadow,
        ) {
            Ok((model, _)) => (Some(model), None),
            Err(message) => (None, Some(message)),
        },
    };
    let mut agent = Agent {
        consent: config.consent,
        config,
        model,
        shadow,
        model_json,
        state: VisitorState::default(),
        env: Envelope::new(random_id()),
        storage: None,
        seen: None,
        dirty: false,
        tab: random_id().chars().take(8).collect(),
        seq: 0,
        journal: Vec::new(),
        off: false,
        pending: Vec::new(),
        emit,
        out: Vec::new(),
        page: String::new(),
        url: String::new(),
        announced: -1,
    };
    for message in [error, shadow_error].into_iter().flatten() {
        agent.report(message);
    }
    AGENT.with(|cell| {
        if let Ok(mut slot) = cell.try_borrow_mut() {
            *slot = Some(agent);
        }
    });
    with(&mut Agent::begin);
    Ok(())
}

impl Agent {
    fn begin(&mut self) {
        if self.consent {
            self.open_storage();
            self.keep_model();
        }
        // Before the first page view: a stage it reaches (a new model re-scoring the stored state) is
        // handed to an outbox that is already on.
        self.tell("_consent", JsValue::from_bool(self.consent));
    }

    // ---- the page API -------------------------------------------------------------------------

    /// `leadscore.track(name, props)`: a core event type (`download`, `click`, …) with `props` as
    /// its fields, or any other name as a named event.
    pub(crate) fn track(&mut self, name: &str, props: Value) -> Result<(), String> {
        const TYPES: &[&str] =
            &["page_view", "engaged", "download", "form_submit", "click", "email_click", "scroll", "event"];
        let mut event = match props {
            Value::Object(entries) => entries,
            Value::Null => Vec::new(),
            other => {
                let mut message = String::from("track(name, props): props must be an object, got ");
                message.push_str(other.kind());
                return Err(message);
            }
        };
        // A core type takes `props` as its fields (except its type and time); any other name is a named event,
        // which keeps only their `id`. Filtered in place: no second list.
        let core = TYPES.contains(&name);
        event.retain(|(k, _)| if core { k != "type" && k != "ts" } else { k == "id" });
        event.push(("type".to_string(), text(if core { name } else { "event" })));
        if !core {
            event.push(("name".to_string(), text(name)));
        }
        event.push(("ts".to_string(), Value::Number(now())));
        self.ingest(Value::Object(event))
    }

    /// `identify(userId?, traits?)`: the traits, and the user id as the trait `user_id`.
    pub(crate) fn identify(&mut self, user_id: Option<String>, traits: Value) -> Result<(), String> {
        let traits = match (traits, user_id) {
            (Value::Null, None) => return Err("identify(userId, traits): give a user id, traits or both".to_string()),
            (Value::Null, Some(id)) => Value::Object(vec![("user_id".to_string(), Value::String(id))]),
            (Value::Object(mut entries), Some(id)) => {
                entries.retain(|(k, _)| k != "user_id");
                entries.push(("user_id".to_string(), Value::String(id)));
                Value::Object(entries)
            }
            (traits, _) => traits,
        };
        // Built with its keys as they are kept: `Value::object`, which converts them, is in no other path of the tag.
        let event = vec![
            ("type".to_string(), text("identify")),
            ("ts".to_string(), Value::Number(now())),
            ("traits".to_string(), traits),
        ];
        self.ingest(Value::Object(event))
    }

    /// `reset()`: a new visitor from now on (new lead id, empty state, in every tab); not an opt-out, and
    /// leads already in the outbox are still delivered.
    pub(crate) fn reset(&mut self) {
        if let Some(storage) = &self.storage {
            remove_item(storage, KEY);
        }
        self.state = VisitorState::default();
        self.env = Envelope::new(random_id());
        self.seen = None;
        self.dirty = false;
        self.forget_journal();
        self.pending.clear();
        self.announced = -1;
        self.save();
        self.evaluate();
    }

    /// A page API misuse, shown as a console error by the loader.
    pub(crate) fn report(&mut self, message: String) {
        self.tell("error", JsValue::from_str(&message));
    }

    /// Queues an event for the page, emitted once the agent is released (see [`with`]). Not inlined: eight
    /// callers (`evaluate`, which holds the model borrowed, pushes to `out` itself).
    #[inline(never)]
    fn tell(&mut self, name: &'static str, detail: JsValue) {
        self.out.push((name, detail));
    }

    /// The current score card, or null without a valid model or after opting out. Not inlined: three callers.
    #[inline(never)]
    pub(crate) fn card(&mut self) -> JsValue {
        if self.off {
            return JsValue::NULL;
        }
        self.sync(false);
        match &self.model {
            Some(model) => card_js(&engine::score(model, &self.state, now() as i64)),
            None => JsValue::NULL,
        }
    }

    pub(crate) fn export_state(&mut self) -> JsValue {
        if self.off {
            return JsValue::NULL;
        }
        self.sync(false);
        // Its saved text read back: the tag writes the state as text, and has no other builder of its value.
        let mut text = String::new();
        self.state.write_json(&mut text);
        to_js(&json::parse(&text).unwrap_or_default())
    }

    /// `leadscore.consent(true)`: store and send from now on, merging what this page collected
    /// into the stored state. `consent(false)`: opt out, erase what is stored, collect nothing
    /// (with a consent manager: memory only, as before its answer).
    pub(crate) fn set_consent(&mut self, granted: bool) {
        let storage = self.storage.clone().or_else(local_storage);
        if granted {
            if let Some(s) = &storage {
                remove_item(s, OPT_OUT_KEY);
            }
            self.off = false;
            if self.consent {
                return;
            }
            self.consent = true;
            self.storage = storage;
            self.seen = None;
            self.dirty = false;
            let memory = std::mem::take(&mut self.state);
            if self.sync(true) {
                for event in std::mem::take(&mut self.pending) {
                    replay(&mut self.state, &event);
                }
            } else {
                self.state = memory;
            }
            self.pending.clear();
            self.tell("_consent", JsValue::TRUE);
            self.evaluate();
            self.save();
        } else {
            // With a consent manager (config.consent_source) a refusal before any grant is no opt-out: nothing
            // is stored, and this page's memory stays as before an answer. A withdrawal erases as always, and
            // `leadscore:opt-out` tells the other tabs (and, without a consent manager, later pages).
            let withdrawal = self.consent || !self.config.consent_source;
            if let Some(s) = &storage {
                remove_item(s, KEY);
                remove_item(s, MODEL_KEY);
                for key in journal_keys(s) {
                    remove_item(s, &key);
                }
                if withdrawal {
                    write_item(s, OPT_OUT_KEY, "1");
                }
            }
            self.consent = false;
            self.off = !self.config.consent_source;
            self.storage = None;
            self.seen = None;
            if withdrawal {
                self.state = VisitorState::default();
                self.pending.clear();
                self.env = Envelope::new(random_id());
            }
            self.tell("_consent", JsValue::FALSE);
            let card = self.card();
            self.tell("score", card);
        }
    }

    // ---- scoring and delivery -----------------------------------------------------------------

    fn evaluate(&mut self) {
        let Some(model) = &self.model else { return };
        let now = now();
        let card = engine::score(model, &self.state, now as i64);
        let value = card.to_value();
        let js = to_js(&value);
        let rank = stage_rank(model, &card.stage);
        if card.qualified && rank > self.announced {
            self.announced = rank;
            self.out.push(("qualified", js.clone()));
        }
        let sent = match self.env.sent(&model.name).map(|s| stage_rank(model, s)) {
            Some(sent) if sent >= 0 => sent,
            // A stage this model no longer has was delivered: the visitor's stage now counts as the
            // delivered one, so a new model never re-sends a visitor; a later, higher stage is sent.
            Some(_) => {
                self.env.set_sent(&model.name, &card.stage);
                rank
            }
            None => -1,
        };
        if card.qualified && rank > sent && self.consent && self.config.deliver {
            let key = payload::idempotency_key(&self.env.id, &model.name, &card.stage);
            let shadow = self
                .shadow
                .as_ref()
                .map(|shadow| json::write(&engine::score(shadow, &self.state, now as i64).to_value()));
            if let Some(body) = self.body(&json::write(&value), shadow.as_deref(), &key) {
                self.env.set_sent(&model.name, &card.stage);
                self.out.push(("_send", strings(&[&key, &card.stage, &body])));
            }
        }
        self.out.push(("score", js));
    }

    /// The payload as JSON text (see [`payload::body`]), slimmed down when it would not fit one
    /// keepalive request.
    fn body(&self, card: &str, shadow: Option<&str>, key: &str) -> Option<String> {
        let page = self.url.as_str();
        payload::DETAILS.into_iter().find_map(|detail| {
            let json = payload::body(&self.env.id, key, card, shadow, &self.state, page, detail);
            (json.len() <= MAX_BODY_BYTES).then_some(json)
        })
    }
}
