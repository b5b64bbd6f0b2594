// The start of a value's JSON text, without writing the rest. The call log keeps the first 4 KB
// of a call's arguments; serialising them whole to keep that much cost ms per call for large ones
// (15,000 names, a 1 MB body) and made a string the size of the request.

type Frame = { array: unknown[]; next: number } | { object: Record<string, unknown>; keys: string[]; next: number; wrote: boolean };

/** Left out of an object by JSON.stringify, and written as null in an array. */
function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/**
 * `JSON.stringify(value)` when it is at most `max` characters; otherwise a longer prefix of it
 * (at least `max + 1` characters, so a caller can tell it was cut), stopped soon after `max`.
 */
export function jsonPrefix(value: unknown, max: number): string {
  let out = '';
  const stack: Frame[] = [];
  const write = (item: unknown, inArray: boolean): void => {
    // An object with toJSON (a Date) is written as JSON.stringify writes it, whole.
    if (item !== null && typeof item === 'object' && typeof (item as { toJSON?: unknown }).toJSON !== 'function') {
      if (Array.isArray(item)) {
        out += '[';
        stack.push({ array: item, next: 0 });
      } else {
        out += '{';
        stack.push({ object: item as Record<string, unknown>, keys: Object.keys(item), next: 0, wrote: false });
      }
      return;
    }
    out += (isOmitted(item) ? undefined : JSON.stringify(item)) ?? (inArray ? 'null' : '');
  };
  write(value, false);
  while (stack.length > 0 && out.length <= max) {
    const frame = stack[stack.length - 1];
    if ('array' in frame) {
      if (frame.next === frame.array.length) {
        out += ']';
        stack.pop();
        continue;
      }
      if (frame.next > 0) out += ',';
      write(frame.array[frame.next++], true);
      continue;
    }
    while (frame.next < frame.keys.length && isOmitted(frame.object[frame.keys[frame.next]])) frame.next++;
    if (frame.next === frame.keys.length) {
      out += '}';
      stack.pop();
      continue;
    }
    const key = frame.keys[frame.next++];
    out += `${frame.wrote ? ',' : ''}${JSON.stringify(key)}:`;
    frame.wrote = true;
    write(frame.object[key], false);
  }
  return out;
}
