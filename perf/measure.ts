import { spawnSync } from 'node:child_process';

/** Median of a list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export interface Contender {
  name: string;
  command: string;
  args: string[];
  /** The whole environment of the command; this process's when not given. */
  env?: NodeJS.ProcessEnv;
  /** Runs before each timed run, untimed (e.g. to remove a cache). */
  prepare?(): void;
}

/**
 * Wall time of whole commands, alternating contenders in every round so that machine noise
 * falls on all of them alike. Returns the median milliseconds per contender.
 */
export function timeCommands(contenders: Contender[], rounds: number): Map<string, number> {
  return new Map([...sampleCommands(contenders, rounds)].map(([name, values]) => [name, median(values)]));
}

/** `timeCommands`' samples: every timed run's milliseconds, per contender. */
export function sampleCommands(contenders: Contender[], rounds: number): Map<string, number[]> {
  const samples = new Map(contenders.map((contender) => [contender.name, [] as number[]]));
  for (let round = 0; round < rounds + 1; round++) {
    for (const contender of contenders) {
      contender.prepare?.();
      const start = process.hrtime.bigint();
      const result = spawnSync(contender.command, contender.args, {
        stdio: ['ignore', 'ignore', 'pipe'],
        ...(contender.env ? { env: contender.env } : {}),
      });
      const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
      if (result.status !== 0) {
        throw new Error(`${contender.name} failed (${result.status}): ${result.stderr?.toString() ?? ''}`);
      }
      // The first round warms the file cache and is not counted.
      if (round > 0) samples.get(contender.name)?.push(elapsed);
    }
  }
  return samples;
}
