// House rule (issue 17): no function in the library over MAX_LINES lines, so each reads in one sitting.
// Checks the Rust library (src/, not its test files) and the JavaScript that ships or builds (js/, www/,
// scripts/). A function is a line that opens one (`fn`, `function`, a method, an arrow with a block) through
// the line that closes its braces; strings, comments and regular expressions are skipped when counting braces.
// Test suites are exempt: a `describe` block is a list of cases, not a function to read through.
//
//   node scripts/function-length.mjs            lists the functions over the limit; exit 1 if any
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MAX_LINES = 80;
const root = fileURLToPath(new URL('..', import.meta.url));
const OPENS_RUST = /^\s*(#\[[^\]]*\]\s*)*(pub(\([\w:\s]+\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?(extern\s+"\w+"\s+)?fn\s+\w+/;
const OPENS_JS = /(\bfunction\b\s*\*?[\s\w$]*\(|=>\s*\{|^\s*(static\s+)?(async\s+)?(get\s+|set\s+)?\*?\s*#?[\w$]+\s*\(.*\)\s*\{\s*(\/\/.*)?$)/;
// A control-flow block is not a function, unless a function opens on the same line (`if (x) xs.forEach((y) => {`).
const KEYWORDS = /^\s*(\}\s*)?(if|for|while|switch|catch|with|else)\b(?!.*(=>\s*\{|\bfunction\b))/;

/** The line with its strings, comments and regular expressions blanked, so only code braces remain. */
const code = (line, rust) => (rust ? line.replace(/'\w+\b(?!')/g, 'L') : line) // a Rust lifetime ('a), not a quote
  .replace(/\\./g, '__')
  .replace(/\/\*.*?\*\//g, '')
  .replace(/'[^']*'|"[^"]*"|`[^`]*`/g, '""')
  .replace(/\/\/.*$/, '')
  .replace(/(^|[=(,:!&|?{};]\s*)\/[^/*][^/]*\//g, '$1""');

/** [line number, length, first line] of each function in `text` longer than `max` lines. */
export function longFunctions(text, rust, max = MAX_LINES) {
  const lines = text.split('\n');
  const opens = rust ? OPENS_RUST : OPENS_JS;
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    if (!opens.test(lines[i]) || KEYWORDS.test(lines[i])) continue;
    let depth = 0;
    let started = false;
    for (let j = i; j < lines.length; j++) {
      for (const c of code(lines[j], rust)) {
        if (c === '{') { depth++; started = true; } else if (c === '}') depth--;
      }
      if (rust && !started && /;\s*$/.test(lines[j])) break; // a declaration without a body
      if (started && depth <= 0) {
        if (j - i + 1 > max) found.push([i + 1, j - i + 1, lines[i].trim()]);
        break;
      }
    }
  }
  return found;
}

const files = (dir, keep) => readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
  .filter((e) => e.isFile() && keep(e.name)).map((e) => join(e.parentPath ?? e.path, e.name));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rust = files('src', (n) => n.endsWith('.rs') && n !== 'tests.rs');
  const js = ['js', 'www', 'scripts'].flatMap((d) => files(d, (n) => /\.m?js$/.test(n) && !n.endsWith('.min.js')));
  let over = 0;
  for (const file of [...rust, ...js]) {
    for (const [line, length, text] of longFunctions(readFileSync(file, 'utf8'), file.endsWith('.rs'))) {
      console.log(`${relative(root, file)}:${line}: ${length} lines (max ${MAX_LINES}): ${text.slice(0, 70)}`);
      over++;
    }
  }
  if (over) process.exit(1);
  console.log(`no function over ${MAX_LINES} lines in src/, js/, www/ and scripts/`);
}
