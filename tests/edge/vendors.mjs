// Stand-ins for the hosted services the relay delivers to, on 127.0.0.1, each checking the request as
// the vendor documents it and answering as the vendor does; everything received is recorded.
//   /slack/…       Slack incoming webhook: JSON with `text`; `blocks` of known types, mrkdwn ≤ 3000
//                  characters; 200 "ok", else 400 "invalid_payload" (api.slack.com/messaging/webhooks).
//   /servlet/servlet.WebToLead?encoding=UTF-8   Salesforce Web-to-Lead: form-encoded, `oid` of 15 or
//                  18 characters, only standard or custom (00N…) field names; always 200 (as Salesforce).
//   /pipedrive/v1/…  Pipedrive (developers.pipedrive.com/docs/api/v1): `x-api-token` (else 401); GET
//                  persons/search?term&fields=email&exact_match=true; POST persons (name required, email
//                  as [{ value, primary, label }]), leads (title and an integer person_id or
//                  organization_id), notes (content and lead_id); JSON { success, data }, 201 on creation.
import { createServer } from 'node:http';

const SLACK_BLOCKS = new Set(['section', 'context', 'divider', 'header', 'actions']);
const WEB_TO_LEAD_FIELDS = new Set(['oid', 'lead_source', 'first_name', 'last_name', 'email', 'company', 'title', 'phone',
  'URL', 'industry', 'country', 'employees', 'description', 'retURL', 'debug', 'debugEmail', 'city', 'state', 'zip', 'rating', 'revenue']);

function slackProblem(req, body) {
  if (req.headers['content-type'] !== 'application/json') return 'content-type';
  let message;
  try { message = JSON.parse(body); } catch { return 'json'; }
  if (typeof message.text !== 'string' || message.text === '') return 'text';
  for (const block of message.blocks ?? []) {
    if (!SLACK_BLOCKS.has(block.type)) return `block ${block.type}`;
    const texts = block.type === 'context' ? block.elements : [block.text];
    for (const t of texts) if (!t || !['mrkdwn', 'plain_text'].includes(t.type) || typeof t.text !== 'string' || t.text.length > 3000) return 'block text';
  }
  return null;
}

function webToLeadProblem(req, body) {
  if (req.url !== '/servlet/servlet.WebToLead?encoding=UTF-8') return 'url';
  if (req.headers['content-type'] !== 'application/x-www-form-urlencoded') return 'content-type';
  const form = new URLSearchParams(body);
  if (![15, 18].includes(form.get('oid')?.length)) return 'oid';
  for (const name of form.keys()) if (!WEB_TO_LEAD_FIELDS.has(name) && !/^00N[A-Za-z0-9]{12}$/.test(name)) return `field ${name}`;
  return null;
}

/** Pipedrive's answer to one request: [status, body]. */
function pipedrive(req, text, store) {
  if (req.headers['x-api-token'] !== 'pd-token') return [401, { success: false, error: 'unauthorized access', errorCode: 401 }];
  const url = new URL(req.url, 'http://x');
  const path = url.pathname.replace('/pipedrive/v1', '');
  const bad = (error) => [400, { success: false, error }];
  if (req.method === 'GET' && path === '/persons/search') {
    if (url.searchParams.get('fields') !== 'email' || !url.searchParams.get('term')) return bad('term and fields required');
    const items = store.persons.filter((p) => p.email.some((e) => e.value === url.searchParams.get('term'))).map((item) => ({ result_score: 1, item }));
    return [200, { success: true, data: { items } }];
  }
  if (req.method !== 'POST' || req.headers['content-type'] !== 'application/json') return bad('expected a JSON POST');
  let body;
  try { body = JSON.parse(text); } catch { return bad('invalid JSON'); }
  if (path === '/persons') {
    if (typeof body.name !== 'string' || !body.name) return bad('name is required');
    if (body.email && !(Array.isArray(body.email) && body.email.every((e) => typeof e.value === 'string'))) return bad('email');
    const person = { id: store.persons.length + 1, name: body.name, email: body.email ?? [] };
    store.persons.push(person);
    return [201, { success: true, data: person }];
  }
  if (path === '/leads') {
    if (typeof body.title !== 'string' || !body.title) return bad('title is required');
    if (!Number.isInteger(body.person_id) && !Number.isInteger(body.organization_id)) return bad('person_id or organization_id is required');
    if (Number.isInteger(body.person_id) && !store.persons.some((p) => p.id === body.person_id)) return [404, { success: false, error: 'person not found' }];
    const lead = { id: `3a5f${String(store.leads.length).padStart(4, '0')}-0000-4000-8000-000000000000`, ...body };
    store.leads.push(lead);
    return [201, { success: true, data: lead }];
  }
  if (path === '/notes') {
    if (typeof body.content !== 'string' || !body.content) return bad('content is required');
    if (!store.leads.some((l) => l.id === body.lead_id)) return bad('lead_id: no such lead');
    const note = { id: store.notes.length + 1, ...body };
    store.notes.push(note);
    return [201, { success: true, data: note }];
  }
  return [404, { success: false, error: 'not found' }];
}

export async function startVendors() {
  const vendors = { received: [], pipedrive: { persons: [], leads: [], notes: [] } };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (req.url.startsWith('/pipedrive/')) {
        const [status, answer] = pipedrive(req, text, vendors.pipedrive);
        vendors.received.push({ path: req.url, headers: req.headers, text, problem: status >= 400 ? answer.error : null });
        res.writeHead(status, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(answer));
      }
      const slackCall = req.url.startsWith('/slack/');
      const problem = req.method !== 'POST' ? 'method' : slackCall ? slackProblem(req, text) : webToLeadProblem(req, text);
      vendors.received.push({ path: req.url, headers: req.headers, text, problem });
      if (slackCall) {
        res.writeHead(problem ? 400 : 200, { 'content-type': 'text/html' });
        res.end(problem ? 'invalid_payload' : 'ok');
      } else {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html></html>');
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  vendors.url = (path) => `http://127.0.0.1:${server.address().port}${path}`;
  vendors.stop = () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
  return vendors;
}
