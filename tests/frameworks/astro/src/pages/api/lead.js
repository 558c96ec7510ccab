// POST /api/lead: the demo form, pre-qualified on the server. The Node.js adapter has no waitUntil,
// so the answer waits for the forward to FORWARD_URL (and reports it: "forward": { "status": "sent" }).
import { qualify } from 'leadscore/edge';
import model from '../../../model.js';

export function POST({ request }) {
  return qualify(request, { model, form: 'demo', forward: process.env.FORWARD_URL });
}
