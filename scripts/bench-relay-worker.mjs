// The Worker of `BENCH_ONLY=relay-loop npm run bench:edge`: one request runs `relay` `n` times in this
// isolate on Requests built from the tag payload it was sent (each its own lead, with a Content-Length as
// a received request has), so the process CPU over that request is relay's own, without HTTP. With
// `relay=0` it only builds and reads the same Requests: the part to subtract.
import { relay } from 'leadscore/edge';
import model from './model.mjs';

const encoder = new TextEncoder();

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get('n'));
    const now = Number(url.searchParams.get('now'));
    const run = url.searchParams.get('run');
    const withRelay = url.searchParams.get('relay') !== '0';
    const template = await request.json();
    for (let i = 0; i < n; i++) {
      const leadId = `loop-${run}-${i}`;
      const body = JSON.stringify({ ...template, lead_id: leadId, idempotency_key: `${leadId}:${template.model}:${template.stage}` });
      const lead = new Request('http://bench.local/leads', {
        method: 'POST', body, headers: { 'content-type': 'text/plain;charset=UTF-8', 'content-length': String(encoder.encode(body).byteLength) },
      });
      if (!withRelay) {
        await lead.arrayBuffer();
        continue;
      }
      const answer = await relay(lead, { model, now });
      if (answer.status !== 200) return new Response(await answer.text(), { status: 500 });
      await answer.arrayBuffer();
    }
    return new Response('ok');
  },
};
