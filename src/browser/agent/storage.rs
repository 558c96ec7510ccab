//! The visitor state in localStorage: reading, writing and merging it with what other tabs wrote (their
//! journals, see `store`), opting out, and the last valid model kept beside it.

use super::*;

/// `storage.getItem(key)`; None when absent or when storage throws. Not inlined, like the two below: each call
/// carries its string passing and exception check, and the agent makes a dozen.
#[inline(never)]
pub(super) fn read_item(storage: &Storage, key: &str) -> Option<String> {
    storage.get_item(key).ok().flatten()
}

/// `storage.setItem(key, value)`; false when storage throws (full, denied).
#[inline(never)]
pub(super) fn write_item(storage: &Storage, key: &str, value: &str) -> bool {
    storage.set_item(key, value).is_ok()
}

#[inline(never)]
pub(super) fn remove_item(storage: &Storage, key: &str) {
    let _ = storage.remove_item(key);
}

/// Whether the visitor opted out (`consent(false)`, in this tab or another).
pub(super) fn opted_out(storage: &Storage) -> bool {
    read_item(storage, OPT_OUT_KEY).as_deref() == Some("1")
}

/// The keys of the tabs' journals in `storage`.
pub(super) fn journal_keys(storage: &Storage) -> Vec<String> {
    let mut keys = Vec::new();
    for i in 0..storage.length().unwrap_or(0).min(MAX_SCANNED) {
        if let Some(key) = storage.key(i).ok().flatten().filter(|key| key.starts_with(JOURNAL_PREFIX)) {
            keys.push(key);
        }
    }
    keys
}

/// The page's localStorage (None where it is unavailable or throws), read from the global object: not
/// `web_sys::window()`, which checks `instanceof Window` (MooTools replaces `Window`).
pub(super) fn local_storage() -> Option<Storage> {
    let storage = GLOBAL_THIS.with(|global| Reflect::get(global, &JsValue::from_str("localStorage"))).ok()?;
    (storage.is_object()).then(|| storage.unchecked_into())
}

impl Agent {
    pub(super) fn open_storage(&mut self) {
        self.storage = local_storage();
        if self.storage.as_ref().is_some_and(opted_out) {
            self.off = true;
            self.consent = false;
            self.storage = None;
        } else {
            // Journals left by tabs closed before their events reached the stored state are applied.
            self.sync(true);
        }
    }

    /// Keeps a valid model in storage (written when it changed); without one (invalid, unreachable)
    /// scores with the one kept from an earlier page, and says so next to the error.
    pub(super) fn keep_model(&mut self) {
        let Some(storage) = &self.storage else { return };
        let kept = read_item(storage, MODEL_KEY);
        if self.model.is_some() {
            if let Some(json) = self.model_json.take().filter(|json| kept.as_ref() != Some(json)) {
                write_item(storage, MODEL_KEY, &json);
            }
            return;
        }
        let Some(model) = kept
            .and_then(|text| json::parse(&text))
            .and_then(|doc| select_model(self.config.model_name.as_deref(), &doc).ok())
        else {
            return;
        };
        let mut message = String::from("scoring with the last valid model kept by this browser: ");
        message.push_str(&model.name);
        if let Some(version) = &model.version {
            message.push_str(" version ");
            message.push_str(version);
        }
        self.report(message);
        self.model = Some(model);
    }

    /// An event the tag observed (JSON text begun by [`event_text`]), at this moment (a rejected one, e.g. an odd
    /// page title, is skipped). Written as text and read back by the JSON reader the tag has anyway: building a
    /// value tree at each call site costs more code.
    #[inline(never)]
    pub(super) fn record(&mut self, mut event: String) {
        if self.off {
            return;
        }
        event.push_str(",\"ts\":");
        json::write_digits(now() as u64, &mut event);
        event.push('}');
        if let Some(event) = json::parse(&event) {
            let _ = self.ingest(event);
        }
    }

    pub(super) fn ingest(&mut self, value: Value) -> Result<(), String> {
        if self.off {
            return Ok(());
        }
        let event = TimedEvent::parse(&value, "event").map_err(|e| e.text())?;
        self.sync(false);
        self.state.ingest(&event);
        self.journal(&value);
        if !self.consent && self.pending.len() < MAX_PENDING {
            self.pending.push(value);
        }
        self.evaluate();
        self.save();
        Ok(())
    }

