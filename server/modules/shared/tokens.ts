// Model tokens, estimated: about one per four characters of text or JSON (the common rule of
// thumb; a real tokenizer differs by a quarter either way, more for code and non-Latin text).
// Budgets (tool modes, response sizes) are stated in tokens and measured in characters.
export const CHARS_PER_TOKEN = 4;

export function estimateTokens(chars: number): number {
  return Math.ceil(chars / CHARS_PER_TOKEN);
}
