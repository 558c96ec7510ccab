// `leadscore score` on two threads, the main thread and a worker (issue 19, js/cli-score-parts.mjs), as installed
// (pkg/bin/leadscore.mjs): its standard output, standard error and exit status equal those of one thread
// (`--workers 1`) byte for byte (and on three threads, two of them workers),
// on generated exports cut into many small parts (LEADSCORE_PART_BYTES) so that cuts fall inside quoted line
// breaks, bad rows land in late parts at known lines, and a byte-order mark, `;`, CRLF, gzip and standard input
// are read across parts (and what one thread scores instead, Windows-1252, JSON Lines output, no id column, is too).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'pkg', 'bin', 'leadscore.mjs');
const skip = existsSync(bin) ? false : 'pkg/bin/leadscore.mjs is missing: build the package first (npm run build)';
let dir;

const MODEL = {
  name: 'parts',
  rules: [
    { id: 'api', points: 30, when: { trait: 'Origin', equals: 'API' } },
    { id: 'visits', points: 20, score: 'engagement', when: { trait: 'Visits', at_least: 3, below: 10 } },
    { id: 'student', points: -30, when: { trait: 'Occupation', equals: 'Student' } },
    { id: 'noted', points: 5, when: { trait: 'Note', contains: ['call'] } },
  ],
  stages: [{ name: 'new' }, { name: 'warm', min: 20 }, { name: 'm;ql', min: 40 }],
};

/** Parts of 16 KB: a file of a few MB is cut about two hundred times. */
const PART_BYTES = 16384;

/**
 * An export of `rows` leads with `delimiter` and `eol`: notes with quoted line breaks (many lines in every
 * third row when `notes` is 'many', so most cuts fall inside one), and bad rows at `bad` (row index -> text).
 * Returns the text and the file line of each row index.
 */
function exportText(rows, { delimiter = ';', eol = '\r\n', notes = 'some', bad = {} } = {}) {
  const lines = [['Lead Id', 'Origin', 'Visits', 'Occupation', 'Note'].join(delimiter)];
  const lineOf = [];
  let line = 2;
  for (let i = 0; i < rows; i++) {
    const h = (i * 2654435761) >>> 0;
    const breaks = notes === 'many' && i % 3 === 0 ? 12 : i % 10 === 0 ? 1 : 0;
    const note = Array.from({ length: breaks + 1 }, (_, k) => (k % 2 ? 'call back' : `said "hi" ${delimiter} ${h % 97}`)).join(eol);
    const text = bad[i] ?? [`L${i}`, ['API', 'Form', ' api ', ''][h % 4], String(h % 13), ['Student', 'Other'][h % 2], `"${note.replace(/"/g, '""')}"`].join(delimiter);
    lineOf.push(line);
    line += 1 + (bad[i] === undefined ? breaks : 0);
    lines.push(text);
  }
  return { text: lines.join(eol) + eol, lineOf };
}

function cli(args, { workers, input, env = {} }) {
  const run = spawnSync(process.execPath, [bin, ...args, '--workers', String(workers)], {
    cwd: dir, input, encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, LEADSCORE_PART_BYTES: String(PART_BYTES), ...env },
  });
  // The summary's time and rate differ from run to run.
  return { status: run.status, stdout: run.stdout, stderr: run.stderr.replace(/ in [\d.]+ s \([\d,]+ rows\/s/, ' in T s (R rows/s') };
}

/** Runs `score` on one thread and on `threads`; asserts the same output; returns the run on `threads`. */
function sameOnTwoWorkers(args, options = {}, threads = 2) {
  const one = cli(args, { ...options, workers: 1 });
  const two = cli(args, { ...options, workers: threads });
  assert.equal(two.status, one.status, two.stderr);
  assert.equal(two.stderr, one.stderr);
  assert.ok(two.stdout === one.stdout, `outputs differ (${two.stdout.length} and ${one.stdout.length} characters)`);
  return two;
}

