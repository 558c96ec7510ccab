// The fold file of scripts/baselines.sh (the slow comparison with scikit-learn and InterpretML,
// not run by npm test): both sides must split the leads into exactly the folds it lists.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvFields, csvRecords, readFolds, splitByFold } from '../../scripts/baselines-folds.mjs';

const leads = 'Lead ID,Notes,Converted\r\nL1,"a, ""quoted""\nnote",1\r\nL2,plain,0\r\nL3,,1\r\nL4,x,0\r\n';

test('records keep quoted commas, quotes and line breaks', () => {
  const { header, rows } = csvRecords(leads);
  assert.equal(header, 'Lead ID,Notes,Converted');
  assert.equal(rows.length, 4);
  assert.deepEqual(csvFields(rows[0]), ['L1', 'a, "quoted"\nnote', '1']);
  assert.throws(() => csvRecords('a,b\n"open,1\n'), /never closed/);
});

test('each fold holds out exactly its ids, and learns from the rest in file order', () => {
  const folds = readFolds('id,fold\nL1,0\nL2,1\nL3,1\nL4,0\n');
  const splits = splitByFold(leads, folds, 'Lead ID');
  assert.equal(splits.length, 2);
  const ids = (text) => csvRecords(text).rows.map((r) => csvFields(r)[0]);
  assert.deepEqual(ids(splits[0].test), ['L1', 'L4']);
  assert.deepEqual(ids(splits[0].learn), ['L2', 'L3']);
  assert.deepEqual(ids(splits[1].test), ['L2', 'L3']);
  assert.deepEqual(ids(splits[1].learn), ['L1', 'L4']);
  assert.ok(splits[0].test.startsWith('Lead ID,Notes,Converted\n'));
});

test('a bad fold file or a lead without a fold is an error naming the line or row', () => {
  assert.throws(() => readFolds('lead,fold\nL1,0\n'), /line 1: expected the header/);
  assert.throws(() => readFolds('id,fold\nL1,x\n'), /line 2: fold "x"/);
  assert.throws(() => readFolds('id,fold\nL1,0\nL1,1\n'), /line 3: id "L1" appears twice/);
  assert.throws(() => readFolds('id,fold\nL1,0\nL2,2\n'), /fold 1 has no rows/);
  const partial = readFolds('id,fold\nL1,0\nL2,1\nL3,1\n');
  assert.throws(() => splitByFold(leads, partial, 'Lead ID'), /row 4: id "L4" has no fold/);
  assert.throws(() => splitByFold(leads, partial, 'Prospect ID'), /no column "Prospect ID"/);
});
