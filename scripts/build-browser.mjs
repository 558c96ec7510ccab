#!/usr/bin/env node
// Builds the website collector into pkg/browser/:
//   leadscore.js          the script tag (js/browser/tag.js + start.js + listen.js + outbox.js + the wasm-bindgen glue, one
//                         minified IIFE): data-* or init() config, bot check, page API, delivery
//   index.js              the same collector as an ES module, `import { start } from 'leadscore/browser'`
//                         (start.js + listen.js + outbox.js + glue; the wasm is referenced with `new URL(…, import.meta.url)`,
//                         which bundlers emit as an asset); index.d.ts its types
//   leadscore-core.wasm   the slim wasm: `--no-default-features --features browser` (no npm JS API, no
//                         calibration), wasm-opt -Oz; loaded by both
//   stub.min.js           the inline stub
//   leadscore-validate.js the full model validator (`--no-default-features --features validator`, every message) and
//   leadscore-validate.wasm   its glue: the loader fetches them from beside the wasm only when the tag's own reader
//                         (terse-errors: valid or "rejected") rejects a model, to name the field and say why
// Usage: node scripts/build-browser.mjs   (run by scripts/build.mjs; CARGO_TARGET_DIR is honoured)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { TAG_BUILD_STD, TAG_FEATURES, TAG_RUSTFLAGS, TAG_WASM_OPT, bin, root, run, targetDir, wasmOpt } from './build-common.mjs';
import { snippetSizes, formatSizes } from './snippet-size.mjs';

const out = join(root, 'pkg', 'browser');

const version = readFileSync(join(root, 'Cargo.toml'), 'utf8').match(/^version\s*=\s*"([^"]+)"/m)?.[1] ?? '0.0.0';

// 1. The slim wasm, built with TAG_RUSTFLAGS and TAG_BUILD_STD (scripts/build-common.mjs says why each). It has its
//    own target dir: the RUSTFLAGS would otherwise rebuild the stable artifacts every time. When the nightly or
//    its rust-src is missing, or a future nightly renames a flag, the stable build is used and the build says so
//    (the tag works the same, it is just heavier).
const CARGO_ARGS = ['build', '--release', '--target', 'wasm32-unknown-unknown', '--no-default-features', '--features', 'browser,terse-errors'];
function buildImmediateAbort() {
  const dir = join(targetDir, 'tag-immediate-abort');
  for (const std of TAG_BUILD_STD) {
    try {
      console.log('$ cargo +nightly ' + [...CARGO_ARGS, ...std].join(' '));
      execFileSync('cargo', ['+nightly', ...CARGO_ARGS, ...std], {
        cwd: root, stdio: 'inherit',
        env: { ...process.env, CARGO_TARGET_DIR: dir, RUSTFLAGS: TAG_RUSTFLAGS },
      });
      return join(dir, 'wasm32-unknown-unknown', 'release', 'leadscore.wasm');
    } catch {
      console.warn(`build-browser: the nightly build with ${std.join(' ')} failed (see above)`);
    }
  }
  console.warn('build-browser: using the stable build, which makes the tag about 8 KB gzip heavier. '
    + '`bash scripts/setup.sh` installs the nightly and its rust-src.');
  return null;
}
function buildStable() {
  // Cargo keeps this feature set's artifacts apart from the default build's, but both are copied to
  // the same leadscore.wasm: it is taken right away.
  run('cargo', CARGO_ARGS);
  return join(targetDir, 'wasm32-unknown-unknown', 'release', 'leadscore.wasm');
}
const immediateAbortWasm = process.env.LEADSCORE_TAG_STABLE ? null : buildImmediateAbort();
const rawWasm = immediateAbortWasm ?? buildStable();
const work = join(targetDir, 'browser-tag');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

// 2. Glue. --target web: an ES module with `init` that accepts the wasm bytes the loader fetched.
//    The loader always hands `init` the wasm it fetched, so the glue needs no default URL.
run('wasm-bindgen', ['--target', 'web', '--no-typescript', '--omit-default-module-path',
  '--out-dir', work, '--out-name', 'leadscore-core', rawWasm]);
const wasm = join(work, 'leadscore-core_bg.wasm');
dropClosureShims(wasm);
// TAG_WASM_OPT's passes; the features section goes too (−0.1 KB gzip): browsers do not read it.
run(bin('wasm-opt'), [...TAG_WASM_OPT, '--strip-debug', '--strip-producers', '--strip-target-features', ...TAG_FEATURES, wasm, '-o', wasm]);
shortenLinkNames(wasm, join(work, 'leadscore-core.js'));

