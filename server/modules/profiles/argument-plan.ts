// How a model's arguments, written to a profile's schema, become the arguments the tool's real
// schema describes. A profile only ever changes a schema in ways this can undo: a value written
// as JSON text, a non-string enum offered as strings, an optional property the model must fill
// with null. Everything else is passed through as it came, and the real schema's validator and
// the request builder then see exactly what the default profile would have given them.
import { isObject, setEntry } from '../specs/json-utils.js';
import { MAX_ARGUMENT_DEPTH, MAX_ARGUMENT_VALUES } from '../mcp/argument-limits.js';

/**
 * JSON text past the bounds every call's arguments keep (argument-limits.ts) is refused before it
 * is parsed: 4 MB of nested brackets took JSON.parse 2.5 s, all of it holding the event loop.
 * Counted over the whole text, brackets and commas inside strings too: a bound, not a parse.
 */
function parseBounded(text: string): unknown {
  let depth = 0;
  let values = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_ARGUMENT_DEPTH)
        throw new RangeError(
          `A value written as JSON text is nested more than ${MAX_ARGUMENT_DEPTH} levels deep, the most Latchkey accepts.`,
        );
      values++;
    } else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x2c && ++values > MAX_ARGUMENT_VALUES) {
      throw new RangeError(
        `A value written as JSON text holds more than ${MAX_ARGUMENT_VALUES.toLocaleString('en-US')} values, the most Latchkey accepts in one call; send less at once.`,
      );
    }
  }
  return JSON.parse(text) as unknown;
}

export type ArgumentPlan =
  | {
      kind: 'object';
      /** The plan inside each property that needs one. */
      properties: Map<string, ArgumentPlan>;
      /** Properties that were optional: the profile made them required and nullable, so null means "left out". */
      absentWhenNull: Set<string>;
    }
  | { kind: 'array'; items: ArgumentPlan }
  /** The value is written as JSON text (a shape the profile cannot express). */
  | { kind: 'json' }
  /** The value is one of these labels, standing for the real enum value. */
  | { kind: 'enum'; values: Map<string, unknown> }
  /** The root was too large for the profile: the whole arguments object is this property's JSON text. */
  | { kind: 'unwrap'; property: string };

/**
 * The real arguments for a value written to the profile's schema. Copies only what changes.
 * Throws a RangeError, worded for the model, for JSON text out of bounds.
 */
export function applyPlan(plan: ArgumentPlan, value: unknown): unknown {
  switch (plan.kind) {
    case 'json':
      if (typeof value !== 'string') return value;
      try {
        return parseBounded(value);
      } catch (err) {
        if (err instanceof RangeError) throw err;
        // Not JSON: most likely a plain string the model meant as it is (e.g. a string-or-number
        // union); the real schema's validator decides.
        return value;
      }
    case 'enum':
      return typeof value === 'string' && plan.values.has(value) ? plan.values.get(value) : value;
    case 'array':
      return Array.isArray(value) ? value.map((item) => applyPlan(plan.items, item)) : value;
    case 'unwrap':
      return isObject(value) && Object.hasOwn(value, plan.property) ? applyPlan({ kind: 'json' }, value[plan.property]) : value;
    case 'object': {
      if (!isObject(value)) return value;
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        if (item === null && plan.absentWhenNull.has(key)) continue;
        const inner = plan.properties.get(key);
        setEntry(out, key, inner ? applyPlan(inner, item) : item);
      }
      return out;
    }
  }
}

/**
 * One plan for a value that may take any of several branches (anyOf), or undefined when the
 * branches' plans cannot be told apart by the value's shape: then the caller writes the whole
 * value as JSON instead. Objects merge property by property (the first branch naming a property
 * decides its plan), arrays merge their items.
 */
export function mergePlans(plans: (ArgumentPlan | undefined)[]): { plan?: ArgumentPlan } | undefined {
  const present = plans.filter((p): p is ArgumentPlan => p !== undefined);
  if (present.length === 0) return {};
  if (present.every((p) => p.kind === 'object')) {
    const properties = new Map<string, ArgumentPlan>();
    const absentWhenNull = new Set<string>();
    const seen = new Set<string>();
    for (const plan of present) {
      for (const name of plan.absentWhenNull) absentWhenNull.add(name);
      for (const [name, inner] of plan.properties) {
        if (seen.has(name)) {
          // Two branches map the same property: only one plan can apply, so they must agree.
          if (!samePlan(properties.get(name), inner)) return undefined;
          continue;
        }
        seen.add(name);
        properties.set(name, inner);
      }
    }
    return { plan: { kind: 'object', properties, absentWhenNull } };
  }
  if (present.every((p) => p.kind === 'array')) {
    const items = mergePlans(present.map((p) => p.items));
    return items && { plan: items.plan && { kind: 'array', items: items.plan } };
  }
  return undefined;
}

function samePlan(a: ArgumentPlan | undefined, b: ArgumentPlan | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'json':
      return true;
    case 'unwrap':
      return b.kind === 'unwrap' && a.property === b.property;
    case 'enum':
      return b.kind === 'enum' && a.values.size === b.values.size && [...a.values].every(([k, v]) => b.values.get(k) === v);
    case 'array':
      return b.kind === 'array' && samePlan(a.items, b.items);
    case 'object':
      return (
        b.kind === 'object' &&
        a.absentWhenNull.size === b.absentWhenNull.size &&
        [...a.absentWhenNull].every((n) => b.absentWhenNull.has(n)) &&
        a.properties.size === b.properties.size &&
        [...a.properties].every(([n, p]) => samePlan(p, b.properties.get(n)))
      );
  }
}
