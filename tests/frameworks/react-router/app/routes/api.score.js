// POST /api/score with a lead ({ traits, events, state }) as JSON: its score card (a resource route).
import { scoreLead } from 'leadscore';
import model from '../model.js';

export async function action({ request }) {
  return Response.json(scoreLead(model, await request.json(), Date.now()));
}
