// POST /api/lead: the demo form, pre-qualified on the server (a resource route). The Node.js server has no
// waitUntil, so the answer waits for the forward to FORWARD_URL ("forward": { "status": "sent" }).
import { qualify } from 'leadscore/edge';
import model from '../model.js';

export function action({ request }) {
  return qualify(request, { model, form: 'demo', forward: process.env.FORWARD_URL });
}
