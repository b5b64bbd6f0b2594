// How wide and how large a JSON text is, found by one scan of its raw bytes as they arrive, before
// anything is parsed. JSON.parse builds an object with 200,000 names one name at a time (as a
// dictionary), which held the event loop longer than everything after it, and 30,000 values in
// narrow objects still cost 20-40 ms to parse; scanning chunk by chunk refuses such a body after
// its first few hundred KB, without ever buffering the rest.

export interface BodyShapeBounds {
  /** Members of any one object or array. */
  maxWidth: number;
  /** Values in the whole text (objects, arrays and scalars alike; an empty object or array counts one more). */
  maxValues: number;
}

export type ShapeRefusal = 'too-wide' | 'too-many-values';

/** Feeds a JSON text's bytes in order; `push` names the bound the text has crossed, once it has. */
export interface BodyShapeScanner {
  push(chunk: Uint8Array): ShapeRefusal | undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Not a validator: JSON.parse still judges the text. Only ASCII bytes are structural, and UTF-8
 * never uses them inside a multi-byte character, so chunks may split anywhere.
 */
export function createBodyShapeScanner({ maxWidth, maxValues }: BodyShapeBounds): BodyShapeScanner {
  // Members are counted by the commas at each open level; a string's content is skipped. Values
  // are one per comma plus one per container opened (its first member, or itself when empty).
  const commas: number[] = [];
  let top = -1;
  let values = 1;
  let inString = false;
  let escaped = false;
  let refused: ShapeRefusal | undefined;
  return {
    push(chunk) {
      if (refused) return refused;
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk[i];
        if (inString) {
          if (escaped) escaped = false;
          else if (c === BACKSLASH) escaped = true;
          else if (c === QUOTE) inString = false;
        } else if (c === QUOTE) {
          inString = true;
        } else if (c === 0x7b || c === 0x5b) {
          commas[++top] = 0;
          if (++values > maxValues) return (refused = 'too-many-values');
        } else if (c === 0x7d || c === 0x5d) {
          if (top >= 0) top--;
        } else if (c === 0x2c && top >= 0) {
          if (++commas[top] >= maxWidth) return (refused = 'too-wide');
          if (++values > maxValues) return (refused = 'too-many-values');
        }
      }
      return undefined;
    },
  };
}
