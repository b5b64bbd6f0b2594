// Reads a request body as Fastify's own reader does (byte limit, Content-Length checked, decoded
// once at the end), with the shape scan (body-width.ts) fed each chunk as it arrives: a body too
// wide or too large for one request is refused as soon as that shows, its rest never held.
import type { Readable } from 'node:stream';
import { createBodyShapeScanner, type BodyShapeBounds, type ShapeRefusal } from './body-width.js';

export type BodyOutcome = { body: string } | { refused: 'too-large' | 'length-mismatch' | ShapeRefusal } | { failed: Error };

export interface BodyBounds extends BodyShapeBounds {
  /** Bytes. */
  limit: number;
  /** The request's Content-Length header, if it sent one. */
  contentLength?: string;
}

export function readJsonBody(payload: Readable, bounds: BodyBounds, done: (outcome: BodyOutcome) => void): void {
  const declared = Number(bounds.contentLength);
  if (declared > bounds.limit) return done({ refused: 'too-large' });
  const scanner = createBodyShapeScanner(bounds);
  const chunks: Buffer[] = [];
  let received = 0;

  const finish = (outcome: BodyOutcome) => {
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onError);
    done(outcome);
  };
  function onData(chunk: Buffer | string) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    received += bytes.length;
    if (received > bounds.limit) return finish({ refused: 'too-large' });
    const refused = scanner.push(bytes);
    if (refused) return finish({ refused });
    chunks.push(bytes);
  }
  function onEnd() {
    if (bounds.contentLength !== undefined && !Number.isNaN(declared) && received !== declared)
      return finish({ refused: 'length-mismatch' });
    finish({ body: (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received)).toString('utf8') });
  }
  function onError(err: Error) {
    finish({ failed: err });
  }
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onError);
  payload.resume();
}
