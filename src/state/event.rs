//! Events: the types a visitor state is fed (`Event`, with its time and id in `TimedEvent`), the table of
//! their fields, and reading them from plain data, each bad field named.

use super::*;

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    PageView { path: String, referrer_host: Option<String>, utm: Option<[String; 3]> },
    Engaged { path: String, seconds: f64 },
    Download { url: String },
    FormSubmit { form: String, traits: Vec<(String, Scalar)> },
    Click { name: String },
    Named { name: String },
    EmailClick { campaign: String },
    Scroll { path: String, depth: f64 },
    Identify { traits: Vec<(String, Scalar)> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct TimedEvent {
    pub ts: i64,
    pub id: Option<String>,
    pub event: Event,
}

/// The event types, in the order `TYPES` numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Kind {
    #[default]
    PageView,
    Engaged,
    Download,
    FormSubmit,
    Click,
    Named,
    EmailClick,
    Scroll,
    Identify,
}

/// Every event type, numbered as `Scorer.trackFields` numbers them: its name, its kind, and the fields
/// it may have (`type` first).
const TYPES: [(&str, Kind, &[&str]); 9] = [
    ("page_view", Kind::PageView, &["type", "ts", "id", "path", "url", "title", "referrer", "utm"]),
    ("engaged", Kind::Engaged, &["type", "ts", "id", "path", "seconds"]),
    ("download", Kind::Download, &["type", "ts", "id", "url"]),
    ("form_submit", Kind::FormSubmit, &["type", "ts", "id", "form", "traits"]),
    ("click", Kind::Click, &["type", "ts", "id", "name", "props"]),
    ("event", Kind::Named, &["type", "ts", "id", "name", "props"]),
    ("email_click", Kind::EmailClick, &["type", "ts", "id", "campaign"]),
    ("scroll", Kind::Scroll, &["type", "ts", "id", "path", "depth"]),
    ("identify", Kind::Identify, &["type", "ts", "id", "traits"]),
];

/// The event types' names, in the order `TYPES` numbers them.
pub fn event_types() -> impl Iterator<Item = &'static str> {
    TYPES.iter().map(|t| t.0)
}

/// The fields an event of the type numbered `index` may have (`type` first).
pub fn fields_of_type(index: usize) -> Option<&'static [&'static str]> {
    TYPES.get(index).map(|t| t.2)
}

/// The fields an event of type `kind` may have (`type` first), or None for an unknown type.
pub fn event_fields(kind: &str) -> Option<&'static [&'static str]> {
    type_index(kind).and_then(fields_of_type)
}

fn type_index(kind: &str) -> Option<usize> {
    TYPES.iter().position(|t| t.0 == kind)
}

/// The fields an event may have besides `type` and `props`, in the order of [`EventFields`]' slots.
const SLOTS: [&str; 13] =
    ["ts", "id", "path", "url", "title", "referrer", "utm", "seconds", "form", "traits", "name", "campaign", "depth"];

/// A field's position in [`SLOTS`].
#[derive(Debug, Clone, Copy)]
enum Slot {
    Ts,
    Id,
    Path,
    Url,
    Title,
    Referrer,
    Utm,
    Seconds,
    Form,
    Traits,
    Name,
    Campaign,
    Depth,
}

/// An event's fields before validation, each as given (None when absent), by position in [`SLOTS`]: what
/// `TimedEvent::parse` reads from an object, and what the JS boundary fills from an object's properties it
/// read itself, without building an object. `props` is accepted but never read, so it has no slot.
#[derive(Debug, Clone, Copy, Default)]
pub struct EventFields<'a> {
    kind: Kind,
    slots: [Option<&'a Value>; SLOTS.len()],
}

impl<'a> EventFields<'a> {
    /// No fields yet for an event of type `kind`; None for an unknown type.
    pub fn new(kind: &str) -> Option<EventFields<'a>> {
        EventFields::of_type(type_index(kind)?)
    }

    /// `new` for the type numbered `index`.
    pub fn of_type(index: usize) -> Option<EventFields<'a>> {
        Some(EventFields { kind: TYPES.get(index)?.1, ..EventFields::default() })
    }

    /// Sets the field `name` unless it is set already; false when events have no such field (or
    /// only `type` or `props`, which need no slot).
    pub fn set(&mut self, name: &str, value: &'a Value) -> bool {
        let slot = SLOTS.iter().position(|slot| *slot == name).and_then(|i| self.slots.get_mut(i));
        slot.map(|slot| slot.get_or_insert(value)).is_some()
    }

    /// The field in `slot`, as given.
    fn get(&self, slot: Slot) -> Option<&'a Value> {
        self.slots.get(slot as usize).copied().flatten()
    }
}

