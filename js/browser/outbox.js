// The delivery outbox of the website tag (bundled into pkg/browser/leadscore.js).
//
// The wasm hands over a qualified lead once per stage reached (`add`); the outbox keeps it in
// localStorage under `leadscore:outbox` until the endpoint acknowledges it, so a lead that qualifies as
// the tab closes or while offline is delivered on a later page load. One POST per entry: fetch with
// keepalive, `text/plain` (no CORS preflight), body < 64 KB. A tab claims an entry with a short lease and
// checks the claim held before sending, so two tabs do not both send it; the idempotency key in the body
// lets the receiver drop the rare duplicate (e.g. a response lost as the page closed).
//
// Retries: exponential backoff with jitter (1 s, 2 s, 4 s … capped at 1 h, each between half and all of
// that), at least Retry-After (delta-seconds or an HTTP date, at most a day) on 429/503. Give-up bound: MAX_ATTEMPTS
// failed attempts, or GIVE_UP_MS after the lead was queued, whichever comes first; 400/413/422 give up at
// once (the payload will never be accepted). Giving up emits `give-up` { key, stage, attempts, status,
// reason }; success emits `delivered` { key, stage, attempts, status }.

export const OUTBOX_KEY = 'leadscore:outbox';
export const MAX_ATTEMPTS = 10;
export const GIVE_UP_MS = 7 * 24 * 3600e3;
export const FIRST_RETRY_MS = 1e3;
export const MAX_RETRY_MS = 3600e3;
export const MAX_RETRY_AFTER_MS = 24 * 3600e3;
/** How long a tab's claim lasts; also how long one request may take before it counts as failed. */
export const LEASE_MS = 10e3;
/** Between claiming and sending, so that a concurrent claim by another tab shows. */
export const VERIFY_MS = 120;
export const MAX_OUTBOX = 8;

/** The n-th retry waits between half and all of FIRST_RETRY_MS · 2^(n-1), capped at MAX_RETRY_MS. */
export const backoff = (tries, random) => {
  const full = Math.min(FIRST_RETRY_MS * 2 ** Math.min(Math.max(tries - 1, 0), 30), MAX_RETRY_MS);
  return full / 2 + (full / 2) * Math.min(Math.max(random, 0), 1);
};

/** Retry-After, delta-seconds or an HTTP date (measured from `now`), in ms; undefined when unreadable. */
export const retryAfterMs = (header, now = Date.now()) => {
  const text = header == null ? '' : String(header).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.min(Number(text) * 1e3, MAX_RETRY_AFTER_MS);
  const at = /[a-z]/i.test(text) ? Date.parse(text) : NaN;
  return Number.isFinite(at) ? Math.min(Math.max(at - now, 0), MAX_RETRY_AFTER_MS) : undefined;
};

/** The endpoint has the lead: 2xx, or 409 (it already had it). */
const accepted = (status) => (status > 199 && status < 300) || status === 409;

/** What to do after an attempt that ended with HTTP `status` (0: network error or timeout). */
export const verdict = (entry, status, retryAfter, now, random) => {
  if (accepted(status)) return { delivered: true };
  if (status === 400 || status === 413 || status === 422) return { giveUp: 'rejected' };
  if (entry.tries + 1 >= MAX_ATTEMPTS) return { giveUp: 'attempts' };
  let delay = backoff(entry.tries + 1, random);
  const after = status === 429 || status === 503 ? retryAfterMs(retryAfter, now) : undefined;
  if (after > delay) delay = after;
  if (now + delay - entry.first > GIVE_UP_MS) return { giveUp: 'expired' };
  return { retry: now + delay };
};

const valid = (e) => e && typeof e.key === 'string' && typeof e.stage === 'string' && typeof e.body === 'string'
  && typeof e.owner === 'string' && [e.tries, e.first, e.next, e.lease].every(Number.isFinite);

/** The stored entries (the newest MAX_OUTBOX valid ones); throws when storage is unreadable or the text corrupt. */
const readEntries = (storage, codec) => {
  const text = storage().getItem(OUTBOX_KEY);
  const list = text ? codec.read(text) : [];
  return Array.isArray(list) ? list.filter(valid).slice(-MAX_OUTBOX) : [];
};

/** Writes `entries` (none: removes the key); false when storage refuses (full, blocked, throwing). */
const writeEntries = (storage, codec, entries) => {
  try {
    if (entries.length) storage().setItem(OUTBOX_KEY, codec.write(entries));
    else storage().removeItem(OUTBOX_KEY);
    return true;
  } catch {
    return false;
  }
};

