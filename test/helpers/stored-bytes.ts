// Everything a gateway has stored, as bytes to search for a secret: the SQLite files (the WAL too:
// it holds recent writes before a checkpoint) or, on PostgreSQL, every row of every table as text.
// Never empty: a search of nothing would pass whatever was stored.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { TestGateway } from './gateway.js';

export async function storedBytes(gw: Pick<TestGateway, 'dataDir' | 'config'>): Promise<Buffer> {
  let bytes: Buffer;
  if (gw.config.databaseUrl) {
    const client = new pg.Client({ connectionString: gw.config.databaseUrl });
    await client.connect();
    try {
      const { rows: tables } = await client.query<{ schema: string; name: string }>(
        "select table_schema as schema, table_name as name from information_schema.tables where table_schema in ('public', 'drizzle') and table_type = 'BASE TABLE'",
      );
      const parts: string[] = [];
      for (const { schema, name } of tables) {
        const { rows } = await client.query<{ row: string }>(`select row_to_json(t)::text as row from "${schema}"."${name}" t`);
        for (const { row } of rows) parts.push(row);
      }
      bytes = Buffer.from(parts.join('\n'));
    } finally {
      await client.end();
    }
  } else {
    bytes = Buffer.concat(
      readdirSync(gw.dataDir)
        .filter((f) => f.startsWith('latchkey.db'))
        .map((f) => readFileSync(path.join(gw.dataDir, f))),
    );
  }
  if (bytes.length === 0) throw new Error('Nothing stored was found to search.');
  return bytes;
}
