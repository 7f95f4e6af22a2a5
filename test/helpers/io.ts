import { Readable } from 'node:stream';
import type { IO } from '../../src/io.ts';

const decode = (chunk: string | Uint8Array): string =>
  typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');

/**
 * Tests of what a command says match its sentences whole: output is not wrapped (as if the
 * terminal were this wide) unless a test asks for a width with COLUMNS.
 */
export const UNWRAPPED = { COLUMNS: '1000' };

/** An IO that records what a command printed, so a test can drive a command end to end. */
export function memoryIO(
  env: Record<string, string | undefined> = {},
  cwd = process.cwd(),
  stdinText?: string,
) {
  const captured = { stdout: '', stderr: '' };
  const io: IO = {
    stdout: { write: (chunk) => (captured.stdout += decode(chunk)), isTTY: false },
    stderr: { write: (chunk) => (captured.stderr += decode(chunk)), isTTY: false },
    stdin: Readable.from(stdinText === undefined ? [] : [Buffer.from(stdinText)]),
    env: { ...UNWRAPPED, ...env },
    cwd,
    now: () => Date.now(),
  };
  return { io, captured };
}
