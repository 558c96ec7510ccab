// The marketing-stack integrations in one entry: consent managers, the dataLayer, embedded forms. The script tag
// loads it on demand (pkg/browser/leadscore-integrations.js, next to leadscore.js) only when one is configured, so
// a tag without them carries none of this; the module build (`leadscore/browser`) bundles it.
import { followConsent } from './consent-sources.js';
import { followDataLayer } from './datalayer.js';
import { followForms } from './embedded-forms.js';

/** Starts what `settings` asks for (consentSource, gtm, forms); `report` prints an error. Returns a stop function. */
export default function followIntegrations(api, settings, report) {
  const stops = [];
  const follow = (fn) => {
    try { stops.push(fn(api, settings, report)); } catch (error) { report(error); }
  };
  if (settings.consentSource) follow(followConsent);
  if (settings.gtm) follow(followDataLayer);
  if (settings.forms) follow(followForms);
  return () => stops.forEach((stop) => { try { stop(); } catch (error) { report(error); } });
}
