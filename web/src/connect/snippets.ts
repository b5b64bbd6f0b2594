// Ready-to-paste configuration for each MCP client, built from the workspace's URL.

export interface Snippet {
  client: string;
  where: string;
  language: 'json' | 'shell';
  text: string;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** A server name the clients accept: the slug, or a safe fallback. */
export function serverName(slug: string): string {
  return /^[a-z0-9][a-z0-9-]{0,62}$/.test(slug) ? slug : 'latchkey';
}

export function snippetsFor(url: string, slug: string): Snippet[] {
  const name = serverName(slug);
  return [
    {
      client: 'Claude Desktop',
      where: 'Settings → Developer → Edit Config (claude_desktop_config.json)',
      language: 'json',
      text: json({ mcpServers: { [name]: { command: 'npx', args: ['-y', 'mcp-remote@latest', url] } } }),
    },
    {
      client: 'Claude Code',
      where: 'In a terminal',
      language: 'shell',
      text: `claude mcp add --transport http ${name} ${url}`,
    },
    {
      client: 'Cursor',
      where: '~/.cursor/mcp.json (or .cursor/mcp.json in a project)',
      language: 'json',
      text: json({ mcpServers: { [name]: { url } } }),
    },
    {
      client: 'VS Code',
      where: '.vscode/mcp.json in your workspace',
      language: 'json',
      text: json({ servers: { [name]: { type: 'http', url } } }),
    },
    {
      client: 'Windsurf',
      where: '~/.codeium/windsurf/mcp_config.json',
      language: 'json',
      text: json({ mcpServers: { [name]: { serverUrl: url } } }),
    },
  ];
}
