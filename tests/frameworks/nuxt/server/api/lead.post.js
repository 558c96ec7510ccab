// POST /api/lead: the demo form, pre-qualified on the server. `qualify` takes the Web Request (h3's
// toWebRequest) and returns a Response; Nitro's event.waitUntil lets it forward after answering.
import { qualify } from 'leadscore/edge';
import model from '#shared/model.js';

export default defineEventHandler((event) => qualify(toWebRequest(event), {
  model,
  form: 'demo',
  forward: process.env.FORWARD_URL,
  waitUntil: (promise) => event.waitUntil(promise),
}));
