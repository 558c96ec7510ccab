// POST /api/score with a lead ({ traits, events, state }) as JSON: its score card.
import { scoreLead } from 'leadscore';
import model from '#shared/model.js';

export default defineEventHandler(async (event) => scoreLead(model, await readBody(event), Date.now()));