/**
 * One POST of `body` to `endpoint`. `end(status, retryAfter)` is called when the request answers (status 0: a
 * network error) and, with 0, once LEASE_MS have passed (its timeout): twice when it answers late. False when
 * this page's fetch throws (nothing was sent).
 */
const post = (fetch, endpoint, body, setTimer, end) => {
  let request;
  try {
    request = fetch()(endpoint, {
      method: 'POST', body, keepalive: true, credentials: 'omit',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
    });
  } catch {
    return false;
  }
  const done = (response) => {
    let status = 0;
    let retryAfter;
    try {
      status = typeof response.status === 'number' ? response.status : 0;
      retryAfter = response.headers.get('retry-after');
    } catch {}
    end(status, retryAfter);
  };
  // The request's own then, not Promise.resolve (the page's Promise may be replaced); a fetch replaced by
  // something that returns no promise counts as a network error.
  try { request.then(done, () => end(0)); } catch { end(0); }
  setTimer(() => end(0), LEASE_MS);
  return true;
};

/** An entry no tab holds: the next page load (or another tab) may send it. */
const release = (e) => { e.owner = ''; e.lease = 0; };

/**
 * The entry `tab` may send at `t` (not waiting for a retry, not held by another tab's live claim), or when to look
 * again (`wake`, Infinity when there is nothing to wait for).
 */
const due = (entries, tab, t) => {
  const mine = (x) => !x.owner || x.owner === tab;
  const entry = entries.find((x) => x.next <= t && (mine(x) || x.lease <= t));
  return entry ? { entry } : { wake: Math.min(...entries.map((x) => (mine(x) ? x.next : Math.max(x.next, x.lease)))) };
};

/**
 * Sends one entry at a time and records each attempt's outcome: delivered, given up, or the next retry. `list()`
 * is the entries in memory, `load()` as stored, `save()` writes them back, `drop(e, name, status, reason)` takes one
 * out and tells the page; `broken()` is called when this page's fetch throws (nothing was sent), `after()` once an
 * outcome is recorded. Returns [send(key), busy()].
 */
function createSender({ endpoint, fetch, now, random, setTimer, list, load, save, drop, broken, after }) {
  let inFlight;
  let attempt; // the request in flight (its identity), see send

  function send(key) {
    const e = list().find((x) => x.key === key);
    if (!e) return;
    inFlight = key;
    const id = (attempt = {}); // this attempt: its timeout must not end a later one (same key, sent after a retry)
    const sent = post(fetch, endpoint, e.body, setTimer, (status, retryAfter) => {
      if (attempt === id) {
        attempt = undefined;
        result(key, status, retryAfter);
      } else if (accepted(status)) {
        result(key, status, retryAfter, true); // an attempt already counted as failed got through after all
      }
    });
    if (!sent) {
      // fetch replaced by something that throws: this page cannot send, a later one will.
      inFlight = attempt = undefined;
      broken();
      release(e);
      save();
    }
  }

  function result(key, status, retryAfter, late) {
    if (!late && inFlight === key) inFlight = undefined;
    const e = load().find((x) => x.key === key);
    if (e) {
      const v = verdict(e, status, retryAfter, now(), random());
      if (v.retry) Object.assign(e, { tries: e.tries + 1, next: v.retry, owner: '', lease: 0 });
      else drop(e, v.delivered ? 'delivered' : 'give-up', status, v.giveUp);
      save();
    }
    after();
  }

  return [send, () => !!inFlight];
}

/**
 * @param o.endpoint  where to POST
 * @param o.emit      (name, detail) => void
 * @param o.storage   () => Storage (may throw; memory is used then)
 * @param o.fetch     () => the fetch to use (looked up at send time: the page's current one)
 * @param o.codec     { write(list) => text, read(text) => list }: how the list is stored. The tag passes the
 *                    wasm's JSON codec, since a page's JSON may be replaced or broken (Prototype.js 1.6 makes
 *                    JSON.stringify of an array return a string).
 * @param o.departing () => true while the page is on its way out (a form submitted, a link followed; see
 *                    js/browser/listen.js): a claimed entry then waits, and `pagehide` leaves it to the next page.
 *                    A request still in flight as the page goes gets no answer this page could record, so it would
 *                    be sent again: a lead qualified by the very submission that leaves the page is the usual case.
 */
