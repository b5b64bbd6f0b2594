// GET /api/echo, served only when the server is started with `echo: true`: answers with the
// request as it arrived (method, URL, headers, query, and Basic credentials decoded), the way some
// real APIs and error pages reflect what they were sent. Tests use it to check that the gateway
// never hands a stored secret back to the caller.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OpenAPIV3 } from 'openapi-types';
import { sendError } from './http-io.js';

export const ECHO_PATH = '/api/echo';
const FORMATS = ['json', 'text', 'binary'] as const;

export function sendEcho(req: IncomingMessage, res: ServerResponse, url: string, headers: Record<string, string>, query: string): void {
  if (req.method !== 'GET') {
    sendError(res, 405, 'METHOD_NOT_ALLOWED', 'Allowed methods: GET.', { allow: 'GET' });
    return;
  }
  const params = new URLSearchParams(query);
  const status = Number(params.get('status') ?? 200);
  const format = params.get('format') ?? 'json';
  if (!Number.isInteger(status) || status < 200 || status > 599 || !(FORMATS as readonly string[]).includes(format)) {
    sendError(res, 400, 'INVALID_QUERY', `status must be an integer from 200 to 599 and format one of ${FORMATS.join(', ')}.`);
    return;
  }
  const auth = headers.authorization ?? '';
  const basic = /^Basic\s+(\S+)$/i.exec(auth)?.[1];
  const echo = {
    method: req.method,
    url,
    headers,
    query: Object.fromEntries(params),
    ...(basic ? { basic: Buffer.from(basic, 'base64').toString('utf8') } : {}),
  };
  const json = JSON.stringify(echo);
  const [type, body] =
    format === 'text'
      ? [
          'text/plain; charset=utf-8',
          Object.entries(echo)
            .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join('\n'),
        ]
      : format === 'binary'
        ? ['application/octet-stream', json]
        : ['application/json; charset=utf-8', json];
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The operation's description, added to the document only when the endpoint is served. */
export const echoPathItem: OpenAPIV3.PathItemObject = {
  get: {
    operationId: 'echoRequest',
    tags: ['debug'],
    summary: 'Echo the request',
    description:
      'Answers with the request as the server received it: method, URL, headers, query parameters, and Basic credentials decoded.',
    parameters: [
      {
        name: 'status',
        in: 'query',
        description: 'The status to answer with, 200 to 599.',
        schema: { type: 'integer', minimum: 200, maximum: 599, default: 200 },
      },
      {
        name: 'format',
        in: 'query',
        description: 'json (default), text, or binary (application/octet-stream).',
        schema: { type: 'string', enum: [...FORMATS] },
      },
    ],
    responses: { '200': { description: 'The request as received.', content: { 'application/json': { schema: { type: 'object' } } } } },
  },
};
