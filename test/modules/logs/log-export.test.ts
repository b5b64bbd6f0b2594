// Export lines: JSON Lines as the API shows a call, CSV quoted per RFC 4180 with formula cells defused.
import t from 'tap';
import { EXPORT_FIELDS, exportHeader, exportLine, type ExportRow } from '../../../server/modules/logs/log-export.js';

const row = (over: Partial<ExportRow> = {}): ExportRow => ({
  id: '7',
  at: '2026-12-05T05:00:00.000Z',
  environment: 'live',
  tool: 'listItems',
  method: 'GET',
  url: 'https://api.example.com/items?limit=1',
  status: 200,
  ok: true,
  durationMs: 12,
  error: null,
  caller: 'url',
  callerLabel: null,
  userAgent: 'node',
  arguments: '{"limit":1}',
  responseExcerpt: 'ok',
  ...over,
});

t.test('JSON Lines: one object per line, every field in order', async (t) => {
  const line = exportLine('jsonl', row());
  t.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'));
  t.same(Object.keys(JSON.parse(line)), [...EXPORT_FIELDS]);
  t.equal(exportHeader('jsonl'), '');
});

t.test('CSV: header, quoting, nulls, and formulas defused', async (t) => {
  t.equal(exportHeader('csv'), `${EXPORT_FIELDS.join(',')}\r\n`);
  const cells = exportLine(
    'csv',
    row({
      arguments: '{"q":"a, \\"b\\"\\nc"}',
      error: null,
      responseExcerpt: '=HYPERLINK("http://evil")',
      callerLabel: '-2+3',
      userAgent: '@SUM(A1)',
    }),
  );
  t.ok(cells.endsWith('\r\n'));
  t.match(cells, /,"{""q"":""a, \\""b\\""\\nc""}",/, 'commas, quotes and newlines quoted');
  t.match(cells, /,'-2\+3,/, 'a leading minus is defused');
  t.match(cells, /,'@SUM\(A1\),/);
  t.match(cells, /,"'=HYPERLINK\(""http:\/\/evil""\)"\r\n$/, 'a formula becomes text');
  t.match(cells, /,12,,url,/, 'null is an empty cell; numbers stay numbers');
});
