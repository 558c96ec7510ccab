// Google Tag Manager's dataLayer as signals (`gtm: true` or the layer's name; docs/snippet.md, "Tag managers").
// GA4's recommended events become the core events they stand for — form_submit and generate_lead a
// `form_submit`, file_download a `download`, a virtual page_view a `page_view` — and any other event a named
// event; GTM's own `gtm.*` events are skipped. Only the page API is used; nothing here throws into the page.
/**
 * Calls `seen(item)` for every item already in the array `w[name]` and every item pushed later (items that
 * gtag() pushes are its `arguments`); an error is reported, never thrown into the page's push. Returns a function
 * that stops watching (the wrapper stays, inert).
 */
export function watchLayer(w, name, report, seen) {
  let on = true;
  const see = (item) => { try { if (on) seen(item); } catch (error) { report(error); } };
  try {
    const layer = (w[name] = w[name] || []);
    if (!Array.isArray(layer)) return () => {};
    for (let i = 0; i < layer.length; i++) see(layer[i]);
    const push = layer.push;
    layer.push = function (...items) {
      const result = push.apply(this, items);
      for (let i = 0; i < items.length; i++) see(items[i]);
      return result;
    };
  } catch (error) {
    report(error);
  }
  return () => { on = false; };
}

const text = (value) => (typeof value === 'string' && value ? value.slice(0, 256) : '');

/** This site's path for a URL or path, else the URL without its query (as the tag records downloads). */
const place = (url, w) => {
  const u = new URL(url, w.location.href);
  return u.origin === w.location.origin ? u.pathname : u.origin + u.pathname;
};

/** Follows the dataLayer named `settings.gtm`; returns a function that stops. */
export function followDataLayer(api, settings, report) {
  const w = window;
  return watchLayer(w, settings.gtm, report, (item) => {
    // dataLayer.push({ event, ...params }) (GTM), or gtag('event', name, params) (its arguments).
    const gtag = item && item[0] === 'event';
    const name = text(gtag ? item[1] : item && item.event);
    const p = (gtag ? item[2] : item) || {};
    if (!name || /^gtm\./.test(name)) return;
    if (name === 'form_submit' || name === 'generate_lead') {
      api.track('form_submit', { form: text(p.form_name) || text(p.form_id) || text(p.lead_source) || name });
    } else if (name === 'file_download' && text(p.link_url)) {
      api.track('download', { url: place(p.link_url, w) });
    } else if (name === 'page_view') {
      // A virtual page view: the tag records real navigations (history, hash) itself.
      const path = place(text(p.page_path) || text(p.page_location) || w.location.href, w);
      if (path !== w.location.pathname) api.track('page_view', { path, ...(text(p.page_title) && { title: text(p.page_title) }) });
    } else {
      api.track('event', { name: name.slice(0, 128) });
    }
  });
}
