// Consent sources (`consent: 'tcf' | 'gcm' | 'cookiebot' | 'onetrust' | 'manual'`; docs/snippet.md, "Consent
// managers"): each follows a consent manager live through its documented API and hands the visitor's choice to
// the page API as `consent({ storage, sending })`; 'manual' remembers the site's own calls. Until the manager
// answers, the collector keeps everything in memory (normalize starts it without consent). Only the page API
// and the vendors' documented globals are used; nothing here throws into the page.
import { watchLayer } from './datalayer.js';

/** The manual source's remembered choice (read by the collector as it starts): `storage` or `storage,sending`. */
export const CHOICE_KEY = 'leadscore:consent';

const has = (list, id) => `,${list},`.includes(`,${id},`);

// Each source: (w, answer(storage, sending), guard, settings, report) → stop. `answer` is called on every answer
// of the manager; `guard(fn)` wraps the callbacks handed to the page and vendors (an error is reported, not thrown).
// With Global Privacy Control (settings.gpc) only the visitor's explicit answers count, not a manager's defaults.
const SOURCES = {
  // IAB TCF v2.2: storage under purpose 1; sending needs purposes 3 and 4 (profile, use of the profile).
  tcf(w, answer, guard, settings) {
    let id;
    let stopped = false;
    const onData = guard((tc, ok) => {
      if (!ok || !tc) return;
      id = tc.listenerId;
      if (tc.gdprApplies === false) return settings.gpc || answer(true, true);
      if (tc.eventStatus !== 'tcloaded' && tc.eventStatus !== 'useractioncomplete') return; // cmpuishown: no answer yet
      const yes = (n) => !!((tc.purpose && tc.purpose.consents || {})[n] || (tc.publisher && tc.publisher.consents || {})[n]);
      answer(yes(1), yes(3) && yes(4));
    });
    // The CMP's stub is on the page before any other script (TCF); one loaded later is looked for at `load`.
    const listen = guard(() => {
      if (!stopped && id === undefined && typeof w.__tcfapi === 'function') w.__tcfapi('addEventListener', 2, onData);
    });
    listen();
    w.addEventListener('load', listen);
    return guard(() => {
      stopped = true;
      w.removeEventListener('load', listen);
      if (id !== undefined) w.__tcfapi('removeEventListener', 2, () => {}, id);
    });
  },
  // Google Consent Mode v2 from the dataLayer: storage under analytics_storage, sending also needs
  // ad_user_data. A `default` only counts when it grants (the visitor has not chosen yet); an `update` always.
  gcm(w, answer, guard, settings, report) {
    const now = {};
    return watchLayer(w, settings.gtm || 'dataLayer', report, (item) => {
      const kind = item && item[0] === 'consent' && item[1];
      const given = item && item[2];
      if ((kind !== 'default' && kind !== 'update') || !given || typeof given !== 'object') return;
      for (const signal of ['analytics_storage', 'ad_user_data']) {
        // A default for some regions only: the visitor may be elsewhere, so only its denials are taken.
        if (given[signal] === 'denied' || (given[signal] === 'granted' && !(kind === 'default' && given.region))) now[signal] = given[signal];
      }
      const storage = now.analytics_storage === 'granted';
      if (kind === 'update' || (storage && !settings.gpc)) answer(storage, now.ad_user_data === 'granted');
    });
  },
  // Cookiebot: storage under `statistics`, sending under `marketing`.
  cookiebot(w, answer, guard) {
    const read = guard(() => {
      const bot = w.Cookiebot;
      if (bot && bot.consent && bot.hasResponse) answer(bot.consent.statistics === true, bot.consent.marketing === true);
    });
    read();
    w.addEventListener('CookiebotOnAccept', read);
    w.addEventListener('CookiebotOnDecline', read);
    return () => {
      w.removeEventListener('CookiebotOnAccept', read);
      w.removeEventListener('CookiebotOnDecline', read);
    };
  },
  // OneTrust: storage under the Performance group (C0002), sending under Targeting (C0004).
  onetrust(w, answer, guard, settings) {
    const read = guard(() => {
      const groups = w.OnetrustActiveGroups;
      if (typeof groups === 'string') answer(has(groups, 'C0002'), has(groups, 'C0004'));
    });
    if (!settings.gpc) read(); // the groups at load may be the region's defaults; an update is the visitor's
    w.addEventListener('OneTrustGroupsUpdated', read);
    return () => w.removeEventListener('OneTrustGroupsUpdated', read);
  },
};

/** Follows the consent manager named `settings.consentSource` (or remembers the manual choices); returns a stop. */
export function followConsent(api, settings, report) {
  const guard = (fn) => function (...args) {
    try { fn(...args); } catch (error) { report(error); }
  };
  // The site calls consent() itself: each choice is remembered (with storage only) for the next pages.
  if (settings.consentSource === 'manual') {
    return api.on('consent', ({ storage, sending }) => {
      try {
        if (storage) localStorage.setItem(CHOICE_KEY, sending ? 'storage,sending' : 'storage');
        else localStorage.removeItem(CHOICE_KEY);
      } catch {} // storage blocked or full: the choice lasts for this page
    });
  }
  const source = ['tcf', 'gcm', 'cookiebot', 'onetrust'].includes(settings.consentSource) && SOURCES[settings.consentSource];
  if (!source) {
    throw new Error(`consent: ${settings.consentSource} is not one of tcf, gcm, cookiebot, onetrust, manual (memory only)`);
  }
  let last;
  const answer = (storage, sending) => {
    const choice = { storage, sending: storage && sending };
    const key = `${choice.storage} ${choice.sending}`;
    if (key !== last) {
      last = key;
      api.consent(choice);
    }
  };
  return source(window, answer, guard, settings, report);
}
