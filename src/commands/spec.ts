import type { Argv } from 'yargs';
import type { ServerTarget } from '../connection/target.ts';
import type { Interrupts } from '../interrupt.ts';
import type { IO } from '../io.ts';
import type { ExitCodeValue } from '../output/exit-codes.ts';

/**
 * What cli.ts needs to register a command. Kept free of heavy imports: `run` loads the
 * command's code only when the command is chosen, so `--help` and offline commands start fast.
 */
export interface CommandSpec {
  command: string;
  describe: string;
  builder(yargs: Argv): Argv;
  /** `target()` resolves the connection options on first use: commands that work offline never touch them. */
  run(args: Record<string, unknown>, io: IO, target: TargetSource): Promise<ExitCodeValue>;
}

/**
 * The connection flags' server, resolved on first call; `interrupts` (the run's one interrupt
 * model) without resolving anything: a fleet names its servers itself.
 */
export type TargetSource = (() => ServerTarget) & { readonly interrupts: Interrupts };