/**
 * Points the function table's entries for wasm-bindgen's closure `invoke` shims at `__rust_abort`, so wasm-opt
 * drops the shims (44 entries, about 2.2 KB raw). js-sys's descriptors took their addresses for callbacks the tag
 * never hands JS (`forEach` over typed arrays, sets …); wasm-bindgen removes the descriptors but not their table
 * entries. Nothing can reach them: the tag creates no `Closure`, and with reference types off the table is not
 * exported (checked here), so only Rust's own indirect calls use it, and Rust never calls these shims itself.
 * Where a check fails (another toolchain, the stable fallback) the wasm is left as it is and the build says so.
 */
function dropClosureShims(wasmFile) {
  const bytes = readFileSync(wasmFile);
  const module = new WebAssembly.Module(bytes);
  const skip = (why) => console.warn(`build-browser: closure shims kept in the function table (${why})`);
  if (WebAssembly.Module.exports(module).some((e) => e.kind === 'table')) return skip('the table is exported');
  const u32 = (buf, at) => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = buf[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return [value, at];
    }
  };
  const leb = (n) => {
    const out = [];
    do {
      const byte = n % 128;
      n = Math.floor(n / 128);
      out.push(n > 0 ? byte | 0x80 : byte);
    } while (n > 0);
    return out;
  };
  // Function names (the name section's subsection 1), by function index.
  const names = new Map();
  const [nameSection] = WebAssembly.Module.customSections(module, 'name');
  const name = new Uint8Array(nameSection ?? new ArrayBuffer(0));
  for (let at = 0; at < name.length;) {
    const id = name[at];
    const [size, start] = u32(name, at + 1);
    if (id === 1) {
      let [count, p] = u32(name, start);
      for (; count > 0; count--) {
        const [index, afterIndex] = u32(name, p);
        const [length, text] = u32(name, afterIndex);
        names.set(index, new TextDecoder().decode(name.subarray(text, text + length)));
        p = text + length;
      }
    }
    at = start + size;
  }
  const find = (test) => [...names].find(([, n]) => test(n))?.[0];
  const abort = find((n) => /^__rustc(\[[0-9a-f]+\])?::__rust_abort$/.test(n));
  const isShim = (n) => /^wasm_bindgen(\[[0-9a-f]+\])?::convert::closures::_::invoke::</.test(n ?? '');
  if (abort === undefined) return skip('no __rust_abort, or no name section');
  // The element section (id 9): MVP segments (flags 0, an i32.const offset), rewritten with the shims replaced.
  for (let at = 8; at < bytes.length;) {
    const id = bytes[at];
    const [size, start] = u32(bytes, at + 1);
    const end = start + size;
    if (id === 9) {
      let [count, p] = u32(bytes, start);
      const payload = leb(count);
      let dropped = 0;
      for (; count > 0; count--) {
        const [flags, offset] = u32(bytes, p);
        const offsetEnd = bytes.indexOf(0x0b, offset) + 1;
        if (flags !== 0 || bytes[offset] !== 0x41) return skip('an element segment of another kind');
        let [entries, q] = u32(bytes, offsetEnd);
        payload.push(...leb(flags), ...bytes.subarray(offset, offsetEnd), ...leb(entries));
        for (; entries > 0; entries--) {
          const [index, next] = u32(bytes, q);
          const shim = isShim(names.get(index));
          dropped += shim ? 1 : 0;
          payload.push(...leb(shim ? abort : index));
          q = next;
        }
        p = q;
      }
      if (p !== end) return skip('the element section was not read to its end');
      console.log(`build-browser: ${dropped} closure shims left the function table`);
      const section = Buffer.from([9, ...leb(payload.length), ...payload]);
      writeFileSync(wasmFile, Buffer.concat([bytes.subarray(0, at), section, bytes.subarray(end)]));
      return;
    }
    at = end;
  }
}

/**
 * Renames the wasm's imports, exports and import module to one or two letters, and the glue's references to
 * match. wasm-bindgen names them after the Rust paths with hashes (one closure shim's export name alone is
 * 600 characters), and every name is in both files: about 2.5 KB gzip of the tag. wasm-opt keeps the order of
 * imports and exports, so old and new names pair up by position (checked: same count and kinds).
 */
