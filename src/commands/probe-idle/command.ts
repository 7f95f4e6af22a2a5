import { countFlag } from '../../count.ts';
import { parseDuration } from '../../duration.ts';
import { fleetOptions, fleetRequest, namesAFleet } from '../../fleet/options.ts';
import { usageError } from '../../output/errors.ts';
import { parseFormat } from '../../output/format.ts';
import { PROBES_RANGE } from '../../probe/capacity.ts';
import type { CommandSpec } from '../spec.ts';

const MIN_MAX = 2;
/** A day: longer runs are better served by a monitoring check than a command. */
const MAX_MAX = 86_400;

/** The yargs side of `probe-idle`: flags, help and Ctrl-C; the work is loaded when chosen. */
export const probeIdleCommand: CommandSpec = {
  command: 'probe-idle',
  describe:
    'Measure how long an idle connection survives from this host: the server, or a proxy, load balancer, NAT or firewall in between',
  builder: (yargs) =>
    fleetOptions(
      yargs
        .option('max', {
          type: 'string',
          // 30 min: HikariCP's default lifetime, and above most load balancer and NAT defaults.
          default: '30m',
          describe:
            "The longest silence to test (seconds, or 10m, 1h); never more than the server's wait_timeout plus a margin",
        })
        .option('probes', {
          type: 'string',
          default: String(PROBES_RANGE.default),
          describe: `Probe connections open at once (${PROBES_RANGE.min}-${PROBES_RANGE.max}; fewer when the server has few free connections)`,
        })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'Print one JSON document at the end (schema: man dbcache-probe-idle)',
        }),
      'Probe',
      '; each uses --probes + 1 connections',
    )
      .option('format', {
        type: 'string',
        describe:
          "table (default), json (as --json), or openmetrics: gauges for node_exporter's textfile collector",
      })
      .example(
        '$0 probe-idle -h db.internal -u app -p',
        'from the application host, through the same path the app uses',
      )
      .example('$0 probe-idle -h 10.0.0.5 --max 10m --json', 'machine-readable, silences up to 10 min')
      .example(
        '$0 probe-idle --url mysql://app@lb:3306 && echo nothing cuts early',
        'exit 1 when something cuts before the server',
      )
      .example('$0 probe-idle --targets fleet.txt --max 10m', 'every server in the file, a row each'),
  async run(args, io, target) {
    const max = parseDuration(String(args.max ?? '30m'));
    if (max instanceof Error) throw usageError(`--max: ${max.message}`);
    if (max < MIN_MAX || max > MAX_MAX) {
      throw usageError(`--max takes from ${MIN_MAX} s to ${MAX_MAX / 3600} h; ${max} s is outside that.`);
    }
    const probes = countFlag(
      'probes',
      args.probes ?? PROBES_RANGE.default,
      PROBES_RANGE.max,
      undefined,
      PROBES_RANGE.min,
    );
    const format = parseFormat(args.format, Boolean(args.json));
    const fleet = fleetRequest(args);
    // Several servers, or OpenMetrics (a fleet of one, so an unreachable server is a 0 gauge).
    if (namesAFleet(fleet) || format === 'openmetrics') {
      const { runProbeFleet } = await import('./fleet.ts');
      return runProbeFleet({ max, probes, format, ...fleet }, args, io, target);
    }
    const { runProbeIdle, whileProbing } = await import('./index.ts');
    const server = target();
    return whileProbing(io, server.interrupts, () =>
      runProbeIdle({ max, probes, json: format === 'json' }, io, server, {
        signal: server.interrupts.signal,
      }),
    );
  },
};
