// The document being edited, the single source of truth of the studio: the form, the JSON view, the
// simulator and the preview all read it from here, and every edit goes through `set`, which tells the
// listeners. Paths are written as the engine writes them in its errors: `rules[3].when.page_view.path`.

/** `rules[3].when.page_view.path` -> ['rules', 3, 'when', 'page_view', 'path']. */
export function parsePath(path) {
  const parts = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) parts.push(match[2] !== undefined ? Number(match[2]) : match[1]);
  return parts;
}

/** The inverse of parsePath. */
export function joinPath(parts) {
  return parts.reduce((path, part) => (typeof part === 'number' ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

export function getAt(root, path) {
  return parsePath(path).reduce((node, key) => (node == null ? undefined : node[key]), root);
}

/** Sets (or, with `undefined`, deletes) the value at `path`, creating objects on the way. */
export function setAt(root, path, value) {
  const parts = parsePath(path);
  let node = root;
  for (let i = 0; i < parts.length - 1; i++) {
    if (node[parts[i]] === null || typeof node[parts[i]] !== 'object') node[parts[i]] = typeof parts[i + 1] === 'number' ? [] : {};
    node = node[parts[i]];
  }
  const last = parts.at(-1);
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(last, 1); else delete node[last];
  } else node[last] = value;
}

export class Store {
  constructor(doc) {
    this.doc = doc;
    this.listeners = [];
    /** Index of the model being edited when the document has `models`. */
    this.modelIndex = 0;
  }

  /** Path prefix of the edited model: '' for a single-model document, else `models[i].`. */
  get base() {
    return Array.isArray(this.doc?.models) ? `models[${this.modelIndex}].` : '';
  }

  /** The edited model object. */
  get model() {
    return Array.isArray(this.doc?.models) ? this.doc.models[this.modelIndex] ?? {} : this.doc ?? {};
  }

  get modelName() {
    return typeof this.model.name === 'string' ? this.model.name : undefined;
  }

  on(listener) {
    this.listeners.push(listener);
  }

  /** Tells the listeners; `structural` changes (a rule added, a condition type changed) rebuild the form. */
  changed(source, structural = false) {
    for (const listener of this.listeners) listener({ source, structural });
  }

  /** Sets the value at a path relative to the edited model (undefined deletes it). */
  set(path, value, { structural = false, source = 'form' } = {}) {
    setAt(this.model, path, value);
    this.changed(source, structural);
  }

  get(path) {
    return getAt(this.model, path);
  }

  /** Replaces the whole document (opened, templated, or typed in the JSON view). */
  replace(doc, source = 'open') {
    this.doc = doc;
    if (!Array.isArray(doc?.models) || this.modelIndex >= doc.models.length) this.modelIndex = 0;
    this.changed(source, true);
  }
}
