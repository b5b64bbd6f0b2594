#!/usr/bin/env node
// The `latchkey` command. From a checkout it runs the TypeScript source through tsx (always
// current); in an image built without dev dependencies, the compiled dist/server/cli.js.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../server/cli.ts', import.meta.url));
const compiled = new URL('../dist/server/cli.js', import.meta.url);
let tsx;
try {
  tsx = await import('tsx/esm/api');
} catch {
  tsx = undefined;
}
if (tsx && existsSync(source)) {
  tsx.register();
  await import(new URL('../server/cli.ts', import.meta.url).href);
} else {
  await import(compiled.href);
}
