// The five operations under /api, after authentication has passed. Routing is a few string
// comparisons rather than a router: the benchmark measures this server as the baseline, so it
// should cost as little as possible per request.
import type { ServerResponse } from 'node:http';
import { sendError, sendJson, sendNoContent } from './http-io.js';
import type { NewItem, Store } from './store.js';

export interface ApiRequest {
  method: string;
  /** Without the query string, e.g. `/api/items/itm_0010`. */
  path: string;
  /** Without the leading `?`; '' when there is none. */
  query: string;
  body: string;
}

const ITEM_PREFIX = '/api/items/';
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

function methodNotAllowed(res: ServerResponse, allow: string): void {
  sendError(res, 405, 'METHOD_NOT_ALLOWED', `Allowed methods: ${allow}.`, { allow });
}

function notFoundRoute(res: ServerResponse, req: ApiRequest): void {
  sendError(res, 404, 'NOT_FOUND', `No route for ${req.method} ${req.path}; the API is described at /openapi.json.`);
}

function listItems(res: ServerResponse, store: Store, query: string): void {
  const params = new URLSearchParams(query);
  const limitText = params.get('limit');
  let limit = DEFAULT_LIMIT;
  if (limitText !== null) {
    limit = /^\d{1,3}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT)) {
      sendError(res, 400, 'INVALID_QUERY', `limit must be an integer from 1 to ${MAX_LIMIT}, got "${limitText}".`);
      return;
    }
  }
  const q = params.get('q');
  sendJson(res, 200, store.listItems({ limit, ...(q ? { q } : {}) }));
}

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export function parseNewItem(body: string): Parsed<NewItem> {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return { ok: false, message: 'The body must be JSON, e.g. {"name":"widget","price":4.5,"tags":["new"]}.' };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, message: 'The body must be a JSON object.' };
  }
  const { name, price, tags } = data as Record<string, unknown>;
  if (typeof name !== 'string' || name.length === 0) {
    return { ok: false, message: 'name is required and must be a non-empty string.' };
  }
  if (price !== undefined && (typeof price !== 'number' || !Number.isFinite(price))) {
    return { ok: false, message: 'price must be a number.' };
  }
  if (tags !== undefined && !(Array.isArray(tags) && tags.every((tag) => typeof tag === 'string'))) {
    return { ok: false, message: 'tags must be an array of strings.' };
  }
  return { ok: true, value: { name, ...(price === undefined ? {} : { price }), ...(tags === undefined ? {} : { tags }) } };
}

function createItem(res: ServerResponse, store: Store, body: string): void {
  const parsed = parseNewItem(body);
  if (!parsed.ok) {
    sendError(res, 400, 'INVALID_BODY', parsed.message);
    return;
  }
  sendJson(res, 201, store.createItem(parsed.value));
}

function itemRoute(res: ServerResponse, store: Store, req: ApiRequest): void {
  const encodedId = req.path.slice(ITEM_PREFIX.length);
  let id: string;
  try {
    id = decodeURIComponent(encodedId);
  } catch {
    // A malformed escape cannot name any item we have.
    id = '';
  }
  if (req.method === 'GET') {
    const item = id ? store.getItem(id) : undefined;
    if (item) sendJson(res, 200, item);
    else sendError(res, 404, 'NOT_FOUND');
  } else if (req.method === 'DELETE') {
    if (id && store.deleteItem(id)) sendNoContent(res);
    else sendError(res, 404, 'NOT_FOUND');
  } else {
    methodNotAllowed(res, 'GET, DELETE');
  }
}

export function routeApi(res: ServerResponse, store: Store, req: ApiRequest): void {
  const { method, path } = req;
  if (path === '/api/items') {
    if (method === 'GET') listItems(res, store, req.query);
    else if (method === 'POST') createItem(res, store, req.body);
    else methodNotAllowed(res, 'GET, POST');
  } else if (path.startsWith(ITEM_PREFIX) && path.length > ITEM_PREFIX.length && !path.includes('/', ITEM_PREFIX.length)) {
    itemRoute(res, store, req);
  } else if (path === '/api/users') {
    if (method === 'GET') sendJson(res, 200, store.listUsers());
    else methodNotAllowed(res, 'GET');
  } else {
    notFoundRoute(res, req);
  }
}
