// How a workspace's tools are offered: `all` lists every enabled tool (as always); `dynamic` lists
// three meta-tools that find, describe and call them (meta-tools.ts); `auto` picks `all` while the
// list is small enough for a model to carry on every turn, and `dynamic` above that.
export { estimateTokens } from '../shared/tokens.js';

export const TOOL_MODES = ['all', 'dynamic'] as const;
export type ToolMode = (typeof TOOL_MODES)[number];
/** What a workspace or key stores: a mode, or null for `auto` (the workspace's choice, for a key). */
export type ToolModeSetting = ToolMode | 'auto';

export function isToolMode(value: unknown): value is ToolMode {
  return typeof value === 'string' && (TOOL_MODES as readonly string[]).includes(value);
}

/**
 * `auto` lists every tool up to these: clients load at most a few dozen to a hundred tools (Cursor
 * warns past 40), and every listed tool costs the model context on every turn.
 */
export const AUTO_MAX_TOOLS = 40;
export const AUTO_MAX_TOKENS = 30_000;

export interface ModeChoice {
  mode: ToolMode;
  /** Why, in a sentence for the console. */
  reason: string;
}

export function chooseToolMode(setting: ToolModeSetting, tools: number, tokens: number): ModeChoice {
  const size = `${tools.toLocaleString('en-US')} tool${tools === 1 ? '' : 's'}, about ${tokens.toLocaleString('en-US')} tokens of tools/list`;
  if (setting !== 'auto') return { mode: setting, reason: `Set to "${setting}" (${size}).` };
  if (tools > AUTO_MAX_TOOLS)
    return { mode: 'dynamic', reason: `Auto: ${size}; more than ${AUTO_MAX_TOOLS} tools are searched, not listed.` };
  if (tokens > AUTO_MAX_TOKENS)
    return {
      mode: 'dynamic',
      reason: `Auto: ${size}; a list above ${AUTO_MAX_TOKENS.toLocaleString('en-US')} tokens is searched, not listed.`,
    };
  return {
    mode: 'all',
    reason: `Auto: ${size}, within ${AUTO_MAX_TOOLS} tools and ${AUTO_MAX_TOKENS.toLocaleString('en-US')} tokens, so every tool is listed.`,
  };
}
