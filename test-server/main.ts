// Process entry for `npm run test-server`: parse arguments, start, print the banner, close on a
// signal. Everything else lives in test-server.ts so tests can start the server in-process.
import { parseCliArgs, USAGE } from './cli-args.js';
import { startTestServer, type TestServer } from './test-server.js';

const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;

function fail(message: string, code: number): void {
  process.stderr.write(`test-server: ${message}\n`);
  process.exitCode = code;
}

function banner(server: TestServer): string {
  const lines = [`Latchkey test server (mode ${server.mode}) listening on ${server.url}`, `OpenAPI spec: ${server.url}/openapi.json`];
  if (server.mode === 'none') lines.push('No credential required.');
  else if (server.oauth) {
    const { oauth } = server;
    lines.push(`OAuth metadata: ${oauth.metadataUrl}`);
    lines.push(`Client ID: ${oauth.clientId}`);
    lines.push(`Client secret: ${oauth.clientSecret}`);
    lines.push('That client may use authorization_code (PKCE S256) and client_credentials; others can register at /register.');
    lines.push(`Access tokens last ${oauth.tokenTtlSeconds} s. Send them as: Authorization: Bearer <access token>`);
  } else {
    lines.push(`API key: ${server.key}`);
    lines.push(server.mode === 'bearer' ? 'Send it as: Authorization: Bearer <key>' : 'Send it as: X-Api-Key: <key>');
  }
  lines.push('Press Ctrl+C to stop.');
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const command = parseCliArgs(process.argv.slice(2));
  if (command.kind === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (command.kind === 'error') {
    fail(`${command.message} (see --help)`, EXIT_USAGE);
    return;
  }

  let server: TestServer;
  try {
    server = await startTestServer(command.options);
  } catch (error) {
    fail(`could not start: ${(error as Error).message}`, EXIT_FAILURE);
    return;
  }
  process.stdout.write(banner(server));

  let stopping = false;
  const stop = (): void => {
    // A second signal means the user does not want to wait for connections to close.
    if (stopping) process.exit(EXIT_FAILURE);
    stopping = true;
    server.close().then(
      () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      },
      (error: Error) => {
        fail(`error while closing: ${error.message}`, EXIT_FAILURE);
        process.exit();
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main();
