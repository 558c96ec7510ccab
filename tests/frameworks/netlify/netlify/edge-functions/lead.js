// A form posts here: qualify scores it with the site's model and forwards a qualified lead to
// FORWARD_URL after answering, through Netlify's context.waitUntil.
import { qualify } from 'leadscore/edge/init';
import { leadscoreReady } from '../leadscore.js';
import model from '../../model.js';

export default async (request, context) => {
  await leadscoreReady(request);
  return qualify(request, {
    model,
    form: 'demo',
    forward: Netlify.env.get('FORWARD_URL'),
    waitUntil: context.waitUntil,
  });
};

export const config = { path: '/api/lead', method: 'POST' };
