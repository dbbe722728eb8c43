/**
 * RFC 4180 CSV: comma-separated fields, double-quoted fields may hold commas, line breaks and
 * doubled quotes; CRLF or LF line ends. A problem names the line, never a cell's content.
 */
export function parseCsv(text: string): { rows: string[][] } | { problem: string } {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i);
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        if (char === '\n') line++;
        field += char;
      }
    } else if (char === '"' && field === '') {
      quoted = true;
    } else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((cell) => cell !== '')) rows.push(row);
      row = [];
      field = '';
      line++;
    } else {
      field += char;
    }
  }
  if (quoted) return { problem: `a quoted field opened on or before line ${line} is never closed` };
  row.push(field);
  if (row.some((cell) => cell !== '')) rows.push(row);
  return { rows };
}
