/**
 * The fleet flags of a command's yargs side (--targets, a repeatable --url, --parallel) and
 * their parsed form. Light on purpose: it loads with every command's help.
 */
import type { Argv } from 'yargs';
import { countFlag } from '../count.ts';

/** What the command line names: a targets file (`-` for stdin) and the --url flags. */
export interface FleetRequest {
  targetsFile: string | undefined;
  urls: string[];
}

/** The parsed fleet flags of a command's arguments. */
export function fleetRequest(args: Record<string, unknown>): FleetRequest & { parallel: number } {
  return {
    targetsFile: args.targets === undefined ? undefined : String(args.targets),
    urls: [args.url].flat().filter((url): url is string => typeof url === 'string'),
    parallel: countFlag('parallel', args.parallel ?? DEFAULT_PARALLEL, 1000),
  };
}

/** True when the arguments name more than one server, or a targets file. */
export const namesAFleet = (request: FleetRequest): boolean =>
  request.targetsFile !== undefined || request.urls.length > 1;

const DEFAULT_PARALLEL = 16;

/** --targets, a repeatable --url, --parallel: the options of a command that takes a fleet. */
export function fleetOptions(yargs: Argv, verb: string, parallelNote = ''): Argv {
  return (
    yargs
      .option('targets', {
        type: 'string',
        describe: `${verb} many servers: a file with one a line (mysql:// URL, host[:port] or socket path; # comments), - for stdin. --url may also be repeated`,
      })
      // Each --url names one more server (for one server, the last counts elsewhere).
      .option('url', {
        type: 'string',
        array: true,
        describe: `mysql://user:password@host:port/database; repeat it to ${verb.toLowerCase()} several servers`,
      })
      .coerce('url', (value: unknown) => [value].flat())
      .option('parallel', {
        type: 'string',
        describe: `With several servers: how many to ${verb.toLowerCase()} at once (default ${DEFAULT_PARALLEL})${parallelNote}`,
      })
  );
}
