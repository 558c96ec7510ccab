// Embedded forms (`forms: true` or a list of providers; docs/snippet.md, "Embedded forms"): a submission in a
// HubSpot, Typeform, Calendly or Tally embed, announced by the vendor's documented window event or postMessage,
// counts as `form_submit`. Only the fields the event itself carries are read, and of those only the allow-listed
// ones (email, company size, job title, the BANT answers, and `fields` the site names): no free text. Messages
// are taken from the vendor's origins only. Only the page API is used; nothing here throws into the page.
export const FORM_PROVIDERS = ['hubspot', 'typeform', 'calendly', 'tally'];
// HubSpot's contact properties → traits; the BANT answers and `fields` keep their names.
const TRAITS = { email: 'email', jobtitle: 'job_title', job_title: 'job_title', numemployees: 'company_size',
  company_size: 'company_size', budget: 'budget', authority: 'authority', need: 'need', timeline: 'timeline' };

const host = (origin) => { try { return new URL(origin).hostname; } catch { return ''; } };
const from = (origin, ...domains) => domains.some((d) => host(origin) === d || host(origin).endsWith(`.${d}`));
const text = (value) => (typeof value === 'string' || typeof value === 'number' ? String(value).slice(0, 200) : '');

/** Follows the providers in `settings.forms` (a comma-separated list, or `*` for all); returns a function that stops. */
export function followForms(api, settings, report) {
  const w = window;
  const providers = settings.forms === '*' ? FORM_PROVIDERS : settings.forms.split(',');
  const on = (provider) => providers.includes(provider);
  const unknown = providers.filter((f) => !FORM_PROVIDERS.includes(f));
  if (unknown.length) report(`forms: ${unknown.join()} is not one of ${FORM_PROVIDERS.join(', ')}`);
  const extra = settings.fields ? settings.fields.split(',') : [];
  const submit = (form, pairs = []) => {
    const traits = {};
    for (const [name, value] of pairs) {
      const key = TRAITS[String(name).toLowerCase()] || (extra.includes(String(name).toLowerCase()) && String(name).toLowerCase());
      if (key && text(value)) traits[key] = text(value);
    }
    api.track('form_submit', { form: text(form) || 'form', ...(Object.keys(traits).length && { traits }) });
  };
  const hubspot = (event) => { try { submit((event.detail && event.detail.formId) || 'hubspot'); } catch (error) { report(error); } };
  const message = (event) => {
    try {
      let data = event.data;
      const origin = event.origin;
      if (on('hubspot') && data && data.type === 'hsFormCallback' && data.eventName === 'onFormSubmitted'
        && (origin === w.location.origin || from(origin, 'hsforms.com', 'hsforms.net', 'hubspot.com'))) {
        // `data.data.submissionValues` ({ name: value }), or [{ name, value }] as older forms give.
        const values = (data.data && data.data.submissionValues) || data.data || {};
        submit(data.id || 'hubspot', Array.isArray(values) ? values.map((f) => [f && f.name, f && f.value]) : Object.entries(values));
      } else if (on('typeform') && data && data.type === 'form-submit' && from(origin, 'typeform.com', 'typeform.eu')) {
        submit('typeform');
      } else if (on('calendly') && data && data.event === 'calendly.event_scheduled' && from(origin, 'calendly.com')) {
        submit('calendly');
      } else if (on('tally') && typeof data === 'string' && data.includes('Tally.FormSubmitted') && from(origin, 'tally.so')) {
        data = JSON.parse(data);
        const p = (data && data.event === 'Tally.FormSubmitted' && data.payload) || {};
        const fields = Array.isArray(p.fields) ? p.fields : [];
        // Tally's fields are named by their question: only its email fields are known for what they are.
        submit(p.formName || p.formId || 'tally', fields.filter((f) => f && f.type === 'INPUT_EMAIL' && f.answer)
          .map((f) => ['email', typeof f.answer === 'object' ? f.answer.value : f.answer]));
      }
    } catch (error) {
      report(error);
    }
  };
  w.addEventListener('message', message);
  if (on('hubspot')) w.addEventListener('hs-form-event:on-submission:success', hubspot);
  return () => {
    w.removeEventListener('message', message);
    w.removeEventListener('hs-form-event:on-submission:success', hubspot);
  };
}
