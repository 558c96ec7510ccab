//! The saved form of a visitor state: short keys, times in seconds after the first event; read back
//! with every malformed part rejected by name.

use super::*;

impl VisitorState {
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