function shortenLinkNames(wasmFile, glueFile) {
  const names = () => {
    const module = new WebAssembly.Module(readFileSync(wasmFile));
    return { imports: WebAssembly.Module.imports(module), exports: WebAssembly.Module.exports(module) };
  };
  const before = names();
  // -Oz once more after the renaming: −0.1 KB gzip (it finds more after the pipeline above has converged).
  execFileSync(bin('wasm-opt'), ['--minify-imports-and-exports-and-modules', '-Oz', ...TAG_FEATURES, wasmFile, '-o', wasmFile],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const after = names();
  const paired = (a, b) => a.length === b.length && a.every((x, i) => x.kind === b[i].kind);
  if (!paired(before.imports, after.imports) || !paired(before.exports, after.exports)) {
    throw new Error('build-browser: wasm-opt changed the imports or exports, not only their names');
  }
  const modules = new Set(before.imports.map((i) => i.module));
  let glue = readFileSync(glueFile, 'utf8');
  const replace = (pattern, by) => {
    const next = glue.replace(pattern, by);
    if (next === glue) throw new Error(`build-browser: the glue has no ${pattern}`);
    glue = next;
  };
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const module of modules) {
    const short = after.imports[before.imports.findIndex((i) => i.module === module)].module;
    replace(new RegExp(`"${escape(module)}":`), `"${short}":`);
  }
  before.imports.forEach((imported, i) => replace(new RegExp(`\\b${escape(imported.name)}:`), `"${after.imports[i].name}":`));
  // Not every export is used by the glue (e.g. the abort handler's).
  before.exports.forEach((exported, i) => {
    glue = glue.replace(new RegExp(`\\bwasm\\.${escape(exported.name)}\\b`, 'g'), `wasm["${after.exports[i].name}"]`);
  });
  writeFileSync(glueFile, glue);
}

// 3. Bundle and minify (esbuild, a dependency of vite already): the collector's sources sit beside the glue
//    in the work dir, where their `import … from './leadscore-core.js'` finds it.
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
renameSync(wasm, join(out, 'leadscore-core.wasm'));
const glue = readFileSync(join(work, 'leadscore-core.js'), 'utf8').replace(/^\/\* @ts-self-types="[^"]*" \*\/\n/, '');
writeFileSync(join(work, 'leadscore-core.js'), glue);
for (const file of ['start.js', 'get.js', 'tag.js', 'validate.js', 'listen.js', 'outbox.js', 'integrations.js', 'consent-sources.js', 'datalayer.js', 'embedded-forms.js']) {
  writeFileSync(join(work, file), readFileSync(join(root, 'js', 'browser', file), 'utf8').replace('__VERSION__', version));
}
const esbuild = (entry, file, format, extra = []) => run(bin('esbuild'), [
  entry, `--outfile=${file}`, `--format=${format}`, '--bundle', '--minify', '--target=es2020', '--legal-comments=none', ...extra,
]);
// The tag never uses the module's default wasm URL (import.meta is empty in an IIFE): it passes its own.
esbuild(join(work, 'tag.js'), join(out, 'leadscore.js'), 'iife', ['--log-override:empty-import-meta=silent', '--external:./integrations.js']);
// Consent managers, dataLayer, embedded forms: loaded by the tag from next to itself, only when configured.
esbuild(join(work, 'integrations.js'), join(out, 'leadscore-integrations.js'), 'esm');
esbuild(join(work, 'start.js'), join(out, 'index.js'), 'esm');
// The module's import of the full validator (beside the wasm's URL, known at run time) is left to the browser:
// the minifier drops comments, so the bundlers' ignore markers are put back here (webpack, Turbopack, Vite).
const validatorImport = 'import(new URL("leadscore-validate.js"';
const moduleBuild = readFileSync(join(out, 'index.js'), 'utf8');
if (!moduleBuild.includes(validatorImport)) throw new Error(`build-browser: index.js has no ${validatorImport}`);
writeFileSync(join(out, 'index.js'), moduleBuild.replace(validatorImport,
  'import(/* webpackIgnore: true */ /* turbopackIgnore: true */ /* @vite-ignore */ new URL("leadscore-validate.js"'));
cpSync(join(root, 'js', 'browser', 'index.d.ts'), join(out, 'index.d.ts'));
esbuild(join(root, 'js', 'browser', 'stub.js'), join(out, 'stub.min.js'), 'iife', ['--target=es5']);

// 4. The full model validator, loaded only when the tag's reader rejects a model (`explain` in js/browser/start.js),
//    so not counted in what the tag loads. The stable toolchain: its weight is paid only on a broken model.
const VALIDATOR_ARGS = ['build', '--release', '--target', 'wasm32-unknown-unknown', '--no-default-features', '--features', 'validator'];
run('cargo', VALIDATOR_ARGS);
run('wasm-bindgen', ['--target', 'web', '--no-typescript', '--omit-default-module-path', '--out-dir', work,
  '--out-name', 'validate-glue', join(targetDir, 'wasm32-unknown-unknown', 'release', 'leadscore.wasm')]);
wasmOpt('-Oz', join(work, 'validate-glue_bg.wasm'));
renameSync(join(work, 'validate-glue_bg.wasm'), join(out, 'leadscore-validate.wasm'));
esbuild(join(work, 'validate.js'), join(out, 'leadscore-validate.js'), 'esm');

// Which build it was, for the size test's regression ceiling (kept out of pkg/: not deployed).
writeFileSync(join(work, 'build.json'), JSON.stringify({ panic: immediateAbortWasm ? 'immediate-abort' : 'abort' }) + '\n');

const sizes = snippetSizes(out);
console.log(`website tag (${relative(root, out)}):\n${formatSizes(sizes)}`);
