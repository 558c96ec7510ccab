//! The visitor state: a compact, bounded summary of what scoring needs, not an event log.
//! It is model-independent, so a changed model rescores the same visitor, and the edge can score
//! a summary the browser attached to a form.

use crate::error::{fail, index, join, Errors};
use crate::model::Scalar;
use crate::read;
use crate::value::Value;

mod event;
mod saved;

pub use event::{event_fields, event_types, fields_of_type, parse_traits, Event, EventFields, TimedEvent};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingested {
    Counted,
    Duplicate,
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
                count(&mut self.pages, MAX_PAGES, path, ts);
                if let Some(host) = referrer_host {
                    with_touch(&mut self.referrers, host, ts);
                }
                if let Some([source, medium, campaign]) = utm {
                    if !(source.is_empty() && medium.is_empty() && campaign.is_empty()) {
                        let key = read::concat(&[source, "|", medium, "|", campaign]);
                        with_touch(&mut self.campaigns, &key, ts);
                        // A visit from an email campaign is an email click, whoever reports it.
                        if medium == "email" {
                            count(&mut self.email_clicks, MAX_KEYS, campaign, ts);
                        }
                    }
                }
            }
            Event::Engaged { path, seconds } => {
                if let Some(page) = tally(&mut self.pages, MAX_PAGES, path, 0) {
                    page.engaged_ms = page.engaged_ms.saturating_add((seconds * 1000.0).round() as i64);
                    page.touch(ts);
                }
            }
            Event::Scroll { path, depth } => {
                if let Some(page) = tally(&mut self.pages, MAX_PAGES, path, 0) {
                    page.scroll = page.scroll.max(depth.round() as u8);
                    page.touch(ts);
                }
            }
            Event::Download { url } => count(&mut self.downloads, MAX_KEYS, url, ts),
            Event::FormSubmit { form, traits } => {
                count(&mut self.forms, MAX_KEYS, form, ts);
                self.merge_traits(traits);
            }
            Event::Click { name } => count(&mut self.clicks, MAX_KEYS, name, ts),
            Event::Named { name } => count(&mut self.events, MAX_KEYS, name, ts),
            Event::EmailClick { campaign } => count(&mut self.email_clicks, MAX_KEYS, campaign, ts),
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
                    if let Some(domain) = crate::pattern::after_last(email.trim(), b'@') {
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
}

/// FNV-1a: a tiny stable hash, enough to recognise a replayed event id.
/// A campaign's key (`source|medium|campaign`, see `ingest`) split back into its parts, as `splitn(3, '|')` would.
pub fn campaign_parts(key: &str) -> [&str; 3] {
    let (source, rest) = crate::pattern::split_once(key, b'|').unwrap_or((key, ""));
    let (medium, campaign) = crate::pattern::split_once(rest, b'|').unwrap_or((rest, ""));
    [source, medium, campaign]
}

fn id_hash(id: &str) -> u32 {
    id.bytes().fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

/// Counts a campaign or referrer visit. Like `count`, except that the first touch is never
/// the key dropped to make room, so first-touch attribution (`funnel`'s `touches`) can read it
/// however many campaigns came after. Keys are kept in the order they were first seen (a new one
/// is pushed at the end), so the first touch is the list's first.
fn with_touch(list: &mut Vec<Tally>, key: &str, ts: i64) {
    if let Some(t) = tally(list, MAX_KEYS, key, 1) {
        t.add(ts);
    }
}

/// Counts an occurrence of `key` at `ts` (see `tally`).
fn count(list: &mut Vec<Tally>, limit: usize, key: &str, ts: i64) {
    if let Some(t) = tally(list, limit, key, 0) {
        t.add(ts);
    }
}

/// The tally for `key`, created if new; when the list is full the least recently seen key after the
/// first `kept` is dropped to make room. (Returned rather than handed to a callback: one copy of this
/// for every caller.)
fn tally<'a>(list: &'a mut Vec<Tally>, limit: usize, key: &str, kept: usize) -> Option<&'a mut Tally> {
    let at = match list.iter().position(|t| t.key == key) {
        Some(at) => at,
        None => {
            if list.len() >= limit {
                // The first of the least recently seen, by a plain loop (an iterator chain costs the tag more code).
                let mut stale = None;
                let mut oldest = i64::MAX;
                for (i, t) in list.iter().enumerate() {
                    if i >= kept && t.active < oldest {
                        oldest = t.active;
                        stale = Some(i);
                    }
                }
                if let Some(stale) = stale {
                    list.remove(stale);
                }
            }
            list.push(Tally::new(key.to_string()));
            list.len() - 1
        }
    };
    list.get_mut(at)
}

/// A company size as forms and CRMs write it: "120" → 120, "50-200" → 125 (the middle of a range),
/// "1,000+" → 1000, "10k" → 10000.
fn company_size(text: &str) -> Option<f64> {
    // The first two numbers, read byte by byte (a non-ASCII character only ends a number) into a pair, not a
    // list: `found` counts the numbers seen.
    let mut numbers = [0.0; 2];
    let mut found = 0;
    let mut keep = |n: f64| {
        if let Some(slot) = numbers.get_mut(found) {
            *slot = n;
        }
        found += 1;
    };
    let mut current: Option<f64> = None;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b.is_ascii_digit() {
            current = Some(current.unwrap_or(0.0) * 10.0 + f64::from(b - b'0'));
            continue;
        }
        if b == b',' && current.is_some() && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            continue;
        }
        if let Some(n) = current.take() {
            keep(if b == b'k' || b == b'K' { n * 1000.0 } else { n });
        }
    }
    if let Some(n) = current {
        keep(n);
    }
    let [first, second] = numbers;
    match found {
        0 => None,
        1 => Some(first),
        _ => Some(((first + second) / 2.0).floor()),
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
