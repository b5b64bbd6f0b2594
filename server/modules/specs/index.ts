// Spec loading and tool generation: text or URL in, validated document, tool definitions out.
export { parseSpecText } from './parse-spec-text.js';
export { fetchSpecText, type FetchSpecOptions } from './fetch-spec.js';
export { importSpec, type ImportOptions } from './import-spec.js';
export { importSpecText } from './import-off-thread.js';
export { diffTools, defaultEnabled } from './diff-tools.js';
export { securityReport, type SecurityReport, type SecurityFinding } from './security-report.js';
export type * from './types.js';
