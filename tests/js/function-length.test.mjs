// The house rule's checker (scripts/function-length.mjs) finds what it must and nothing else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { longFunctions, MAX_LINES } from '../../scripts/function-length.mjs';

const js = (bodyLines) => ['function long(a) {', ...Array.from({ length: bodyLines }, (_, i) => `  a += ${i};`), '}'].join('\n');
const rust = (bodyLines) => ['pub(crate) fn long(a: &mut u32) {', ...Array.from({ length: bodyLines }, () => '    *a += 1;'), '}'].join('\n');

test('a function one line over the limit is reported, one at the limit is not', () => {
  assert.deepEqual(longFunctions(js(MAX_LINES - 2), false), []);
  assert.deepEqual(longFunctions(js(MAX_LINES - 1), false).map(([line, length]) => [line, length]), [[1, MAX_LINES + 1]]);
  assert.deepEqual(longFunctions(rust(MAX_LINES - 2), true), []);
  assert.equal(longFunctions(rust(MAX_LINES - 1), true).length, 1);
});

test('braces in strings, comments and regular expressions do not end a function early', () => {
  const body = Array.from({ length: MAX_LINES }, (_, i) => [`  s += '}';`, '  // }', '  s = s.replace(/}/g, "");', '  t = `}`;'][i % 4]);
  const text = ['const f = (s) => {', ...body, '};'].join('\n');
  assert.deepEqual(longFunctions(text, false).map(([line, length]) => [line, length]), [[1, MAX_LINES + 2]]);
});

test('control-flow blocks and declarations without a body are not functions', () => {
  const block = ['if (x) {', ...Array.from({ length: MAX_LINES }, () => '  y++;'), '}'].join('\n');
  assert.deepEqual(longFunctions(block, false), []);
  assert.deepEqual(longFunctions('pub fn declared(a: u32) -> u32;\n' + 'x\n'.repeat(100), true), []);
});

test('generators, methods, arrows with a comment after the brace and callbacks inside an if are functions too', () => {
  const body = Array.from({ length: MAX_LINES }, () => '  yield 1;');
  for (const opener of ['function* rows(file) {', '  async *rows(file) {', '  #rows(a = f()) {', 'const rows = async () => { // note',
    'if (ready) items.forEach((item) => {']) {
    assert.equal(longFunctions([opener, ...body, '}'].join('\n'), false).length, 1, opener);
  }
});

test("Rust lifetimes are not quotes: the brace between two of them counts", () => {
  const text = ["fn go<'a>(x: &'a str) -> &'a str {", ...Array.from({ length: MAX_LINES }, () => "    let y: &'a str = x;"), '    x', '}'].join('\n');
  assert.deepEqual(longFunctions(text, true).map(([line, length]) => [line, length]), [[1, MAX_LINES + 3]]);
});
