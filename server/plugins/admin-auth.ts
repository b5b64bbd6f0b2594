// The admin token guards /api. It is stored only as a hash; when none exists (and none is set in
// the environment) one is generated on first start and shown once in the banner.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Unauthorized } from '../errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    adminAuth: {
      /** Set only on the start that generated the token, for the banner. */
      generatedToken?: string;
      verify(token: string | undefined): boolean;
      requireAdmin(request: FastifyRequest): Promise<void>;
    };
  }
}

const HASH_KEY = 'admin_token_hash';

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

async function adminAuthPlugin(app: FastifyInstance) {
  let generatedToken: string | undefined;
  let expected: Buffer;
  if (app.config.adminToken) {
    expected = hashToken(app.config.adminToken);
  } else {
    const stored = app.repos.settings.get(HASH_KEY);
    if (stored) {
      expected = Buffer.from(stored, 'hex');
    } else {
      const token = `lka_${randomBytes(32).toString('base64url')}`;
      const kept = app.repos.settings.setIfAbsent(HASH_KEY, hashToken(token).toString('hex'));
      // Another process may have won the race; then its token stands and ours is dropped.
      if (kept === hashToken(token).toString('hex')) generatedToken = token;
      expected = Buffer.from(kept, 'hex');
    }
  }

  const verify = (token: string | undefined): boolean => token !== undefined && timingSafeEqual(hashToken(token), expected);

  app.decorate('adminAuth', {
    generatedToken,
    verify,
    async requireAdmin(request: FastifyRequest) {
      if (!verify(bearer(request))) throw new Unauthorized();
    },
  });
}

export default fp(adminAuthPlugin, { name: 'admin-auth', dependencies: ['db'] });
