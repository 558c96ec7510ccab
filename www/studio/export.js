// The Export view: the model as a file, the website tag (docs/snippet.md) and the edge function
// (docs/edge.md, `qualify`) that use it.
import { conditionType } from './conditions.js';

/** The `<script>` tag of docs/snippet.md for this model. */
export function scriptTag({ tagUrl, modelUrl, endpoint, modelName }) {
  const attributes = [`async src="${tagUrl}"`, `data-model="${modelUrl}"`];
  if (modelName) attributes.push(`data-model-name="${modelName}"`);
  if (endpoint) attributes.push(`data-endpoint="${endpoint}"`);
  return `<script ${attributes.join(' ')}></script>`;
}

/** A Cloudflare Worker pre-qualifying one form with `qualify` (docs/edge.md). */
export function qualifySnippet({ modelFile, form, modelName }) {
  return [
    "import { qualify } from 'leadscore/edge';",
    `import model from './${modelFile}' with { type: 'json' };`,
    '',
    'export default {',
    '  fetch: (request, env, ctx) => qualify(request, {',
    '    model,',
    ...(modelName ? [`    modelName: ${JSON.stringify(modelName)},`] : []),
    `    form: ${JSON.stringify(form)}, // the form's name in the model (form_submit rules)`,
    '    forward: env.FORWARD_URL, // or hubspot({…}) / segment({…}) / webhook(url, { headers })',
    '    waitUntil: ctx.waitUntil.bind(ctx),',
    '  }),',
    '};',
    '',
  ].join('\n');
}

/** Form names the model's form_submit rules name literally (no wildcard), for the form choice. */
export function formNames(model) {
  const names = new Set();
  const visit = (when) => {
    if (conditionType(when) === 'form_submit' && typeof when.form_submit?.form === 'string' && !/[*?]/.test(when.form_submit.form)) names.add(when.form_submit.form);
  };
  for (const rule of Array.isArray(model?.rules) ? model.rules : []) visit(rule?.when);
  return [...names];
}

/** The document as the file a site serves. */
export const modelFileText = (doc) => `${JSON.stringify(doc, null, 2)}\n`;
