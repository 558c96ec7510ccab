// What an app does: import the package by name; the bundler picks the `browser` entry and ships the wasm.
import { scoreLead } from 'leadscore';
import textbook from './textbook.json';

const card = scoreLead(textbook, { events: [{ type: 'page_view', ts: Date.now(), path: '/pricing' }] });
const output = document.getElementById('score');
output.textContent = `${card.total} (${card.stage})`;
output.dataset.total = String(card.total);