impl TimedEvent {
    /// Validates one event; the error names the bad field relative to `path`.
    pub fn parse(value: &Value, path: &str) -> Result<TimedEvent, Errors> {
        let mut errors = Errors::default();
        let Some(entries) = value.as_object() else {
            fail!(errors, path, "expected an event object, got {}", value.kind());
            return Err(errors);
        };
        let type_error = || {
            let mut errors = Errors::default();
            fail!(errors, &join(path, "type"), "expected one of: {}", event_types().collect::<Vec<_>>().join(", "));
            errors
        };
        let known =
            read::field(entries, "type").and_then(Value::as_str).and_then(|kind| TYPES.iter().find(|t| t.0 == kind));
        let Some(&(_, kind, allowed)) = known else { return Err(type_error()) };
        let mut fields = EventFields { kind, ..EventFields::default() };
        // Unknown fields are reported here; `from_fields` reads only those of the event's type.
        for (key, v) in read::object(value, path, allowed, &mut errors).unwrap_or_default() {
            fields.set(key, v);
        }
        match TimedEvent::from_fields(&fields, path) {
            Ok(event) => errors.into_result(event),
            Err(more) => {
                errors.0.extend(more.0);
                Err(errors)
            }
        }
    }

    /// Validates an event's fields (only those `event_fields` allows for its type are read); the
    /// error names the bad field relative to `path`, with the messages `parse` gives.
    pub fn from_fields(fields: &EventFields, path: &str) -> Result<TimedEvent, Errors> {
        let mut errors = Errors::default();
        let ts = required_number(
            fields.get(Slot::Ts),
            path,
            "ts",
            (MIN_TS, MAX_TS),
            "milliseconds since the Unix epoch",
            &mut errors,
        );
        let id = fields.get(Slot::Id).and_then(|v| read::string_in(v, path, "id", 128, &mut errors));
        let event = read_event(fields, path, &mut errors);
        // Whole seconds: all the precision scoring needs, and what the saved state keeps.
        let ts = ts.map(|t| (t / 1000.0).floor() as i64 * 1000);
        errors.into_result(())?;
        Ok(TimedEvent { ts: ts.unwrap_or(0), id, event })
    }
}

/// A required number field in `min..=max`; `needed` says what it holds when it is missing.
fn required_number(
    value: Option<&Value>,
    path: &str,
    key: &str,
    (min, max): (f64, f64),
    needed: &str,
    errors: &mut Errors,
) -> Option<f64> {
    match value {
        Some(v) => read::number_in(v, path, key, min, max, errors),
        None => {
            fail!(errors, &join(path, key), "required: {needed}");
            None
        }
    }
}

/// A required text field of at most `MAX_KEY_LEN` characters.
fn required_text(value: Option<&Value>, path: &str, key: &str, errors: &mut Errors) -> String {
    match value {
        Some(v) => read::string_in(v, path, key, MAX_KEY_LEN, errors).unwrap_or_default(),
        None => {
            fail!(errors, &join(path, key), "required");
            String::new()
        }
    }
}

/// What happened, read from the fields of its type.
fn read_event(fields: &EventFields, path: &str, errors: &mut Errors) -> Event {
    let text = |key: &str, value: Option<&Value>, errors: &mut Errors| required_text(value, path, key, errors);
    let traits = |value: &Value, errors: &mut Errors| parse_traits(value, &join(path, "traits"), errors);
    match fields.kind {
        Kind::PageView => read_page_view(fields, path, errors),
        Kind::Engaged => {
            let page = text("path", fields.get(Slot::Path), errors);
            let range = (0.0, 86_400.0);
            let seconds = required_number(fields.get(Slot::Seconds), path, "seconds", range, "engaged seconds", errors);
            Event::Engaged { path: normalize_path(page), seconds: seconds.unwrap_or(0.0) }
        }
        Kind::Download => Event::Download { url: lower(text("url", fields.get(Slot::Url), errors)) },
        Kind::FormSubmit => {
            let form = lower(text("form", fields.get(Slot::Form), errors));
            Event::FormSubmit { form, traits: fields.get(Slot::Traits).map(|v| traits(v, errors)).unwrap_or_default() }
        }
        Kind::Click => Event::Click { name: lower(text("name", fields.get(Slot::Name), errors)) },
        Kind::Named => Event::Named { name: lower(text("name", fields.get(Slot::Name), errors)) },
        Kind::EmailClick => Event::EmailClick { campaign: lower(text("campaign", fields.get(Slot::Campaign), errors)) },
        Kind::Scroll => {
            let page = text("path", fields.get(Slot::Path), errors);
            let depth = required_number(
                fields.get(Slot::Depth),
                path,
                "depth",
                (0.0, 100.0),
                "scroll depth in percent",
                errors,
            );
            Event::Scroll { path: normalize_path(page), depth: depth.unwrap_or(0.0) }
        }
        Kind::Identify => match fields.get(Slot::Traits) {
            Some(v) => Event::Identify { traits: traits(v, errors) },
            None => {
                fail!(errors, &join(path, "traits"), "required: the traits to record");
                Event::Identify { traits: Vec::new() }
            }
        },
    }
}

