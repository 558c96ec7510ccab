// Pipedrive Leads API (https://developers.pipedrive.com/docs/api/v1/Leads): a lead must belong to a
// person, so delivery takes up to four requests, authenticated with the `x-api-token` header:
// find the person by email (GET /v1/persons/search), create them if absent (POST /v1/persons), create
// the lead (POST /v1/leads, titled with who and the score), then attach the breakdown as a note
// (POST /v1/notes). A retry finds the person again; Pipedrive has no idempotency key, so a retry after
// a lost answer to the lead request may create a second lead.
import { breakdownText } from '../forward.js';
import { leadName } from '../lead.js';

const PIPEDRIVE_API = 'https://api.pipedrive.com/v1';

export function pipedrive({ apiToken, url = PIPEDRIVE_API, ownerId, labelIds } = {}) {
  const base = String(url).replace(/\/$/, '');
  const headers = { 'content-type': 'application/json', 'x-api-token': String(apiToken ?? '') };
  return {
    name: 'pipedrive',
    url: `${base}/leads`,
    /** Sends the lead; resolves the first failed response, or the note's. */
    async send(lead, fetch) {
      const call = async (path, body) => {
        const response = await fetch(`${base}${path}`, body === undefined ? { method: 'GET', headers } : { method: 'POST', headers, body: JSON.stringify(body) });
        const json = response.ok ? await response.json().catch(() => null) : null;
        return { response, data: json?.success ? json.data : undefined };
      };
      const email = typeof lead.traits.email === 'string' ? lead.traits.email : undefined;
      let personId;
      if (email) {
        const found = await call(`/persons/search?${new URLSearchParams({ term: email, fields: 'email', exact_match: 'true' })}`);
        if (!found.response.ok) return found.response;
        personId = found.data?.items?.[0]?.item?.id;
      }
      if (personId === undefined) {
        const name = [lead.traits.first_name, lead.traits.last_name].filter(Boolean).join(' ') || email || `Lead ${lead.lead_id}`;
        const created = await call('/persons', { name, ...(email && { email: [{ value: email, primary: true, label: 'work' }] }) });
        if (!created.data) return created.response;
        personId = created.data.id;
      }
      const title = `${leadName(lead)}: ${String(lead.stage).toUpperCase()} ${lead.total} (leadscore)`.slice(0, 255);
      const made = await call('/leads', {
        title, person_id: personId, ...(ownerId !== undefined && { owner_id: ownerId }), ...(labelIds && { label_ids: labelIds }),
      });
      if (!made.data) return made.response;
      const content = `<p><b>leadscore</b>: ${lead.stage}, ${lead.total} points (fit ${lead.fit}, engagement ${lead.engagement}), grade ${lead.grade}.</p>`
        + `<p>${escapeHtml(breakdownText(lead))}</p>${lead.next_step ? `<p>Next step: ${escapeHtml(lead.next_step)}</p>` : ''}`
        + `<p>lead ${escapeHtml(lead.idempotency_key)}</p>`;
      return (await call('/notes', { content, lead_id: made.data.id })).response;
    },
  };
}

const escapeHtml = (text) => String(text).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
