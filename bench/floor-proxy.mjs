// The floor for comparison: the least any HTTP proxy on this stack can add — node:http in, one
// pooled undici request out, the JSON re-serialised — with no MCP, no validation, no logging.
// `node bench/floor-proxy.mjs <upstream origin> <key>` prints "listening on http://…".
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

const [upstream, key] = process.argv.slice(2);
const agent = new Agent({ connections: 64 });
const server = createServer(async (req, res) => {
  try {
    const up = await request(`${upstream}${req.url}`, { dispatcher: agent, headers: { 'x-api-key': key } });
    const body = await up.body.json();
    res.writeHead(up.statusCode, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body, null, 2));
  } catch (err) {
    res.writeHead(502);
    res.end(String(err));
  }
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
