// Starting points for a new model, as JSON files beside this module (so the studio works wherever it is
// hosted). The textbook model is the one of the golden tests (tests/golden/*.json), checked by the tests.
export const TEMPLATES = [
  ['b2b-saas', 'B2B SaaS (trial, pricing, demo)'],
  ['services', 'Services (agency, consulting)'],
  ['textbook', 'Textbook example'],
];

export async function loadTemplate(name) {
  const response = await fetch(new URL(`./templates/${name}.json`, import.meta.url));
  if (!response.ok) throw new Error(`template ${name}: HTTP ${response.status}`);
  return response.json();
}
