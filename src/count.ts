import { usageError } from './output/errors.ts';

/**
 * The one reader of counts (`-n`, `-c`, `--pool-size`, `--count`): plain decimal digits only,
 * so `0x10`, `0b11`, `0o7`, `1e1` and `2.5` are refused as the typos they most likely are,
 * not read as 16, 3, 7 and 10. A whole number within bounds, or a usage error that says which
 * flag and why.
 */
export function countFlag(flag: string, value: unknown, max?: number, unit?: string, min = 1): number {
  const text = String(value).trim();
  const count = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(count) || count < min || (max !== undefined && count > max)) {
    const range =
      max === undefined ? `${unit ? ` of ${unit}` : ''}, ${min} or more` : ` from ${min} to ${max}`;
    throw usageError(`--${flag} takes a whole number${range}; "${String(value)}" is not one.`);
  }
  return count;
}
