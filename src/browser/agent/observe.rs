//! What the loader's listeners observed (`js/browser/listen.js`), turned into core events under the tag's
//! policies (which form fields, which links are downloads, which URL parts are kept).

use super::*;

/// What the loader's listeners observed (`js/browser/listen.js`), as `(kind, data)`; returns what that kind
/// answers (undefined otherwise). `data` is an array read by position (property names would survive the
/// script's minification), except for `event`:
/// - `view` `[href, pathname, hash, search, host, title, referrer]`: a page view (`referrer` on the first
///   only); answers the page's path.
/// - `path` `[pathname, hash]`: answers the path a location would have (to tell a new page from the same).
/// - `click` `[name, href, download, host]`: a named click (`data-leadscore-event` or the CTA) and/or a link.
/// - `submit` `[name, controls]`: a form sent, with its controls as `[tag, type, name, autocomplete, trait,
///   value, checked]`; answers `[state, eventId]` to attach to the form, or null.
/// - `event`: a core event the loader measured (`engaged`, `scroll`), an object with its `ts`.
/// - `ready`: the first page view is in: emits `ready` with the card. `sync` `[key]`: another tab wrote
///   `key` (null: storage cleared), applied when it is the state or a journal. `tick`:
///   housekeeping. `leave`: the page is hidden or left: write what memory holds.
pub(crate) fn collect(kind: &str, data: JsValue) -> JsValue {
    let data = plain(&data).unwrap_or_default();
    let mut answer = JsValue::UNDEFINED;
    with(&mut |a| {
        answer = match kind {
            "view" => JsValue::from_str(&a.view(&data)),
            "path" => JsValue::from_str(&urls::page_path(field(&data, 0), field(&data, 1))),
            "click" => {
                a.click(&data);
                JsValue::UNDEFINED
            }
            "submit" => a.submit(&data),
            "event" => {
                // Measured by the loader: well-formed; a rejected one (an odd path) is skipped.
                let _ = a.ingest(data.clone());
                JsValue::UNDEFINED
            }
            "ready" => {
                let card = a.card();
                a.tell("ready", card);
                JsValue::UNDEFINED
            }
            "sync" => {
                if store::is_tag_key(item(&data, 0).and_then(Value::as_str)) {
                    a.sync(true);
                }
                JsValue::UNDEFINED
            }
            "tick" => {
                a.prune_journal();
                JsValue::UNDEFINED
            }
            "leave" => {
                a.save();
                JsValue::UNDEFINED
            }
            _ => JsValue::UNDEFINED,
        };
    });
    answer
}

/// Item `i` of what the loader observed.
pub(super) fn item(data: &Value, i: usize) -> Option<&Value> {
    data.as_array().and_then(|items| items.get(i))
}

/// The JSON text of an event of type `kind`, left open for [`put`] and `Agent::record`.
pub(super) fn event_text(kind: &str) -> String {
    let mut event = String::from("{\"type\":");
    json::write_string(kind, &mut event);
    event
}

/// Appends the text field `key` to an event's JSON text.
pub(super) fn put(event: &mut String, key: &str, value: &str) {
    json::write_key(key, event);
    json::write_string(value, event);
}

/// A text item of what the loader observed ("" when missing).
pub(super) fn field(data: &Value, i: usize) -> &str {
    item(data, i).and_then(Value::as_str).unwrap_or_default()
}

impl Agent {
    pub(super) fn view(&mut self, data: &Value) -> String {
        let href = field(data, 0);
        self.page = urls::page_path(field(data, 1), field(data, 2));
        self.url = urls::without_query(href).to_string();
        let mut event = event_text("page_view");
        put(&mut event, "path", &self.page);
        put(&mut event, "url", &self.url);
        put(&mut event, "title", &clip(field(data, 5), 200));
        let referrer = field(data, 6);
        let own = field(data, 4).to_ascii_lowercase();
        if urls::host(referrer).is_some_and(|host| host != own) {
            put(&mut event, "referrer", urls::without_query(referrer));
        }
        if let Some(utm) = urls::utm(field(data, 3), decode) {
            event.push_str(",\"utm\":");
            event.push_str(&utm);
        }
        self.record(event);
        self.page.clone()
    }

    pub(super) fn click(&mut self, data: &Value) {
        if let Some(name) = Some(clip(field(data, 0), 128)).filter(|n| !n.is_empty()) {
            let mut event = event_text("click");
            put(&mut event, "name", &name);
            self.record(event);
        }
        let href = field(data, 1);
        let download = item(data, 2) == Some(&Value::Bool(true));
        if !href.is_empty() && urls::is_download(href, download, &self.config.downloads) {
            let url = urls::download_url(href, field(data, 3));
            let mut event = event_text("download");
            put(&mut event, "url", &url);
            self.record(event);
        }
    }

    /// A form sent: its allow-listed fields (see [`fields`], later controls winning) as traits; answers
    /// `[state, eventId]` for the loader to attach to the form, so a server scoring the attached state and this
    /// submission counts the submission once (the core drops a repeated id).
    pub(super) fn submit(&mut self, data: &Value) -> JsValue {
        let name = Some(clip(field(data, 0), 128)).filter(|n| !n.is_empty()).unwrap_or_else(|| "form".into());
        let mut traits: Vec<(String, Value)> = Vec::new();
        for control in item(data, 1).and_then(Value::as_array).unwrap_or_default().iter().take(200) {
            let seen = Control {
                tag: field(control, 0),
                kind: field(control, 1),
                name: field(control, 2),
                autocomplete: field(control, 3),
                explicit: item(control, 4).and_then(Value::as_str),
                value: field(control, 5),
                checked: item(control, 6) == Some(&Value::Bool(true)),
            };
            if let Some((key, value)) = fields::read(&seen, &self.config.fields) {
                traits.retain(|(k, _)| *k != key);
                if traits.len() < 24 {
                    traits.push((key, value));
                }
            }
        }
        let id = random_id();
        let mut submitted = event_text("form_submit");
        put(&mut submitted, "id", &id);
        put(&mut submitted, "form", &name);
        if !traits.is_empty() {
            submitted.push_str(",\"traits\":");
            submitted.push_str(&json::write(&Value::Object(traits)));
        }
        self.record(submitted);
        if !(self.consent && !self.off && self.config.attach_state) {
            return JsValue::NULL;
        }
        let mut state = String::new();
        self.state.write_json(&mut state);
        strings(&[&state, &id])
    }
}
