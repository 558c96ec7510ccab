// The website tag's data-endpoint: relay scores the visitor again from the state the tag attaches and
// forwards only what qualifies on the server, after answering.
import { relay } from 'leadscore/edge/init';
import { leadscoreReady } from '../leadscore.js';
import model from '../../model.js';

export default async (request, context) => {
  await leadscoreReady(request);
  return relay(request, {
    model,
    forward: Netlify.env.get('FORWARD_URL'),
    waitUntil: context.waitUntil,
  });
};

export const config = { path: '/leads', method: ['POST', 'OPTIONS'] };
