// POST /api/score with a lead ({ traits, events, state }) as JSON: its score card (Node.js runtime).
import { scoreLead } from 'leadscore';
import model from '../../../model.js';

export async function POST(request) {
  const lead = await request.json();
  return Response.json(scoreLead(model, lead, Date.now()));
}
