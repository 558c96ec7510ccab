// Stand-ins for the hosted services the relay delivers to, on 127.0.0.1, each checking the request as
// the vendor documents it and answering as the vendor does; everything received is recorded.
//   /slack/…       Slack incoming webhook: JSON with `text`; `blocks` of known types, mrkdwn ≤ 3000
//                  characters; 200 "ok", else 400 "invalid_payload" (api.slack.com/messaging/webhooks).
//   /servlet/servlet.WebToLead?encoding=UTF-8   Salesforce Web-to-Lead: form-encoded, `oid` of 15 or
//                  18 characters, only standard or custom (00N…) field names; always 200 (as Salesforce).
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

export async function startVendors() {
  const vendors = { received: [] };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
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
