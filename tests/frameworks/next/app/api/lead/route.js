// POST /api/lead: the demo form, pre-qualified on the server (Node.js runtime). Qualified leads are
// forwarded to FORWARD_URL after the answer is sent: Next's `after()` plays the part of `waitUntil`.
import { after } from 'next/server';
import { qualify } from 'leadscore/edge';
import model from '../../../model.js';

export function POST(request) {
  return qualify(request, { model, form: 'demo', forward: process.env.FORWARD_URL, waitUntil: after });
}
