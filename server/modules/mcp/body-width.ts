// The widest object or array in a JSON text, found by one scan of the raw text before it is
// parsed. JSON.parse builds an object with 200,000 names one name at a time (as a dictionary),
// which held the event loop longer than everything after it; the scan costs a few ms per MB.

/** True when some object or array in `text` holds more than `max` members. Not a validator: JSON.parse still judges the text. */
export function hasContainerWiderThan(text: string, max: number): boolean {
  // Members are counted by the commas at each open level; a string's content is skipped.
  const commas: number[] = [];
  let top = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip to the closing quote, stepping over escapes.
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c) i++;
        else if (s === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      commas[++top] = 0;
    } else if (c === 0x7d || c === 0x5d) {
      if (top >= 0) top--;
    } else if (c === 0x2c && top >= 0) {
      if (++commas[top] >= max) return true;
    }
  }
  return false;
}