describe('leadscore score on two threads', { skip }, () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'leadscore-parts-'));
    writeFileSync(join(dir, 'model.json'), JSON.stringify(MODEL));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a BOM, `;`, CRLF, quoted line breaks and bad rows in late parts: the output of one thread', () => {
    const bad = { 5: 'L5;API', 20000: 'L20000;"API"x;3;Other;n', 29990: 'L29990;API;3;Other;n;extra' };
    const { text, lineOf } = exportText(30000, { bad });
    assert.ok(text.length > 40 * PART_BYTES);
    writeFileSync(join(dir, 'semi.csv'), `\ufeff${text}`);
    const run = sameOnTwoWorkers(['score', 'model.json', 'semi.csv', '--keep', 'Note']);
    assert.equal(run.status, 0);
    assert.match(run.stderr, /scored 29,997 of 30,000 rows .*; 3 bad rows skipped\n/);
    // The lines of the bad rows, counting every quoted line break before them.
    assert.ok(lineOf[20000] > 20000 && lineOf[29990] > lineOf[20000]);
    assert.match(run.stderr, new RegExp(`\\n {2}line ${lineOf[5]}: 2 fields, but the header has 5 columns\\n`));
    assert.match(run.stderr, new RegExp(`\\n {2}line ${lineOf[20000]}, field 2: text after the closing quote`));
    assert.match(run.stderr, new RegExp(`\\n {2}line ${lineOf[29990]}: 6 fields, but the header has 5 columns\\n`));
    // --on-error fail stops at the first bad row, named by its line, whichever part it is in.
    const strict = sameOnTwoWorkers(['score', 'model.json', 'semi.csv', '--on-error', 'fail', '--out', 'strict.csv']);
    assert.equal(strict.status, 1);
    assert.equal(strict.stderr, `leadscore: score: csv: line ${lineOf[5]}: 2 fields, but the header has 5 columns\n`);
    const late = exportText(30000, { bad: { 25000: 'L25000;API' } });
    writeFileSync(join(dir, 'late.csv'), late.text);
    const lateRun = sameOnTwoWorkers(['score', 'model.json', 'late.csv', '--on-error', 'fail', '--out', 'late-out.csv']);
    assert.equal(lateRun.stderr, `leadscore: score: csv: line ${late.lineOf[25000]}: 2 fields, but the header has 5 columns\n`);
  });

  test('cuts inside quoted line breaks, a file without a last line break, and --fields', () => {
    const { text } = exportText(20000, { notes: 'many', eol: '\n', delimiter: ',' });
    writeFileSync(join(dir, 'notes.csv'), text.trimEnd());
    sameOnTwoWorkers(['score', 'model.json', 'notes.csv', '--keep', 'Note,Origin']);
    sameOnTwoWorkers(['score', 'model.json', 'notes.csv', '--fields', 'id,score,stage']);
    sameOnTwoWorkers(['score', 'model.json', 'notes.csv', '--keep', 'Note'], {}, 3);
    // A quote never closed in the last row: the last part reads to the end of the file.
    writeFileSync(join(dir, 'open.csv'), `${text}L-open,"API,3,Other,never closed\n`);
    const open = sameOnTwoWorkers(['score', 'model.json', 'open.csv']);
    assert.match(open.stderr, /field 2: a quoted field is never closed/);
  });

  test('gzip and standard input in parts; Windows-1252, JSON Lines output and no id column on one thread', () => {
    const { text } = exportText(20000);
    sameOnTwoWorkers(['score', 'model.json', '-', '--keep', 'Note'], { input: gzipSync(text) });
    sameOnTwoWorkers(['score', 'model.json', '-'], { input: text });
    sameOnTwoWorkers(['score', 'model.json', '-', '--format', 'jsonl'], { input: text });
    const latin = text.replaceAll('Other', 'Öther');
    sameOnTwoWorkers(['score', 'model.json', '-', '--keep', 'Occupation', '--encoding', 'windows-1252'], { input: Buffer.from(latin, 'latin1') });
    // Without an id column a row's id is its ordinal: parts cannot know it, so one thread scores (the same output).
    const noId = text.replace(/^Lead Id;/, 'Lead;');
    const run = sameOnTwoWorkers(['score', 'model.json', '-'], { input: noId });
    assert.match(run.stdout, /\n20000,/);
    assert.match(cli(['score', 'model.json', '-'], { workers: 0, input: text }).stderr, /--workers expects 1 to 64/);
  });
});
