// The one check every module that reads untrusted JSON needs: a JSON object, not an array or null.
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
