// POST a JSON array of golden cases; the answer is the JSON array of failures (empty when all pass).
import * as leadscore from 'leadscore';
import { runGolden } from './golden.mjs';

export default {
  async fetch(request) {
    if (request.method !== 'POST') return new Response(`leadscore ${leadscore.engineVersion()}\n`);
    const cases = await request.json();
    return Response.json(runGolden(leadscore, cases));
  },
};
