// POST /api/score with a lead ({ traits, events, state }) as JSON: its score card.
import { json } from '@sveltejs/kit';
import { scoreLead } from 'leadscore';
import model from '$lib/model.js';

export async function POST({ request }) {
  return json(scoreLead(model, await request.json(), Date.now()));
}
