// The demo of `npm start` (issue 3): a small B2B site with the leadscore tag installed, and the local
// marketing endpoint the tag delivers qualified leads to.
//
//   GET  /, /pricing, /features[/…], /whitepaper, /webinar, /contact, /thanks   site pages (www/site/*.html in
//        www/site/layout.html; `?consent=required` renders the tag with data-require-consent)
//   GET  /leads                      the received leads with their breakdowns (www/site/leads.js)
//   GET  /leadscore.js, /leadscore-core.wasm   the tag, from pkg/browser/ (and leadscore-integrations.js, and
//        /leadscore-validate.js and .wasm, the full model validator the tag loads only for a model it rejects)
//   GET  /leadscore-model.json       the textbook model (www/models/textbook.json)
//   POST /api/leads                  stores a lead: append-only JSON lines in <data dir>/leads.jsonl, which
//                                    survives restarts; a repeated idempotency_key is acknowledged, not stored
//   GET  /api/leads                  the stored leads, a JSON array of { received_at, lead }
//   GET  /api/stats                  { posts, stored, duplicates, rejected }: every POST /api/leads since start
//   POST /forms/<name>               the site's forms: kept in memory, then 303 to /thanks
//   GET  /api/forms                  the form posts received since start (fields as sent, incl. leadscore_state)
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const PAGES = ['pricing', 'features', 'whitepaper', 'webinar', 'contact', 'thanks', 'leads'];
const MAX_BODY = 64 * 1024;

/** Reads a request body up to `limit` bytes; resolves undefined when it is larger. */
function body(request, limit = MAX_BODY) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    request.on('data', (chunk) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

const cors = { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type', 'access-control-max-age': '600' };
const json = (response, status, value) => response
  .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...cors })
  .end(`${JSON.stringify(value)}\n`);
const file = (response, path, type) => {
  if (!existsSync(path)) return response.writeHead(404, { 'content-type': 'text/plain' }).end('not built: run npm run build\n');
  response.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' }).end(readFileSync(path));
};

/** The leads stored by earlier runs, and their idempotency keys. */
function loadLeads(leadsFile) {
  const leads = [];
  const keys = new Set();
  if (!existsSync(leadsFile)) return { leads, keys };
  for (const line of readFileSync(leadsFile, 'utf8').split('\n')) {
    try {
      const record = JSON.parse(line);
      leads.push(record);
      keys.add(record.lead.idempotency_key);
    } catch {} // a torn last line after a crash: skipped
  }
  return { leads, keys };
}

/** A page of www/site/ in its layout, with the tag's inline stub. */
function page(response, { site, tagDir }, name, query) {
  const layout = readFileSync(join(site, 'layout.html'), 'utf8');
  const content = readFileSync(join(site, `${name}.html`), 'utf8');
  const title = content.match(/<!-- title: (.*?) -->/)?.[1] ?? 'Acme Analytics';
  const stubFile = join(tagDir, 'stub.min.js');
  const stub = existsSync(stubFile) ? readFileSync(stubFile, 'utf8').trim() : '';
  // Demo switches: ?consent=required renders the tag with data-require-consent, ?gtm with data-gtm.
  const options = (query.get('consent') === 'required' ? ' data-require-consent' : '') + (query.has('gtm') ? ' data-gtm' : '');
  const html = layout
    .replaceAll('{{title}}', title)
    .replaceAll('{{page}}', name)
    .replace('{{stub}}', stub)
    .replace('{{tag-options}}', options)
    .replace('{{content}}', content);
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' }).end(html);
}

/**
 * @param o.root     the repository
 * @param o.dataDir  where leads.jsonl lives (created if missing)
 * @returns handle(request, response): true when it answered the request
 */
export function createDemoSite({ root, dataDir }) {
  const dirs = { site: join(root, 'www', 'site'), tagDir: join(root, 'pkg', 'browser') };
  const { tagDir } = dirs;
  mkdirSync(dataDir, { recursive: true });
  const leadsFile = join(dataDir, 'leads.jsonl');
  const { leads, keys } = loadLeads(leadsFile);
  const forms = [];
  const stats = { posts: 0, stored: 0, duplicates: 0, rejected: 0 };

  async function receiveLead(request, response) {
    stats.posts += 1;
    const text = await body(request);
    const reject = (status, error) => {
      stats.rejected += 1;
      json(response, status, { ok: false, error });
    };
    if (text === undefined) return reject(413, 'larger than 64 KB');
    let lead;
    try { lead = JSON.parse(text); } catch { return reject(400, 'not JSON'); }
    if (typeof lead?.idempotency_key !== 'string' || typeof lead.lead_id !== 'string' || !Array.isArray(lead.breakdown)) {
      return reject(422, 'expected a lead with lead_id, idempotency_key and breakdown');
    }
    if (keys.has(lead.idempotency_key)) {
      stats.duplicates += 1;
      return json(response, 200, { ok: true, duplicate: true });
    }
    const record = { received_at: new Date().toISOString(), lead };
    appendFileSync(leadsFile, `${JSON.stringify(record)}\n`);
    keys.add(lead.idempotency_key);
    leads.push(record);
    stats.stored += 1;
    console.log(`lead ${lead.lead_id}: ${lead.stage} (${lead.total} points)`);
    json(response, 200, { ok: true, duplicate: false });
  }

  return async function handle(request, response) {
    const url = new URL(request.url, 'http://localhost');
    const path = url.pathname;
    const method = request.method;
    if (path === '/api/leads') {
      if (method === 'OPTIONS') return response.writeHead(204, cors).end(), true;
      if (method === 'POST') return await receiveLead(request, response), true;
      if (method === 'GET') return json(response, 200, leads), true;
      return json(response, 405, { ok: false }), true;
    }
    if (path === '/api/forms' && method === 'GET') return json(response, 200, forms), true;
    if (path === '/api/stats' && method === 'GET') return json(response, 200, stats), true;
    const form = path.match(/^\/forms\/([\w-]+)$/)?.[1];
    if (form && method === 'POST') {
      const text = await body(request);
      forms.push({ form, received_at: new Date().toISOString(), fields: Object.fromEntries(new URLSearchParams(text ?? '')) });
      response.writeHead(303, { location: `/thanks?form=${form}` }).end();
      return true;
    }
    if (method !== 'GET' && method !== 'HEAD') return false;
    if (path === '/leadscore.js' || path === '/leadscore-integrations.js' || path === '/leadscore-validate.js') return file(response, join(tagDir, path.slice(1)), 'text/javascript; charset=utf-8'), true;
    if (path === '/leadscore-core.wasm' || path === '/leadscore-validate.wasm') return file(response, join(tagDir, path.slice(1)), 'application/wasm'), true;
    if (path === '/leadscore-model.json') return file(response, join(root, 'www', 'models', 'textbook.json'), 'application/json; charset=utf-8'), true;
    const name = path === '/' ? 'home' : path.match(/^\/([a-z]+)(?:\/[\w-]*)?$/)?.[1];
    if (name === 'home' || (PAGES.includes(name) && (name === 'features' || path === `/${name}`))) {
      page(response, dirs, name, url.searchParams);
      return true;
    }
    return false;
  };
}
