// `--digits 0-4` / `--digits 5,7,9`: which MNIST classes a run trains and tests on (the transfer task).
import { InvalidArgumentError } from 'commander';

/** Parses a digit set: ranges and single digits joined by commas ("0-4", "5-9", "1,3,5-7"); sorted, no repeats. */
export function parseDigits(value: string): number[] {
  const digits = new Set<number>();
  for (const part of value.split(',')) {
    const m = /^\s*([0-9])\s*(?:-\s*([0-9])\s*)?$/.exec(part);
    if (!m) throw new InvalidArgumentError(`digits must be digits 0-9 and ranges such as 0-4 or 1,3,5-7; got '${value}'.`);
    const [lo, hi] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (hi < lo) throw new InvalidArgumentError(`the range ${part.trim()} runs backwards.`);
    for (let d = lo; d <= hi; d++) digits.add(d);
  }
  return [...digits].sort((a, b) => a - b);
}

/** "0-4" for [0, 1, 2, 3, 4], "1,3,5-7" otherwise: how a digit set is written in logs and configs. */
export function formatDigits(digits: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < digits.length; ) {
    let j = i;
    while (j + 1 < digits.length && digits[j + 1] === digits[j] + 1) j++;
    parts.push(j > i ? `${digits[i]}-${digits[j]}` : `${digits[i]}`);
    i = j + 1;
  }
  return parts.join(',');
}
