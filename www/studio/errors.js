// Puts each error of the engine's validation next to the field its path names. A path with no field of
// its own (`rules[2].when.trait` when the condition has no such control, say) goes to the nearest
// enclosing one: the path is shortened a segment at a time until a field claims it.
import { parsePath, joinPath } from './store.js';

function slotFor(root, path) {
  const parts = parsePath(path);
  while (parts.length) {
    const slot = root.querySelector(`[data-error-for="${CSS.escape(joinPath(parts))}"]`);
    if (slot) return slot;
    parts.pop();
  }
  return null;
}

/** Shows `errors` ({ path, message }[]) in `root`; returns those no field claimed. */
export function showErrors(root, errors) {
  for (const slot of root.querySelectorAll('[data-error-for]')) {
    slot.hidden = true;
    slot.textContent = '';
  }
  for (const input of root.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  const unclaimed = [];
  for (const error of errors) {
    const slot = slotFor(root, error.path);
    if (!slot) {
      unclaimed.push(error);
      continue;
    }
    slot.hidden = false;
    slot.textContent = slot.textContent ? `${slot.textContent}; ${error.message}` : `${error.path}: ${error.message}`;
    const control = slot.parentElement.querySelector(`[data-path="${CSS.escape(slot.dataset.errorFor)}"]`);
    control?.setAttribute('aria-invalid', 'true');
    // A rule with an error inside is opened, so that the error is seen.
    const details = slot.closest('details');
    if (details && !details.open) details.open = true;
  }
  return unclaimed;
}
