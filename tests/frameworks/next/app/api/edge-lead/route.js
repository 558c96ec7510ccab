// POST /api/edge-lead: the same, in the edge runtime. `leadscore/edge` resolves to the package's
// `edge-light` entry, which imports the wasm as a module: nothing is fetched or compiled from bytes.
import { after } from 'next/server';
import { qualify } from 'leadscore/edge';
import model from '../../../model.js';

export const runtime = 'edge';

export function POST(request) {
  return qualify(request, { model, form: 'demo', forward: process.env.FORWARD_URL, waitUntil: after });
}
