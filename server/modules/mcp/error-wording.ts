// JSON-RPC errors as a client should show them. The SDK's McpError puts "MCP error <code>: " in
// front of its message, and clients put it there again (users saw "MCP error -32602: MCP error
// -32602: …"); and a request whose params fail the SDK's schema (initialize without
// protocolVersion) came back as -32603 Internal error with the validator's JSON dump. Both are
// reworded here, on the way out: the prefix goes, and a params dump becomes -32602 in one line.

export interface WireError {
  code: number;
  message: string;
  data?: unknown;
}

interface Issue {
  path?: unknown;
  message?: unknown;
}

/** The validator's issues, if `message` is its JSON dump (an array of `{path, message}`). */
function issuesIn(message: string): Issue[] | undefined {
  if (!message.startsWith('[')) return undefined;
  try {
    const parsed = JSON.parse(message) as unknown;
    if (!Array.isArray(parsed) || parsed.length === 0) return undefined;
    return parsed.every(
      (i) => typeof i === 'object' && i !== null && Array.isArray((i as Issue).path) && typeof (i as Issue).message === 'string',
    )
      ? (parsed as Issue[])
      : undefined;
  } catch {
    return undefined;
  }
}

export function plainError(error: WireError, method: string | undefined): WireError {
  const prefix = `MCP error ${error.code}: `;
  let message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  let code = error.code;
  const issues = code === -32603 ? issuesIn(message) : undefined;
  if (issues) {
    code = -32602;
    const said = issues.slice(0, 3).map((i) => {
      const where = (i.path as unknown[]).map(String).join('.') || 'the request';
      return `${where}: ${String(i.message).replace(/^Invalid input: /, '')}`;
    });
    const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
    message = `Invalid params${method ? ` for ${method}` : ''}: ${said.join('; ')}${more}.`;
  }
  return message === error.message && code === error.code ? error : { ...error, code, message };
}
