//! The visitor state: a compact, bounded summary of what scoring needs, not an event log.
//! It is model-independent, so a changed model rescores the same visitor, and the edge can score
//! a summary the browser attached to a form.

use crate::error::{fail, index, join, Errors};
use crate::model::Scalar;
use crate::read;
use crate::value::Value;

/// Occurrence times kept per key; older occurrences are remembered by count and by the time of
/// the latest one dropped, which keeps scores monotone when old times are forgotten.
pub const RECENT: usize = 4;
/// Distinct keys kept per kind (pages, downloads, …); the least recently seen is dropped first.
pub const MAX_PAGES: usize = 24;
pub const MAX_KEYS: usize = 12;
/// Event ids remembered for de-duplication (retries and replays arrive close together).
pub const MAX_IDS: usize = 32;
pub const MAX_TRAITS: usize = 48;
/// A new visit starts after this long without activity.
pub const VISIT_GAP_MS: i64 = 30 * 60 * 1000;
pub const STATE_VERSION: f64 = 1.0;
/// Latest accepted timestamp: year 2200. Earliest: 2000. Anything else is a clock bug.
const MIN_TS: f64 = 946_684_800_000.0;
const MAX_TS: f64 = 7_258_118_400_000.0;
const MAX_KEY_LEN: usize = 512;
/// Saved keys may be longer than any one event field: a campaign key joins three UTM values.
const MAX_SAVED_KEY_LEN: usize = 3 * MAX_UTM_LEN + 2;
const MAX_UTM_LEN: usize = 200;
/// The longest host name DNS allows.
const MAX_HOST_LEN: usize = 253;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tally {
    pub key: String,
    /// All occurrences ever seen.
    pub n: u32,
    /// Up to RECENT most recent occurrence times (ms, whole seconds), ascending.
    pub recent: Vec<i64>,
    /// Time of the latest occurrence dropped from `recent` (0 when none).
    pub older: i64,
    /// Time of the earliest occurrence dropped from `recent` (0 when none): with `older`, the span
    /// the forgotten occurrences lie in, so once-per-period rules never merge their periods.
    pub older_first: i64,
    /// Pages only: engaged milliseconds and the deepest scroll in percent.
    pub engaged_ms: i64,
    pub scroll: u8,
    /// The latest time anything happened on this key (views, engaged time, scrolls).
    pub active: i64,
}

impl Tally {
    fn new(key: String) -> Tally {
        Tally { key, ..Tally::default() }
    }

    pub fn last(&self) -> i64 {
        self.recent.last().copied().unwrap_or(self.older)
    }

    fn touch(&mut self, ts: i64) {
        self.active = self.active.max(ts);
    }

    fn add(&mut self, ts: i64) {
        self.touch(ts);
        self.n = self.n.saturating_add(1);
        let at = self.recent.partition_point(|&t| t <= ts);
        self.recent.insert(at, ts);
        if self.recent.len() > RECENT {
            let dropped = self.recent.remove(0);
            self.older = self.older.max(dropped);
            self.older_first = if self.older_first == 0 { dropped } else { self.older_first.min(dropped) };
        }
    }

    /// Every occurrence as (time, how many, earliest time): a recent one is itself; the forgotten
    /// ones are one group at `older`, known to lie between `older_first` and `older`.
    pub fn occurrences(&self) -> impl Iterator<Item = Occurrences> + '_ {
        let forgotten = self.n.saturating_sub(self.recent.len() as u32);
        let first = if self.older_first == 0 { self.older } else { self.older_first.min(self.older) };
        let head = (forgotten > 0).then_some(Occurrences { at: self.older, count: forgotten, earliest: first });
        head.into_iter().chain(self.recent.iter().map(|&t| Occurrences { at: t, count: 1, earliest: t }))
    }
}

/// Occurrences of one key at one time, or a forgotten group (see `Tally::occurrences`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Occurrences {
    pub at: i64,
    pub count: u32,
    pub earliest: i64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct VisitorState {
    pub first: i64,
    pub last: i64,
    pub visits: Tally,
    pub pages: Vec<Tally>,
    pub downloads: Vec<Tally>,
    pub forms: Vec<Tally>,
    pub clicks: Vec<Tally>,
    pub events: Vec<Tally>,
    /// Keys are `source|medium|campaign` (lower-case).
    pub campaigns: Vec<Tally>,
    pub referrers: Vec<Tally>,
    pub email_clicks: Vec<Tally>,
    pub traits: Vec<(String, Scalar)>,
    pub ids: Vec<u32>,
}

