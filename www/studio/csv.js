// A small CSV reader for the history preview: the header of a dropped CRM export (delimiter , ; or tab,
// whichever the header uses most, as the engine's reader decides) and the rows `scoreCsv` writes back.

export function delimiterOf(text) {
  const line = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0].replace(/"[^"]*"/g, '');
  const counts = [',', ';', '\t'].map((d) => [d, line.split(d).length - 1]);
  return counts.reduce((best, c) => (c[1] > best[1] ? c : best), [',', 0])[0];
}

/** Records of `text` (quotes, doubled quotes and line breaks in quotes handled); stops after `limit` records. */
export function parseCsv(text, delimiter = delimiterOf(text), limit = Infinity) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < body.length && rows.length < limit; i++) {
    const c = body[i];
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) { row.push(field); field = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && body[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if ((field !== '' || row.length) && rows.length < limit) { row.push(field); rows.push(row); }
  return rows;
}

/** The header's column names (blank ones named by position). */
export function headerOf(text) {
  const [header = []] = parseCsv(text, delimiterOf(text), 1);
  return header.map((name, i) => name.trim() || `column ${i + 1}`);
}
