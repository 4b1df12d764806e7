// Checks for the options objects and numeric hyper-parameters of the public API: an unknown key or a
// bad number is a ValueError naming the owner, the key and what is allowed, before any GPU work.
import { ValueError } from './errors.js';

/** `options` must be undefined or a plain object whose keys are all in `allowed`. */
export function checkOptionKeys(owner: string, options: unknown, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ValueError(`${owner}: options must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new ValueError(`${owner}: unknown option '${key}' (allowed: ${allowed.join(', ')})`);
  }
}

export interface NumberRule {
  /** Smallest allowed value (inclusive unless `aboveMin`). */
  min?: number;
  aboveMin?: boolean;
  /** Largest allowed value (inclusive unless `belowMax`). */
  max?: number;
  belowMax?: boolean;
  integer?: boolean;
}

/** Returns `value` if it is a finite number (of the type number, not a string) within `rule`; else a ValueError naming `owner` and `name`. */
export function checkNumber(owner: string, name: string, value: unknown, rule: NumberRule = {}): number {
  const want = describe(rule);
  const ok =
    typeof value === 'number' && Number.isFinite(value) && (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || (rule.aboveMin ? value > rule.min : value >= rule.min)) &&
    (rule.max === undefined || (rule.belowMax ? value < rule.max : value <= rule.max));
  if (!ok) throw new ValueError(`${owner}: ${name} must be ${want}, got ${show(value)}`);
  return value as number;
}

function describe(rule: NumberRule): string {
  const parts = [rule.integer ? 'a finite integer' : 'a finite number'];
  if (rule.min !== undefined) parts.push(`${rule.aboveMin ? '>' : '>='} ${rule.min}`);
  if (rule.max !== undefined) parts.push(`${rule.belowMax ? '<' : '<='} ${rule.max}`);
  return parts.join(' ');
}

/** Positive integer sizes (features, channels, heads, layers, steps). */
export const POSITIVE_INT: NumberRule = { min: 1, integer: true };
/** Non-negative integers (counts, epochs, padding). */
export const NON_NEGATIVE_INT: NumberRule = { min: 0, integer: true };
/** Seeds: any finite integer. */
export const SEED: NumberRule = { integer: true };
/** Probabilities and fractions in [0, 1]. */
export const UNIT_INTERVAL: NumberRule = { min: 0, max: 1 };

/** How `checkOptions` checks one key: a number rule, 'boolean', the allowed strings, 'any' (its user checks it), or a function that throws. */
export type OptionRule = NumberRule | 'boolean' | 'any' | readonly string[] | ((owner: string, name: string, value: unknown) => void);

/**
 * `options` must be undefined or an object with only the keys of `spec`, each value (when not undefined)
 * passing its rule: one call checks a whole options object, before any work.
 */
export function checkOptions(owner: string, options: unknown, spec: Readonly<Record<string, OptionRule>>): void {
  checkOptionKeys(owner, options, Object.keys(spec));
  if (options === undefined) return;
  for (const [key, value] of Object.entries(options as object)) if (value !== undefined) checkValue(owner, key, value, spec[key]);
}

/** Checks one value against an OptionRule (see checkOptions). */
export function checkValue(owner: string, name: string, value: unknown, rule: OptionRule): void {
  if (rule === 'any') return;
  if (rule === 'boolean') checkBoolean(owner, name, value);
  else if (typeof rule === 'function') rule(owner, name, value);
  else if (Array.isArray(rule)) checkChoice(owner, name, value, rule);
  else checkNumber(owner, name, value, rule as NumberRule);
}

/** Returns `value` if it is true or false; else a ValueError naming `owner` and `name`. */
export function checkBoolean(owner: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ValueError(`${owner}: ${name} must be a boolean (true or false), got ${show(value)}`);
  return value;
}

/** Returns `value` if it is one of the `allowed` strings; else a ValueError listing them. */
export function checkChoice<T extends string>(owner: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T))
    throw new ValueError(`${owner}: ${name} must be ${listOr(allowed.map((a) => `'${a}'`))}, got ${show(value)}`);
  return value as T;
}

/** A rule for an array of exactly `length` numbers, each checked by `rule`. */
export function tupleOf(length: number, rule: NumberRule): OptionRule {
  return (owner, name, value) => {
    if (!Array.isArray(value) || value.length !== length) throw new ValueError(`${owner}: ${name} must be an array of ${length} numbers, got ${show(value)}`);
    value.forEach((v, i) => checkNumber(owner, `${name}[${i}]`, v, rule));
  };
}

/** A rule for a non-empty array of numbers of any length, each checked by `rule`. */
export function listOf(rule: NumberRule): OptionRule {
  return (owner, name, value) => {
    if (!Array.isArray(value) || value.length === 0) throw new ValueError(`${owner}: ${name} must be a non-empty array of numbers, got ${show(value)}`);
    value.forEach((v, i) => checkNumber(owner, `${name}[${i}]`, v, rule));
  };
}

/** A rule for plain objects (records of the caller's, checked by their users). */
export const OBJECT: OptionRule = (owner, name, value) => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ValueError(`${owner}: ${name} must be an object, got ${show(value)}`);
};

/** A rule for objects with the named methods (a Module's stateDict, a scheduler's step). */
export function withMethods(...methods: string[]): OptionRule {
  return (owner, name, value) => {
    const missing = methods.filter((m) => typeof (value as Record<string, unknown> | null)?.[m] !== 'function');
    if (missing.length) throw new ValueError(`${owner}: ${name} must have the method(s) ${missing.join(', ')}, got ${show(value)}`);
  };
}

/** A rule for non-empty strings (names). */
export const NAME: OptionRule = (owner, name, value) => {
  if (typeof value !== 'string' || value.length === 0) throw new ValueError(`${owner}: ${name} must be a non-empty string, got ${show(value)}`);
};

/** A rule for functions (callbacks). */
export const FUNCTION: OptionRule = (owner, name, value) => {
  if (typeof value !== 'function') throw new ValueError(`${owner}: ${name} must be a function, got ${show(value)}`);
};

/** 'a', 'b' or 'c' */
const listOr = (items: string[]): string => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`);

/** A value as error messages show it: numbers as they are, others with their type (short). */
function show(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `array ${short(value)}`;
  if (typeof value === 'object') return value.constructor?.name && value.constructor !== Object ? `a ${value.constructor.name}` : `object ${short(value)}`;
  if (typeof value === 'function') return 'a function';
  return `${typeof value} ${short(value)}`;
}

function short(value: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
