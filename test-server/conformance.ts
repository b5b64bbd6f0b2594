// GET /api/conformance/*, served only when the server is started with `conformance: true`: the
// fixture tools the MCP conformance suite calls (test_simple_text, test_image_content, …) as
// operations of a REST API, so the suite's tool-call scenarios run through the gateway like any
// API's tools: a text answer, a PNG, a WAV, other bytes (an embedded resource) and a failure.
import type { ServerResponse } from 'node:http';
import type { OpenAPIV3 } from 'openapi-types';
import { sendError } from './http-io.js';

export const CONFORMANCE_PREFIX = '/api/conformance/';

// A 1x1 red pixel, and 8 samples of silence (8 kHz, 8-bit, mono).
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVQI12P4z8AAAAMBAQAY3Y2wAAAAAElFTkSuQmCC', 'base64');
const WAV = Buffer.from('UklGRiwAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQgAAACAgICAgICAgA==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

const ANSWERS: Record<string, { operationId: string; summary: string; status: number; type: string; body: Buffer | string }> = {
  text: {
    operationId: 'test_simple_text',
    summary: 'A plain text answer',
    status: 200,
    type: 'text/plain; charset=utf-8',
    body: 'This is a simple text response for testing.',
  },
  image: { operationId: 'test_image_content', summary: 'A PNG image', status: 200, type: 'image/png', body: PNG },
  audio: { operationId: 'test_audio_content', summary: 'A WAV sound', status: 200, type: 'audio/wav', body: WAV },
  resource: { operationId: 'test_embedded_resource', summary: 'A PDF document', status: 200, type: 'application/pdf', body: PDF },
  error: {
    operationId: 'test_error_handling',
    summary: 'Always fails',
    status: 500,
    type: 'application/json',
    body: JSON.stringify({ error: 'INTENTIONAL', message: 'This operation fails on purpose, for testing.' }),
  },
};

/** Answers a GET under CONFORMANCE_PREFIX; false when the path is not one of them. */
export function sendConformance(method: string, path: string, res: ServerResponse): boolean {
  const answer = Object.hasOwn(ANSWERS, path.slice(CONFORMANCE_PREFIX.length)) ? ANSWERS[path.slice(CONFORMANCE_PREFIX.length)] : undefined;
  if (!answer) return false;
  if (method !== 'GET') {
    sendError(res, 405, 'METHOD_NOT_ALLOWED', 'Allowed methods: GET.', { allow: 'GET' });
    return true;
  }
  res.writeHead(answer.status, { 'content-type': answer.type, 'content-length': Buffer.byteLength(answer.body) });
  res.end(answer.body);
  return true;
}

/** The operations, added to the document only when they are served. */
export const conformancePaths: OpenAPIV3.PathsObject = Object.fromEntries(
  Object.entries(ANSWERS).map(([name, a]) => [
    `${CONFORMANCE_PREFIX}${name}`,
    {
      get: {
        operationId: a.operationId,
        tags: ['conformance'],
        summary: a.summary,
        responses: { [String(a.status)]: { description: a.summary, content: { [a.type.split(';')[0]]: {} } } },
      },
    },
  ]),
);
