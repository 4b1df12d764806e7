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
  const got = typeof value === 'number' ? String(value) : `${typeof value} ${JSON.stringify(value)}`;
  const ok =
    typeof value === 'number' && Number.isFinite(value) && (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || (rule.aboveMin ? value > rule.min : value >= rule.min)) &&
    (rule.max === undefined || (rule.belowMax ? value < rule.max : value <= rule.max));
  if (!ok) throw new ValueError(`${owner}: ${name} must be ${want}, got ${got}`);
  return value as number;
}

function describe(rule: NumberRule): string {
  const parts = [rule.integer ? 'a finite integer' : 'a finite number'];
  if (rule.min !== undefined) parts.push(`${rule.aboveMin ? '>' : '>='} ${rule.min}`);
  if (rule.max !== undefined) parts.push(`${rule.belowMax ? '<' : '<='} ${rule.max}`);
  return parts.join(' ');
}
