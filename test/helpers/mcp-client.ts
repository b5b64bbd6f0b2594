// The real MCP SDK client over Streamable HTTP, closed when the test ends.
import type { Test } from 'tap';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export async function connectClient(t: Test, url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'latchkey-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  await client.connect(transport);
  t.teardown(() => client.close());
  return client;
}

/** The text of a tool result's first content item. */
export function textOf(result: object): string {
  const content = (result as { content?: unknown }).content as { type: string; text?: string }[] | undefined;
  return content?.[0]?.type === 'text' ? (content[0].text ?? '') : '';
}
