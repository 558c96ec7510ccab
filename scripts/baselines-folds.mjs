// The fold file of scripts/baselines.sh: which cross-validation fold each lead is held out in. The
// Python side (scripts/baselines.py) writes it, and both sides read it, so every method is learned
// and judged on exactly the same rows. Format: CSV with a header `id,fold`, one line per lead,
// folds numbered 0..k-1.

/** Splits CSV text into records (RFC 4180 quotes: a quoted field may hold commas, quotes and line
 * breaks), keeping each record's text as written. Returns { header, records } as raw lines. */
export function csvRecords(text) {
  const records = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) {
      if (i > start) records.push(text.slice(start, i));
      if (c === '\r' && text[i + 1] === '\n') i++;
      start = i + 1;
    }
  }
  if (quoted) throw new Error(`csv: a quoted field opened in record ${records.length + 1} is never closed`);
  if (start < text.length) records.push(text.slice(start));
  const [header, ...rows] = records;
  if (header === undefined) throw new Error('csv: the file is empty');
  return { header: header.replace(/^\uFEFF/, ''), rows };
}

/** The fields of one record (quotes removed). */
export function csvFields(record) {
  const fields = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < record.length; i++) {
    const c = record[i];
    if (quoted) {
      if (c === '"' && record[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { fields.push(field); field = ''; } else field += c;
  }
  fields.push(field);
  return fields;
}

/** Reads a fold file: Map id → fold. Errors name the line. */
export function readFolds(text) {
  const { header, rows } = csvRecords(text);
  if (header.trim() !== 'id,fold') throw new Error(`folds: line 1: expected the header "id,fold", found "${header}"`);
  const folds = new Map();
  rows.forEach((record, i) => {
    const [id, fold, ...rest] = csvFields(record);
    const line = i + 2;
    if (rest.length > 0 || fold === undefined) throw new Error(`folds: line ${line}: expected 2 fields`);
    if (!/^\d+$/.test(fold)) throw new Error(`folds: line ${line}: fold "${fold}" is not a whole number`);
    if (folds.has(id)) throw new Error(`folds: line ${line}: id "${id}" appears twice`);
    folds.set(id, Number(fold));
  });
  const k = Math.max(...folds.values()) + 1;
  for (let f = 0; f < k; f++) {
    if (![...folds.values()].includes(f)) throw new Error(`folds: fold ${f} has no rows (folds must be numbered 0..${k - 1})`);
  }
  return folds;
}

/** For each fold, the CSV text of the learning rows (every other fold) and of the held-out rows,
 * both with the header. Every data row must have a fold, and every fold a row. */
export function splitByFold(csvText, folds, idColumn) {
  const { header, rows } = csvRecords(csvText);
  const idIndex = csvFields(header).indexOf(idColumn);
  if (idIndex < 0) throw new Error(`csv: no column "${idColumn}" (the id the fold file refers to)`);
  const k = Math.max(...folds.values()) + 1;
  const foldOf = rows.map((record, i) => {
    const id = csvFields(record)[idIndex];
    const fold = folds.get(id);
    if (fold === undefined) throw new Error(`csv: row ${i + 1}: id "${id}" has no fold in the fold file`);
    return fold;
  });
  if (rows.length !== folds.size) throw new Error(`folds: the fold file has ${folds.size} ids, the CSV ${rows.length} rows`);
  // Rows keep the file's order on both sides.
  return Array.from({ length: k }, (_, fold) => ({
    fold,
    learn: [header, ...rows.filter((_, i) => foldOf[i] !== fold)].join('\n'),
    test: [header, ...rows.filter((_, i) => foldOf[i] === fold)].join('\n'),
  }));
}
