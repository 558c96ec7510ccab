//! The saved form of a visitor state: short keys, times in seconds after the first event; read back
//! with every malformed part rejected by name.

use super::*;
use crate::json;

impl VisitorState {
    /// The state as a plain JSON-compatible value: short keys, times in seconds after `first`; the same as
    /// [`VisitorState::write_json`] writes (a test holds them to it). Both exist because each is the small one
    /// where it is used: the npm package's wasm hands this value to JS and has no float formatting or parsing
    /// (reading the text back would add them, +44 KB), while the tag writes text and building this tree
    /// costs it more code.
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

    /// Appends the saved form as JSON text: short keys, times in seconds after `first`. Written straight
    /// to text, without a value tree (what the tag stores, attaches to forms and sends).
    pub fn write_json(&self, out: &mut String) {
        let base = self.first;
        out.push_str("{\"v\":");
        number(out, STATE_VERSION);
        out.push_str(",\"first\":");
        number(out, self.first as f64);
        out.push_str(",\"last\":");
        number(out, secs(self.last, base));
        out.push_str(",\"visits\":");
        write_tally(out, &self.visits, base);
        // Pages are always saved; the other lists when they hold anything.
        for (key, list) in self.keyed() {
            if key == "pages" || !list.is_empty() {
                json::write_key(key, out);
                out.push('[');
                for (i, t) in list.iter().enumerate() {
                    comma(out, i);
                    write_tally(out, t, base);
                }
                out.push(']');
            }
        }
        if !self.traits.is_empty() {
            json::write_key("traits", out);
            self.write_traits(out, false);
        }
        if !self.ids.is_empty() {
            json::write_key("ids", out);
            out.push('[');
            for (i, &id) in self.ids.iter().enumerate() {
                comma(out, i);
                number(out, f64::from(id));
            }
            out.push(']');
        }
        out.push('}');
    }

    /// Appends the traits as a JSON object (`emails`: only the email and its domain, for the minimal payload).
    pub fn write_traits(&self, out: &mut String, emails: bool) {
        out.push('{');
        for (key, value) in &self.traits {
            if emails && !key.starts_with("email") {
                continue;
            }
            if !out.ends_with('{') {
                out.push(',');
            }
            json::write_string(key, out);
            out.push(':');
            match value {
                Scalar::Text(text) => json::write_string(text, out),
                Scalar::Number(n) => number(out, *n),
                Scalar::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            }
        }
        out.push('}');
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

/// A number as JSON text.
fn number(out: &mut String, n: f64) {
    out.push_str(&json::write(&Value::Number(n)));
}

/// The separator before a list's item `i`.
fn comma(out: &mut String, i: usize) {
    if i > 0 {
        out.push(',');
    }
}

/// `[key, n, older, [recent…]]`, plus engaged seconds, scroll depth and last active time for pages, then the
/// earliest forgotten time when it differs from `older`.
fn write_tally(out: &mut String, t: &Tally, base: i64) {
    out.push('[');
    json::write_string(&t.key, out);
    out.push(',');
    number(out, f64::from(t.n));
    out.push(',');
    number(out, if t.older == 0 { -1.0 } else { secs(t.older, base) });
    out.push_str(",[");
    for (i, &r) in t.recent.iter().enumerate() {
        comma(out, i);
        number(out, secs(r, base));
    }
    out.push(']');
    let mut extra = |n: f64| {
        out.push(',');
        number(out, n);
    };
    if t.engaged_ms > 0 || t.scroll > 0 || t.active != t.last() {
        extra(t.engaged_ms as f64 / 1000.0);
        extra(f64::from(t.scroll));
        extra(secs(t.active, base));
    }
    if t.older_first != 0 && t.older_first != t.older {
        extra(secs(t.older_first, base));
    }
    out.push(']');
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
    let mut recent: Vec<i64> = Vec::new();
    let mut ascending = true;
    if let Some(times) = read::array(at(3), &index(path, 3), errors) {
        if times.len() > RECENT {
            fail!(errors, &index(path, 3), "at most {RECENT} times");
        }
        for (i, t) in times.iter().take(RECENT).enumerate() {
            if let Some(s) = read::number(t, &index(&index(path, 3), i), 0.0, span, errors) {
                let t = base + (s.floor() * 1000.0) as i64;
                ascending &= recent.last().is_none_or(|&last| last <= t);
                recent.push(t);
            }
        }
    }
    if !ascending {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_saved_text_is_the_stored_format_and_reads_back() {
        let t0 = 1_800_000_000_000;
        let page = Tally {
            key: "/pricing".into(),
            n: 6,
            recent: vec![t0 + 2_000, t0 + 3_000, t0 + 4_000, t0 + 5_000],
            older: t0 + 1_000,
            older_first: t0,
            engaged_ms: 12_500,
            scroll: 75,
            active: t0 + 9_000,
        };
        let state = VisitorState {
            first: t0,
            last: t0 + 9_000,
            visits: Tally { key: String::new(), n: 1, recent: vec![t0], active: t0, ..Tally::default() },
            pages: vec![page],
            clicks: vec![Tally {
                key: "say \"hi\"".into(),
                n: 1,
                recent: vec![t0 + 60_000],
                active: t0 + 60_000,
                ..Tally::default()
            }],
            traits: vec![("email".into(), Scalar::Text("a@b.example".into())), ("seats".into(), Scalar::Number(2.5))],
            ids: vec![7, 4_294_967_295],
            ..VisitorState::default()
        };
        let mut text = String::new();
        state.write_json(&mut text);
        assert_eq!(
            text,
            r#"{"v":1,"first":1800000000000,"last":9,"visits":["",1,-1,[0]],"pages":[["/pricing",6,1,[2,3,4,5],12.5,75,9,0]],"clicks":[["say \"hi\"",1,-1,[60]]],"traits":{"email":"a@b.example","seats":2.5},"ids":[7,4294967295]}"#
        );
        assert_eq!(VisitorState::from_value(&state.to_value()), Ok(state.clone()));
        // The value and the text are the same saved form, also for an empty state and a page without extras.
        assert_eq!(crate::json::write(&state.to_value()), text);
        let mut plain = VisitorState::default();
        plain.pages.push(Tally { key: "/".into(), n: 1, recent: vec![0], ..Tally::default() });
        for state in [VisitorState::default(), plain] {
            let mut text = String::new();
            state.write_json(&mut text);
            assert_eq!(crate::json::write(&state.to_value()), text);
        }
    }
}
