// Golden-vector runner shared by the Node, Deno and workerd tests. Runtime-neutral on purpose:
// no node: imports, no file access; the caller loads tests/golden/*.json and passes the cases in.
//
// A case is either
//   { description, model, model_name?, events, now, expect: { card, rejected? } }   (scoring)
//   { description, model, expect: { errors: [{ path, message }] } }                   (a bad model)
// runGolden(api, cases) returns the failures: [{ case, problem, expected?, actual? }], empty when all pass.

/**
 * Deep equality with JSON semantics: the golden files are JSON, so a property whose value is
 * `undefined` counts as absent. Anything that is not a plain object, array or primitive (a Map from
 * serde-wasm-bindgen, say) is a mismatch, because it would not survive JSON.stringify.
 */
export function jsonEqual(actual, expected) {
  if (expected === null || typeof expected !== 'object') return actual === expected;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length &&
      expected.every((item, i) => jsonEqual(actual[i], item));
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
  const proto = Object.getPrototypeOf(actual);
  if (proto !== Object.prototype && proto !== null) return false;
  const defined = (o) => Object.keys(o).filter((k) => o[k] !== undefined).sort();
  const keys = defined(expected);
  const actualKeys = defined(actual);
  return keys.length === actualKeys.length && keys.every((k, i) => k === actualKeys[i] && jsonEqual(actual[k], expected[k]));
}

/** A readable copy of a value for failure reports (Maps shown as such instead of `{}`). */
function show(value) {
  if (value instanceof Map) return { '<Map>': Object.fromEntries([...value].map(([k, v]) => [k, show(v)])) };
  if (Array.isArray(value)) return value.map(show);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, show(v)]));
  return value;
}

function runErrorCase(api, c, fail) {
  const expected = { ok: false, errors: c.expect.errors };
  const result = api.validateModel(c.model);
  if (!jsonEqual(result, expected)) fail('validateModel result', expected, result);

  let thrown;
  try {
    const model = new api.Model(c.model);
    model.free();
  } catch (error) {
    thrown = error;
  }
  if (thrown === undefined) return fail('new Model did not throw', c.expect.errors);
  if (!(thrown instanceof Error)) return fail('new Model threw a non-Error', 'an Error', String(thrown));
  if (!jsonEqual(thrown.errors, c.expect.errors)) fail('new Model error.errors', c.expect.errors, thrown.errors);
}

function runCardCase(api, c, fail) {
  const options = c.model_name === undefined ? undefined : { model: c.model_name };
  const validation = api.validateModel(c.model);
  if (validation?.ok !== true) return fail('validateModel of a scoring case', { ok: true }, validation);
  if (c.model_name !== undefined && !validation.models?.includes(c.model_name)) {
    fail('validateModel models', `a list containing ${c.model_name}`, validation.models);
  }

  const scorer = new api.Scorer(c.model, options);
  const fresh = new api.Scorer(c.model, options);
  try {
    const ingested = scorer.ingestMany(c.events ?? []);
    // As strict as the Rust runner: a case that lists no rejections expects none.
    const rejected = ingested?.rejected ?? [];
    if (!jsonEqual(rejected, c.expect.rejected ?? [])) fail('ingestMany rejected', c.expect.rejected ?? [], rejected);
    const card = scorer.score(c.now);
    if (!jsonEqual(card, c.expect.card)) fail('score', c.expect.card, card);

    // The state is stored as JSON between requests, so it must survive a JSON round trip unchanged.
    fresh.importState(JSON.parse(JSON.stringify(scorer.exportState())));
    const restored = fresh.score(c.now);
    if (!jsonEqual(restored, card)) fail('score after exportState/importState', card, restored);
  } finally {
    scorer.free();
    fresh.free();
  }
}

/**
 * @param api   the imported `leadscore` package (validateModel, Model, Scorer, ...)
 * @param cases golden cases; `file` (if present) names the case in failures
 */
export function runGolden(api, cases) {
  const failures = [];
  for (const c of cases) {
    const name = c.file ?? c.description;
    const fail = (problem, expected, actual) => failures.push({ case: name, problem, expected: show(expected), actual: show(actual) });
    try {
      if (c.expect?.errors) runErrorCase(api, c, fail);
      else if (c.expect?.card) runCardCase(api, c, fail);
      else fail('malformed case: expect needs `card` or `errors`');
    } catch (error) {
      fail('threw', undefined, `${error?.name}: ${error?.message}${error?.errors ? ` ${JSON.stringify(error.errors)}` : ''}`);
    }
  }
  return failures;
}

/** Failures as one readable string for assertion messages. */
export function formatFailures(failures) {
  return failures.map((f) => `${f.case}: ${f.problem}\n  expected ${JSON.stringify(f.expected)}\n  actual   ${JSON.stringify(f.actual)}`).join('\n');
}