/// A page view: the page, and where the visitor came from (the referrer's host, the UTM campaign).
fn read_page_view(fields: &EventFields, path: &str, errors: &mut Errors) -> Event {
    let page = required_text(fields.get(Slot::Path), path, "path", errors);
    if let Some(v) = fields.get(Slot::Url) {
        read::string_in(v, path, "url", 4_096, errors);
    }
    if let Some(v) = fields.get(Slot::Title) {
        read::string_in(v, path, "title", MAX_KEY_LEN, errors);
    }
    let referrer_host = fields
        .get(Slot::Referrer)
        .and_then(|v| read::string_in(v, path, "referrer", 4_096, errors))
        .and_then(|r| host_of(&r));
    let utm = fields.get(Slot::Utm).and_then(|v| {
        let p = join(path, "utm");
        let u = read::object(v, &p, &["source", "medium", "campaign", "term", "content"], errors)?;
        let part = |k: &str, errors: &mut Errors| {
            read::field(u, k)
                .and_then(|v| read::string(v, &join(&p, k), MAX_UTM_LEN, errors))
                .map(lower)
                .unwrap_or_default()
        };
        Some([part("source", errors), part("medium", errors), part("campaign", errors)])
    });
    Event::PageView { path: normalize_path(page), referrer_host, utm }
}

/// Lower-cased path without query or fragment; "" becomes "/". In place: the text read from the
/// event becomes the key kept, without another allocation.
fn normalize_path(mut path: String) -> String {
    // `?` and `#` are ASCII, so the cut is on a character boundary.
    let cut = path.bytes().position(|b| b == b'?' || b == b'#').unwrap_or(path.len());
    path.truncate(cut);
    // Visible ASCII at both ends (the usual case) is never white space: nothing to trim.
    let bytes = path.as_bytes();
    if !(bytes.first().is_some_and(u8::is_ascii_graphic) && bytes.last().is_some_and(u8::is_ascii_graphic)) {
        let trimmed = path.trim();
        if trimmed.is_empty() {
            return "/".to_string();
        }
        if trimmed.len() != path.len() {
            path = trimmed.to_string();
        }
    }
    lower(path)
}

/// The text lower-cased in place (ASCII only, as everywhere keys are compared).
fn lower(mut text: String) -> String {
    text.make_ascii_lowercase();
    text
}

/// The host of an absolute URL, lower-cased, without port or credentials.
fn host_of(url: &str) -> Option<String> {
    let authority = crate::url::authority(url)?;
    let end = authority.bytes().position(|b| b == b':').unwrap_or(authority.len());
    let host = authority.get(..end)?.to_ascii_lowercase();
    // Longer is no host at all; keeping it would only bloat the state.
    (!host.is_empty() && host.len() <= MAX_HOST_LEN).then_some(host)
}

pub fn parse_traits(value: &Value, path: &str, errors: &mut Errors) -> Vec<(String, Scalar)> {
    let Some(entries) = value.as_object() else {
        fail!(errors, path, "expected an object of traits, got {}", value.kind());
        return Vec::new();
    };
    if entries.len() > MAX_TRAITS {
        fail!(errors, path, "at most {MAX_TRAITS} traits");
        return Vec::new();
    }
    let mut traits = Vec::new();
    for (key, v) in entries {
        let p = join(path, key);
        if key.is_empty() || key.chars().count() > 64 {
            fail!(errors, &p, "trait names have 1 to 64 characters");
            continue;
        }
        match v {
            Value::Null => {}
            Value::String(s) if s.chars().count() > 512 => fail!(errors, &p, "text traits have at most 512 characters"),
            _ => match Scalar::from_value(v) {
                Some(s) => traits.push((key.clone(), s)),
                None => fail!(errors, &p, "expected a string, number or boolean, got {}", v.kind()),
            },
        }
    }
    traits
}
