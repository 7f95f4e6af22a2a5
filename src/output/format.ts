import { usageError } from './errors.ts';

/** What a reporting command prints: the human view, its --json document, or OpenMetrics gauges. */
const FORMATS = ['table', 'json', 'openmetrics'] as const;
export type Format = (typeof FORMATS)[number];

/** `--format`, with `--json` as its short form; both at once must agree. */
export function parseFormat(value: unknown, json: boolean): Format {
  if (value === undefined) return json ? 'json' : 'table';
  const format = String(value).toLowerCase();
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw usageError(`--format takes ${FORMATS.join(', ')}; "${String(value)}" is none of them.`);
  }
  if (json && format !== 'json')
    throw usageError(`--json and --format ${format} ask for two outputs: give one.`);
  return format as Format;
}