    /// Adopts what another tab stored since this one last read or wrote, then applies what the tabs'
    /// journals hold that the stored state lacks (see `store`), and saves if that changed it. True when
    /// the state was adopted or changed. `scan`: look at the journals even when the envelope is as this
    /// tab left it (at start, and when another tab wrote).
    pub(super) fn sync(&mut self, scan: bool) -> bool {
        if self.dirty {
            return false;
        }
        let Some(storage) = self.storage.clone() else { return false };
        let raw = read_item(&storage, KEY);
        let changed = raw != self.seen;
        let mut adopted = false;
        if changed {
            self.seen = raw.clone();
            match raw {
                // Erased elsewhere: by an opt-out in another tab, or by the site.
                None if opted_out(&storage) => {
                    self.set_consent(false);
                    return false;
                }
                None => {}
                // Corrupt or foreign data is ignored here and replaced at the next save.
                Some(raw) => {
                    if let Some(mut env) = json::parse(&raw).and_then(Envelope::from_value) {
                        if let Some(state) = env.state.take().and_then(|s| VisitorState::from_value(&s).ok()) {
                            self.state = state;
                            adopted = true;
                        }
                        if env.id != self.env.id {
                            // Another visitor now (a reset in another tab): this tab's journal was the old one's.
                            self.forget_journal();
                        }
                        self.env = env;
                    }
                }
            }
        }
        if !(changed || scan) {
            return false;
        }
        let merged = self.apply_journals(&storage);
        if merged {
            self.save();
        }
        adopted || merged
    }

    /// Applies the entries of every journal of this visitor that the state does not hold yet.
    pub(super) fn apply_journals(&mut self, storage: &Storage) -> bool {
        let mut journals = vec![(self.tab.clone(), std::mem::take(&mut self.journal))];
        for key in journal_keys(storage) {
            let Some(tab) = key.strip_prefix(JOURNAL_PREFIX).filter(|tab| *tab != self.tab) else { continue };
            let stored = read_item(storage, &key).and_then(|text| json::parse(&text));
            if let Some((id, entries)) = stored.and_then(journal_from_value) {
                if id == self.env.id {
                    journals.push((tab.to_string(), entries));
                }
            }
        }
        // Marks of tabs whose journal is gone are dropped: their next entries are all new.
        self.env.applied.retain(|(tab, _)| journals.iter().any(|(t, _)| t == tab));
        let mut merged = false;
        for (tab, entries) in &journals {
            let applied = self.env.applied(tab);
            let mut top = applied;
            for entry in entries.iter().filter(|e| e.seq > applied) {
                replay(&mut self.state, &entry.event);
                top = top.max(entry.seq);
            }
            if top > applied {
                self.env.set_applied(tab, top);
                merged = true;
            }
        }
        if let Some((_, own)) = journals.into_iter().next() {
            self.journal = own;
        }
        merged
    }

    /// Adds `event` (just ingested) to this tab's journal, written before the envelope.
    pub(super) fn journal(&mut self, event: &Value) {
        if self.storage.is_none() || self.dirty {
            return;
        }
        self.seq = self.seq.saturating_add(1);
        self.journal.push(Entry { seq: self.seq, at: now(), event: event.clone() });
        if self.journal.len() > MAX_JOURNAL {
            self.journal.remove(0);
        }
        self.env.set_applied(&self.tab, self.seq);
        self.write_journal();
    }

    /// Drops the entries the stored state has held for a while; they can no longer be overwritten.
    pub(super) fn prune_journal(&mut self) {
        if self.journal.is_empty() {
            return;
        }
        // After a sync, the envelope in memory is the stored one.
        self.sync(false);
        let applied = self.env.applied(&self.tab);
        let before = now() - JOURNAL_KEEP_MS;
        let count = self.journal.len();
        self.journal.retain(|e| e.seq > applied || e.at > before);
        if self.journal.len() != count {
            self.write_journal();
        }
    }

    pub(super) fn journal_key(&self) -> String {
        let mut key = String::from(JOURNAL_PREFIX);
        key.push_str(&self.tab);
        key
    }

    pub(super) fn write_journal(&self) {
        let Some(storage) = &self.storage else { return };
        let key = self.journal_key();
        if self.journal.is_empty() {
            remove_item(storage, &key);
        } else {
            write_item(storage, &key, &journal_json(&self.env.id, &self.journal));
        }
    }

    pub(super) fn forget_journal(&mut self) {
        self.journal.clear();
        self.write_journal();
    }

    /// Writes the envelope; when storage throws (full, denied) memory keeps the state.
    pub(super) fn save(&mut self) {
        if !self.consent || self.off {
            return;
        }
        let Some(storage) = &self.storage else { return };
        let json = self.env.to_json(Some(&self.state));
        if write_item(storage, KEY, &json) {
            self.seen = Some(json);
            self.dirty = false;
        } else {
            self.dirty = true;
        }
    }
}
