// A workspace's call log as a file: JSON Lines (one object per call, as the logs API shows it) or
// CSV (one row per call, RFC 4180 quoting). A CSV cell that a spreadsheet would run as a formula
// (starting with =, +, -, @, tab or CR) is prefixed with an apostrophe: an argument or an upstream
// answer a caller controls must not become a formula on an operator's machine.

/** The columns of an export, in order: the logs API's fields. */
export const EXPORT_FIELDS = [
  'id',
  'at',
  'environment',
  'tool',
  'method',
  'url',
  'status',
  'ok',
  'durationMs',
  'error',
  'caller',
  'callerLabel',
  'userAgent',
  'arguments',
  'responseExcerpt',
] as const;

export type ExportRow = Record<(typeof EXPORT_FIELDS)[number], string | number | boolean | null>;
export type ExportFormat = 'jsonl' | 'csv';

const FORMULA_START = /^[=+\-@\t\r]/;

function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The file's first line, if the format has one. */
export function exportHeader(format: ExportFormat): string {
  return format === 'csv' ? `${EXPORT_FIELDS.join(',')}\r\n` : '';
}

export function exportLine(format: ExportFormat, row: ExportRow): string {
  if (format === 'jsonl') return `${JSON.stringify(Object.fromEntries(EXPORT_FIELDS.map((field) => [field, row[field]])))}\n`;
  return `${EXPORT_FIELDS.map((field) => csvCell(row[field])).join(',')}\r\n`;
}

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};
