// Ready-to-paste configuration for each MCP client, built from the workspace's URL. In `keys` mode
// each one also sends the access key header (the placeholder stands for the key).

export interface Snippet {
  client: string;
  where: string;
  language: 'json' | 'shell';
  text: string;
}

export const KEY_HEADER = 'X-Latchkey-Key';
export const KEY_PLACEHOLDER = '<your-access-key>';

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** A server name the clients accept: the slug, or a safe fallback. */
export function serverName(slug: string): string {
  return /^[a-z0-9][a-z0-9-]{0,62}$/.test(slug) ? slug : 'latchkey';
}

export function snippetsFor(url: string, slug: string, opts: { withKey?: boolean } = {}): Snippet[] {
  const name = serverName(slug);
  const headers = opts.withKey ? { headers: { [KEY_HEADER]: KEY_PLACEHOLDER } } : {};
  // mcp-remote takes `--header Name:value`; no space after the colon keeps it one argument everywhere.
  const remoteArgs = opts.withKey ? ['--header', `${KEY_HEADER}:${KEY_PLACEHOLDER}`] : [];
  return [
    {
      client: 'Claude Desktop',
      where: 'Settings → Developer → Edit Config (claude_desktop_config.json)',
      language: 'json',
      text: json({ mcpServers: { [name]: { command: 'npx', args: ['-y', 'mcp-remote@latest', url, ...remoteArgs] } } }),
    },
    {
      client: 'Claude Code',
      where: 'In a terminal',
      language: 'shell',
      text: `claude mcp add --transport http ${name} ${url}${opts.withKey ? ` --header "${KEY_HEADER}: ${KEY_PLACEHOLDER}"` : ''}`,
    },
    {
      client: 'Cursor',
      where: '~/.cursor/mcp.json (or .cursor/mcp.json in a project)',
      language: 'json',
      text: json({ mcpServers: { [name]: { url, ...headers } } }),
    },
    {
      client: 'VS Code',
      where: '.vscode/mcp.json in your workspace',
      language: 'json',
      text: json({ servers: { [name]: { type: 'http', url, ...headers } } }),
    },
    {
      client: 'Windsurf',
      where: '~/.codeium/windsurf/mcp_config.json',
      language: 'json',
      text: json({ mcpServers: { [name]: { serverUrl: url, ...headers } } }),
    },
  ];
}
