// Re-seals every sealed value under a rotation's new key, in small batches, while gateways keep
// serving: each value is replaced only if nobody rewrote it meanwhile (a gateway that did sealed
// it again itself), and passes repeat until one finds nothing left under another key. The
// plaintext is never read here beyond the vault's open-and-seal: what a value means is the
// credential store's business.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  SEALED_KINDS,
  type SealedKind,
  type SealedValue,
  type SealedValuesRepository,
} from '../../db/repositories/sealed-values-repository.js';
import { sealedPrefix, type SealContext, type Vault } from '../vault/index.js';
import { authSealContext, pendingSealContext, toolsetTokenSealContext, urlTokenSealContext } from '../workspaces/seal-contexts.js';

export interface ResealOptions {
  /** Values read and replaced at a time. */
  batchSize?: number;
  /** A pause after each batch, to go easy on a busy database. */
  pauseMs?: number;
  /** After each batch. `total` is what was counted at the start; values written meanwhile add to `done`. */
  onProgress?(progress: { done: number; total: number }): void;
  /** Gives up after this many passes (values keep appearing under the old key: a node that never learnt the new one). */
  maxPasses?: number;
}

export interface ResealResult {
  resealed: number;
  /** Values neither key opens (sealed under a third key, or damaged): left as they are. */
  unopenable: SealedValue[];
  /** False when values were still being written under another key after `maxPasses` passes. */
  settled: boolean;
}

export function sealContextOf(kind: SealedKind, workspaceId: string, ref: string): SealContext {
  switch (kind) {
    case 'credentials':
      return authSealContext(workspaceId, ref);
    case 'url-tokens':
      return urlTokenSealContext(workspaceId, ref);
    case 'toolset-url-tokens':
      return toolsetTokenSealContext(workspaceId, ref);
    case 'oauth-pending':
      return pendingSealContext(workspaceId);
  }
}

/** Re-seals every value not sealed under `vault.keyId` (the vault must know the old key too). */
export async function resealAll(repo: SealedValuesRepository, vault: Vault, opts: ResealOptions = {}): Promise<ResealResult> {
  const { batchSize = 100, pauseMs = 0, maxPasses = 10 } = opts;
  const prefix = sealedPrefix(vault.keyId);
  let total = 0;
  for (const kind of SEALED_KINDS) total += await repo.countNotUnder(kind, prefix);
  const unopenable = new Map<string, SealedValue>();
  const idOf = (v: SealedValue) => `${v.kind}\u0000${v.workspaceId}\u0000${v.ref}\u0000${v.sealed}`;
  let resealed = 0;

  for (let pass = 0; pass < maxPasses; pass++) {
    let found = 0;
    for (const kind of SEALED_KINDS) {
      let after: SealedValue | undefined;
      for (;;) {
        const page = await repo.listNotUnder(kind, prefix, batchSize, after);
        if (page.length === 0) break;
        for (const value of page) {
          if (unopenable.has(idOf(value))) continue;
          found++;
          const context = sealContextOf(kind, value.workspaceId, value.ref);
          let next: string;
          try {
            next = vault.seal(vault.open(value.sealed, context), context);
          } catch {
            unopenable.set(idOf(value), value);
            continue;
          }
          // Not replaced: a gateway rewrote it meanwhile; the next pass looks at it again.
          if (await repo.replace(value, next)) resealed++;
        }
        after = page[page.length - 1];
        opts.onProgress?.({ done: resealed, total });
        if (pauseMs > 0) await sleep(pauseMs);
      }
    }
    if (found === 0) return { resealed, unopenable: [...unopenable.values()], settled: true };
  }
  return { resealed, unopenable: [...unopenable.values()], settled: false };
}
