// Spec loading and tool generation: text or URL in, validated document, tool definitions out.
export { parseSpecText } from './parse-spec-text.js';
export { fetchSpecText, type FetchSpecOptions } from './fetch-spec.js';
export { importSpec, type ImportOptions } from './import-spec.js';
export { diffTools, defaultEnabled } from './diff-tools.js';
export type * from './types.js';