export function createOutbox({ endpoint, emit, storage = () => localStorage, fetch = () => globalThis.fetch,
  codec = { write: (list) => JSON.stringify(list), read: (text) => JSON.parse(text) }, departing = () => false,
  now = Date.now, random = Math.random, setTimer = setTimeout, clearTimer = clearTimeout }) {
  const tab = random().toString(36).slice(2);
  const gate = { on: false, held: false, broken: false, gone: false }; // see `outboxApi`
  let entries = [];
  let dirty = false; // the last write failed: memory holds the newest entries
  let claimed;
  let timer;

  const load = () => {
    if (!dirty) {
      try { entries = readEntries(storage, codec); } catch {} // unreadable or corrupt: keep what memory has
    }
    return entries;
  };
  const save = () => { dirty = !writeEntries(storage, codec, entries); };
  const drop = (e, name, status, reason) => {
    entries = entries.filter((x) => x !== e);
    emit(name, { key: e.key, stage: e.stage, attempts: e.tries + 1, status, ...(reason && { reason }) });
  };
  const [send, busy] = createSender({ endpoint, fetch, now, random, setTimer, list: () => entries, load, save, drop,
    broken: () => { gate.broken = true; }, after: () => flush() });

  function flush() {
    if (!gate.on || gate.broken || gate.gone || busy() || claimed || !endpoint) return;
    const t = now();
    const expired = load().filter((x) => t - x.first > GIVE_UP_MS);
    for (const e of expired) drop(e, 'give-up', 0, 'expired');
    const { entry: e, wake } = due(entries, tab, t);
    if (!e) {
      clearTimer(timer);
      if (wake < Infinity) timer = setTimer(flush, Math.min(wake - t + 10, 2 ** 31 - 1));
      if (expired.length) save();
      return;
    }
    e.owner = tab;
    e.lease = t + LEASE_MS;
    save();
    if (dirty) send(e.key); // storage unusable: no other tab can see this outbox anyway
    else {
      claimed = e.key;
      setTimer(verify, VERIFY_MS);
    }
  }

  function verify() {
    if (departing()) {
      timer = setTimer(verify, VERIFY_MS);
      return;
    }
    const key = claimed;
    claimed = undefined;
    if (load().some((e) => e.key === key && e.owner === tab)) send(key);
    else flush();
  }

  return outboxApi(gate, now, load, save, flush,
    (entry) => { entries = entry ? [...entries, entry].slice(-MAX_OUTBOX) : []; },
    () => {
      const e = claimed && entries.find((x) => x.key === claimed);
      claimed = undefined;
      clearTimer(timer);
      return e;
    },
    () => { try { storage().removeItem(OUTBOX_KEY); } catch {} });
}

/**
 * The outbox's methods for the collector. `gate`: `on` (consent: may store and send), `held` (consent to storage
 * only: leads are queued and kept, not sent), `broken` (this page's fetch throws: the entries are left to the next
 * page load), `gone` (pagehide: no new request from this page). `load`, `save`, `flush` as in createOutbox;
 * `set(entry)` appends an entry (the newest MAX_OUTBOX are kept), `set()` forgets them all; `unclaim()` hands back
 * the claim not yet sent (opt-out, pagehide) and returns the entry it named, if any; `forget()` removes the stored
 * list. (Positional: the minifier shortens them.)
 */
function outboxApi(gate, now, load, save, flush, set, unclaim, forget) {
  return {
    /** Queues a payload (once per key) and tries to send it. */
    add(key, stage, body) {
      if (!gate.on && !gate.held) return;
      const t = now();
      if (!load().some((e) => e.key === key)) {
        set({ key, stage, body, tries: 0, first: t, next: t, owner: '', lease: 0 });
        save();
      }
      flush();
    },
    /** Consent given (at start or later): deliver what earlier pages left. */
    start() {
      gate.on = true;
      flush();
    },
    /** Storage without sending (docs/snippet.md, "Consent managers"): queue leads, send them once started. */
    hold() {
      gate.held = true;
    },
    /** Back from the back/forward cache: sending is possible again. */
    pageshow() {
      gate.gone = false;
      flush();
    },
    /** Opt-out: forget every undelivered lead. */
    stop() {
      gate.on = gate.held = false;
      set();
      unclaim();
      forget();
    },
    /**
     * The page is going away. A claimed entry not yet sent is released for the next page load rather than
     * sent now: a request started at unload gets no answer this page could record, so it would be sent
     * again later. (Requests already in flight carry on: keepalive.)
     */
    pagehide() {
      const e = unclaim();
      gate.gone = true;
      if (e) {
        release(e);
        save();
      }
    },
  };
}