/// The state's keyed tally lists, named once: each list's saved name is its field's name, and `limit`
/// the most distinct keys it keeps. Saving, reading and clamping a state walk what this writes.
macro_rules! keyed_tallies {
    ($($list:ident: $limit:expr),* $(,)?) => {
        /// The fields of a saved state, in the order it is saved.
        const SAVED: [&str; 14] = ["v", "first", "last", "visits", $(stringify!($list),)* "traits", "ids"];

        impl VisitorState {
            /// The keyed lists by saved name.
            fn keyed(&self) -> [(&'static str, &Vec<Tally>); 8] {
                [$((stringify!($list), &self.$list)),*]
            }

            /// The keyed lists by saved name, with the most keys each keeps.
            fn keyed_mut(&mut self) -> [(&'static str, usize, &mut Vec<Tally>); 8] {
                [$((stringify!($list), $limit, &mut self.$list)),*]
            }

            /// Every tally: visits, then each keyed list's.
            pub fn tallies(&self) -> impl Iterator<Item = &Tally> {
                std::iter::once(&self.visits).chain([$(&self.$list),*].into_iter().flatten())
            }

            pub fn tallies_mut(&mut self) -> impl Iterator<Item = &mut Tally> {
                std::iter::once(&mut self.visits).chain([$(&mut self.$list),*].into_iter().flatten())
            }
        }
    };
}
keyed_tallies!(
    pages: MAX_PAGES,
    downloads: MAX_KEYS,
    forms: MAX_KEYS,
    clicks: MAX_KEYS,
    events: MAX_KEYS,
    campaigns: MAX_KEYS,
    referrers: MAX_KEYS,
    email_clicks: MAX_KEYS,
);

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingested {
    Counted,
    Duplicate,
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

/// An event's fields before validation, each as given (None when absent): what `TimedEvent::parse`
/// reads from an object, and what the JS boundary fills from an object's properties it read itself,
/// without building an object. `props` is accepted but never read, so it has no slot.
#[derive(Debug, Clone, Copy, Default)]
pub struct EventFields<'a> {
    kind: Kind,
    pub ts: Option<&'a Value>,
    pub id: Option<&'a Value>,
    pub path: Option<&'a Value>,
    pub url: Option<&'a Value>,
    pub title: Option<&'a Value>,
    pub referrer: Option<&'a Value>,
    pub utm: Option<&'a Value>,
    pub seconds: Option<&'a Value>,
    pub form: Option<&'a Value>,
    pub traits: Option<&'a Value>,
    pub name: Option<&'a Value>,
    pub campaign: Option<&'a Value>,
    pub depth: Option<&'a Value>,
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
        let slot = match name {
            "ts" => &mut self.ts,
            "id" => &mut self.id,
            "path" => &mut self.path,
            "url" => &mut self.url,
            "title" => &mut self.title,
            "referrer" => &mut self.referrer,
            "utm" => &mut self.utm,
            "seconds" => &mut self.seconds,
            "form" => &mut self.form,
            "traits" => &mut self.traits,
            "name" => &mut self.name,
            "campaign" => &mut self.campaign,
            "depth" => &mut self.depth,
            _ => return false,
        };
        slot.get_or_insert(value);
        true
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
        let Some(kind) = read::field(entries, "type").and_then(Value::as_str) else { return Err(type_error()) };
        let Some(&(_, kind, allowed)) = TYPES.iter().find(|t| t.0 == kind) else { return Err(type_error()) };
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
        let ts =
            required_number(fields.ts, path, "ts", (MIN_TS, MAX_TS), "milliseconds since the Unix epoch", &mut errors);
        let id = fields.id.and_then(|v| read::string_in(v, path, "id", 128, &mut errors));
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
            let page = text("path", fields.path, errors);
            let range = (0.0, 86_400.0);
            let seconds = required_number(fields.seconds, path, "seconds", range, "engaged seconds", errors);
            Event::Engaged { path: normalize_path(page), seconds: seconds.unwrap_or(0.0) }
        }
        Kind::Download => Event::Download { url: lower(text("url", fields.url, errors)) },
        Kind::FormSubmit => {
            let form = lower(text("form", fields.form, errors));
            Event::FormSubmit { form, traits: fields.traits.map(|v| traits(v, errors)).unwrap_or_default() }
        }
        Kind::Click => Event::Click { name: lower(text("name", fields.name, errors)) },
        Kind::Named => Event::Named { name: lower(text("name", fields.name, errors)) },
        Kind::EmailClick => Event::EmailClick { campaign: lower(text("campaign", fields.campaign, errors)) },
        Kind::Scroll => {
            let page = text("path", fields.path, errors);
            let depth = required_number(fields.depth, path, "depth", (0.0, 100.0), "scroll depth in percent", errors);
            Event::Scroll { path: normalize_path(page), depth: depth.unwrap_or(0.0) }
        }
        Kind::Identify => match fields.traits {
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
    let page = required_text(fields.path, path, "path", errors);
    if let Some(v) = fields.url {
        read::string_in(v, path, "url", 4_096, errors);
    }
    if let Some(v) = fields.title {
        read::string_in(v, path, "title", MAX_KEY_LEN, errors);
    }
    let referrer_host =
        fields.referrer.and_then(|v| read::string_in(v, path, "referrer", 4_096, errors)).and_then(|r| host_of(&r));
    let utm = fields.utm.and_then(|v| {
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
    let rest = url.split_once("://").map(|(_, r)| r)?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?.split(':').next()?.to_ascii_lowercase();
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

/// FNV-1a: a tiny stable hash, enough to recognise a replayed event id.
fn id_hash(id: &str) -> u32 {
    id.bytes().fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

impl VisitorState {
    pub fn ingest(&mut self, event: &TimedEvent) -> Ingested {
        if let Some(id) = &event.id {
            let hash = id_hash(id);
            if self.ids.contains(&hash) {
                return Ingested::Duplicate;
            }
            self.ids.push(hash);
            if self.ids.len() > MAX_IDS {
                self.ids.remove(0);
            }
        }
        let ts = event.ts;
        let opens_visit = !matches!(event.event, Event::Identify { .. } | Event::Engaged { .. } | Event::Scroll { .. });
        if opens_visit && (self.last == 0 || ts > self.last + VISIT_GAP_MS) {
            self.visits.add(ts);
        }
        if !matches!(event.event, Event::Identify { .. }) {
            self.first = if self.first == 0 { ts } else { self.first.min(ts) };
            self.last = self.last.max(ts);
        }
        match &event.event {
            Event::PageView { path, referrer_host, utm } => {
                with_tally(&mut self.pages, MAX_PAGES, path, |t| t.add(ts));
                if let Some(host) = referrer_host {
                    with_touch(&mut self.referrers, host, ts);
                }
                if let Some([source, medium, campaign]) = utm {
                    if !(source.is_empty() && medium.is_empty() && campaign.is_empty()) {
                        let key = read::concat(&[source, "|", medium, "|", campaign]);
                        with_touch(&mut self.campaigns, &key, ts);
                        // A visit from an email campaign is an email click, whoever reports it.
                        if medium == "email" {
                            with_tally(&mut self.email_clicks, MAX_KEYS, campaign, |t| t.add(ts));
                        }
                    }
                }
            }
            Event::Engaged { path, seconds } => {
                with_tally(&mut self.pages, MAX_PAGES, path, |page| {
                    page.engaged_ms = page.engaged_ms.saturating_add((seconds * 1000.0).round() as i64);
                    page.touch(ts);
                });
            }
            Event::Scroll { path, depth } => {
                with_tally(&mut self.pages, MAX_PAGES, path, |page| {
                    page.scroll = page.scroll.max(depth.round() as u8);
                    page.touch(ts);
                });
            }
            Event::Download { url } => with_tally(&mut self.downloads, MAX_KEYS, url, |t| t.add(ts)),
            Event::FormSubmit { form, traits } => {
                with_tally(&mut self.forms, MAX_KEYS, form, |t| t.add(ts));
                self.merge_traits(traits);
            }
            Event::Click { name } => with_tally(&mut self.clicks, MAX_KEYS, name, |t| t.add(ts)),
            Event::Named { name } => with_tally(&mut self.events, MAX_KEYS, name, |t| t.add(ts)),
            Event::EmailClick { campaign } => with_tally(&mut self.email_clicks, MAX_KEYS, campaign, |t| t.add(ts)),
            Event::Identify { traits } => self.merge_traits(traits),
        }
        Ingested::Counted
    }

    pub fn merge_traits(&mut self, traits: &[(String, Scalar)]) {
        for (key, value) in traits {
            let read = match value {
                // One reading of a company size, whichever way it came in (a form, identify, the edge).
                Scalar::Text(text) if key == "company_size" => {
                    company_size(text).map_or_else(|| value.clone(), Scalar::Number)
                }
                _ => value.clone(),
            };
            self.set_trait(key, read);
            if key == "email" {
                if let Scalar::Text(email) = value {
                    if let Some((_, domain)) = email.trim().rsplit_once('@') {
                        self.set_trait("email_domain", Scalar::Text(domain.to_ascii_lowercase()));
                    }
                }
            }
        }
    }

    fn set_trait(&mut self, key: &str, value: Scalar) {
        if let Some(slot) = self.traits.iter_mut().find(|(k, _)| k == key) {
            slot.1 = value;
        } else if self.traits.len() < MAX_TRAITS {
            self.traits.push((key.to_string(), value));
        }
    }

    pub fn trait_value(&self, key: &str) -> Option<&Scalar> {
        self.traits.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The state as a plain JSON-compatible value: short keys, times in seconds after `first`.
    pub fn to_value(&self) -> Value {
        let base = self.first;
        let tallies = |list: &[Tally]| Value::Array(list.iter().map(|t| tally_value(t, base)).collect());
        let mut entries = vec![
            ("v", Value::Number(STATE_VERSION)),
            ("first", Value::Number(self.first as f64)),
            ("last", Value::Number(secs(self.last, base))),
            ("visits", tally_value(&self.visits, base)),
        ];
        // Pages are always saved; the other lists when they hold anything.
        for (key, list) in self.keyed() {
            if key == "pages" || !list.is_empty() {
                entries.push((key, tallies(list)));
            }
        }
        if !self.traits.is_empty() {
            entries
                .push(("traits", Value::Object(self.traits.iter().map(|(k, v)| (k.clone(), v.to_value())).collect())));
        }
        if !self.ids.is_empty() {
            entries.push(("ids", Value::Array(self.ids.iter().map(|&h| Value::Number(f64::from(h))).collect())));
        }
        Value::object(entries)
    }

    /// Reads a saved state; any malformed part rejects the whole state, naming the field.
    pub fn from_value(value: &Value) -> Result<VisitorState, Errors> {
        let mut errors = Errors::default();
        let Some(entries) = read::object(value, "state", &SAVED, &mut errors) else { return Err(errors) };
        match read::field(entries, "v").and_then(Value::as_f64) {
            Some(v) if v == STATE_VERSION => {}
            _ => return Err(Errors::single("state.v", "unsupported state version (expected 1)")),
        }
        let first = match read::field(entries, "first") {
            Some(v) if *v == Value::Number(0.0) => Some(0.0),
            Some(v) => read::number(v, "state.first", MIN_TS, MAX_TS, &mut errors),
            None => {
                fail!(errors, "state.first", "required");
                None
            }
        }
        .map(|f| f as i64)
        .unwrap_or(0);
        let last = read::field(entries, "last")
            .and_then(|v| read::number(v, "state.last", 0.0, MAX_TS - MIN_TS, &mut errors))
            .map(|s| first + (s * 1000.0) as i64)
            .unwrap_or(first);
        let mut state = VisitorState { first, last, ..VisitorState::default() };
        if let Some(v) = read::field(entries, "visits") {
            if let Some(t) = read_tally(v, "state.visits", first, false, &mut errors) {
                state.visits = t;
            }
        }
        for (key, limit, list) in state.keyed_mut() {
            let Some(v) = read::field(entries, key) else { continue };
            let p = join("state", key);
            let Some(items) = read::array(v, &p, &mut errors) else { continue };
            if items.len() > limit {
                fail!(errors, &p, "at most {limit} entries");
                continue;
            }
            for (i, item) in items.iter().enumerate() {
                if let Some(t) = read_tally(item, &index(&p, i), first, key == "pages", &mut errors) {
                    if list.iter().any(|x| x.key == t.key) {
                        fail!(errors, &index(&p, i), "duplicate key");
                    }
                    list.push(t);
                }
            }
        }
        if let Some(v) = read::field(entries, "traits") {
            state.traits = parse_traits(v, "state.traits", &mut errors);
        }
        if let Some(v) = read::field(entries, "ids") {
            if let Some(items) = read::array(v, "state.ids", &mut errors) {
                if items.len() > MAX_IDS {
                    fail!(errors, "state.ids", "at most {MAX_IDS} ids");
                }
                for (i, item) in items.iter().take(MAX_IDS).enumerate() {
                    if let Some(h) = read::whole(item, &index("state.ids", i), 0.0, f64::from(u32::MAX), &mut errors) {
                        state.ids.push(h);
                    }
                }
            }
        }
        errors.into_result(state)
    }
}

fn secs(ts: i64, base: i64) -> f64 {
    ((ts - base) / 1000) as f64
}

/// `[key, n, older, [recent…]]`, plus engaged seconds and scroll depth for pages.
fn tally_value(t: &Tally, base: i64) -> Value {
    let mut items = vec![
        Value::String(t.key.clone()),
        Value::Number(f64::from(t.n)),
        Value::Number(if t.older == 0 { -1.0 } else { secs(t.older, base) }),
        Value::Array(t.recent.iter().map(|&r| Value::Number(secs(r, base))).collect()),
    ];
    let spread = t.older_first != 0 && t.older_first != t.older;
    if t.engaged_ms > 0 || t.scroll > 0 || t.active != t.last() {
        items.push(Value::Number(t.engaged_ms as f64 / 1000.0));
        items.push(Value::Number(f64::from(t.scroll)));
        items.push(Value::Number(secs(t.active, base)));
    }
    if spread {
        items.push(Value::Number(secs(t.older_first, base)));
    }
    Value::Array(items)
}

fn read_tally(value: &Value, path: &str, base: i64, page: bool, errors: &mut Errors) -> Option<Tally> {
    let before = errors.0.len();
    let items = read::array(value, path, errors)?;
    // 4 or 5 (+ the earliest forgotten time) items; pages may carry 3 more before that one.
    let page_part = page && items.len() >= 7;
    if !(matches!(items.len(), 4 | 5) || (page && matches!(items.len(), 7 | 8))) {
        fail!(
            errors,
            path,
            "expected [key, count, older, [recent times], earliest older?] (pages may add engaged seconds, scroll depth, last active time before the last)"
        );
        return None;
    }
    let at = |i: usize| items.get(i).unwrap_or(&Value::Null);
    let span = MAX_TS - MIN_TS;
    let key = read::string(at(0), &index(path, 0), MAX_SAVED_KEY_LEN, errors).unwrap_or_default();
    let n = read::whole(at(1), &index(path, 1), 0.0, f64::from(u32::MAX), errors).unwrap_or(0);
    let older = match at(2) {
        Value::Number(x) if *x == -1.0 => 0,
        v => read::number(v, &index(path, 2), 0.0, span, errors).map(|s| base + (s * 1000.0) as i64).unwrap_or(0),
    };
    let mut recent = Vec::new();
    if let Some(times) = read::array(at(3), &index(path, 3), errors) {
        if times.len() > RECENT {
            fail!(errors, &index(path, 3), "at most {RECENT} times");
        }
        for (i, t) in times.iter().take(RECENT).enumerate() {
            if let Some(s) = read::number(t, &index(&index(path, 3), i), 0.0, span, errors) {
                recent.push(base + (s.floor() * 1000.0) as i64);
            }
        }
    }
    if recent.windows(2).any(|w| matches!(w, [a, b] if a > b)) {
        fail!(errors, &index(path, 3), "times must be in ascending order");
    }
    if (n as usize) < recent.len() {
        fail!(errors, &index(path, 1), "count is below the number of recent times");
    }
    let last = recent.last().copied().unwrap_or(older);
    let (mut engaged_ms, mut scroll, mut active) = (0, 0, last);
    if page_part {
        engaged_ms =
            read::number(at(4), &index(path, 4), 0.0, 1e9, errors).map(|s| (s * 1000.0).round() as i64).unwrap_or(0);
        scroll = read::number(at(5), &index(path, 5), 0.0, 100.0, errors).map(|d| d.round() as u8).unwrap_or(0);
        active =
            read::number(at(6), &index(path, 6), 0.0, span, errors).map(|s| base + (s * 1000.0) as i64).unwrap_or(last);
    }
    let older_first = match items.len() {
        5 | 8 => read::number(at(items.len() - 1), &index(path, items.len() - 1), 0.0, span, errors)
            .map(|s| base + (s * 1000.0) as i64)
            .unwrap_or(older),
        _ => older,
    };
    if older_first > older {
        fail!(errors, path, "the earliest forgotten time is after the latest");
    }
    let older_first = if older == 0 { 0 } else { older_first };
    (errors.0.len() == before).then_some(Tally { key, n, recent, older, older_first, engaged_ms, scroll, active })
}

/// Counts a campaign or referrer visit. Like `with_tally`, except that the first touch is never
/// the key dropped to make room, so first-touch attribution (`funnel`'s `touches`) can read it
/// however many campaigns came after. Keys are kept in the order they were first seen (a new one
/// is pushed at the end), so the first touch is the list's first.
fn with_touch(list: &mut Vec<Tally>, key: &str, ts: i64) {
    if list.len() >= MAX_KEYS && !list.iter().any(|t| t.key == key) {
        if let Some(stale) = list.iter().enumerate().skip(1).min_by_key(|(_, t)| t.active).map(|(i, _)| i) {
            list.remove(stale);
        }
    }
    with_tally(list, MAX_KEYS, key, |t| t.add(ts));
}

/// Applies `update` to the tally for `key`, created if new; when the list is full the least
/// recently seen key is dropped to make room.
fn with_tally(list: &mut Vec<Tally>, limit: usize, key: &str, update: impl FnOnce(&mut Tally)) {
    if let Some(existing) = list.iter_mut().find(|t| t.key == key) {
        update(existing);
        return;
    }
    if list.len() >= limit {
        if let Some(stale) = list.iter().enumerate().min_by_key(|(_, t)| t.active).map(|(i, _)| i) {
            list.remove(stale);
        }
    }
    let mut fresh = Tally::new(key.to_string());
    update(&mut fresh);
    list.push(fresh);
}

/// A company size as forms and CRMs write it: "120" → 120, "50-200" → 125 (the middle of a range),
/// "1,000+" → 1000, "10k" → 10000.
fn company_size(text: &str) -> Option<f64> {
    let mut numbers: Vec<f64> = Vec::new();
    let mut current: Option<f64> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(d) = c.to_digit(10) {
            current = Some(current.unwrap_or(0.0) * 10.0 + f64::from(d));
            continue;
        }
        if c == ',' && current.is_some() && chars.peek().is_some_and(char::is_ascii_digit) {
            continue;
        }
        if let Some(n) = current.take() {
            numbers.push(if c == 'k' || c == 'K' { n * 1000.0 } else { n });
        }
    }
    numbers.extend(current);
    match numbers.as_slice() {
        [n] => Some(*n),
        [a, b, ..] => Some(((a + b) / 2.0).floor()),
        [] => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_sizes_read_the_same_from_every_source() {
        assert_eq!(company_size("120"), Some(120.0));
        assert_eq!(company_size("50-200"), Some(125.0));
        assert_eq!(company_size("51 – 200 employees"), Some(125.0));
        assert_eq!(company_size("1,000+"), Some(1000.0));
        assert_eq!(company_size("10k+"), Some(10000.0));
        assert_eq!(company_size("many"), None);
        // identify({ company_size: '51-200' }) reads as the form reader's 125, not as text.
        let mut state = VisitorState::default();
        state.merge_traits(&[
            ("company_size".into(), Scalar::Text("51-200".into())),
            ("seats".into(), Scalar::Text("5-9".into())),
        ]);
        assert_eq!(state.trait_value("company_size"), Some(&Scalar::Number(125.0)));
        assert_eq!(state.trait_value("seats"), Some(&Scalar::Text("5-9".into())));
        state.merge_traits(&[("company_size".into(), Scalar::Text("unknown".into()))]);
        assert_eq!(state.trait_value("company_size"), Some(&Scalar::Text("unknown".into())));
    }

    #[test]
    fn the_first_touch_outlives_later_campaigns() {
        let mut state = VisitorState::default();
        let visit = |campaign: &str, referrer: &str, minute: i64| TimedEvent {
            ts: 1_800_000_000_000 + minute * 60_000,
            id: None,
            event: Event::PageView {
                path: "/".into(),
                referrer_host: Some(referrer.into()),
                utm: Some(["ads".into(), "cpc".into(), campaign.into()]),
            },
        };
        for minute in 0..(MAX_KEYS as i64 + 5) {
            state.ingest(&visit(&format!("c{minute}"), &format!("r{minute}.example"), minute));
        }
        let keys = |list: &[Tally]| list.iter().map(|t| t.key.clone()).collect::<Vec<_>>();
        assert_eq!(state.campaigns.len(), MAX_KEYS);
        assert!(keys(&state.campaigns).contains(&"ads|cpc|c0".to_string()), "{:?}", keys(&state.campaigns));
        assert!(keys(&state.campaigns).contains(&format!("ads|cpc|c{}", MAX_KEYS + 4)));
        assert!(!keys(&state.campaigns).contains(&"ads|cpc|c1".to_string()), "the least recent after the first goes");
        assert_eq!(state.campaigns.first().map(|t| t.key.as_str()), Some("ads|cpc|c0"), "kept first");
        assert!(keys(&state.referrers).contains(&"r0.example".to_string()));
    }
}
