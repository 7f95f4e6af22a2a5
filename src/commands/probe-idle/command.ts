import { countFlag } from '../../count.ts';
import { parseDuration } from '../../duration.ts';
import { usageError } from '../../output/errors.ts';
import { ExitCode } from '../../output/exit-codes.ts';
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
        describe: 'Print one JSON document at the end (schema in the README)',
      })
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
      ),
  async run(args, io, target) {
    const max = parseDuration(String(args.max ?? '30m'));
    if (max instanceof Error) throw usageError(`--max: ${max.message}`);
    if (max < MIN_MAX || max > MAX_MAX) {
      throw usageError(`--max takes from ${MIN_MAX} s to ${MAX_MAX / 3600} h; ${max} s is outside that.`);
    }
    const probes = countFlag('probes', args.probes ?? PROBES_RANGE.default, PROBES_RANGE.max);
    if (probes < PROBES_RANGE.min)
      throw usageError(`--probes takes ${PROBES_RANGE.min} to ${PROBES_RANGE.max}.`);
    const format = parseFormat(args.format, Boolean(args.json));
    const { runProbeIdle } = await import('./index.ts');
    const server = target();
    // The one interrupt model: Ctrl-C (or SIGTERM) ends the run with what is known, every probe
    // closed and ended on the server (exit 130); a second Ctrl-C does not wait for that.
    const { interrupts } = server;
    const stopping = () =>
      io.stderr.write('dbcache: stopping: closing the probes and ending them on the server.\n');
    interrupts.signal.addEventListener('abort', stopping, { once: true });
    const stopListening = interrupts.onUrgent(() => {
      if (io.stdout.isTTY) io.stdout.write('\u001b[?25h\n');
      process.exit(ExitCode.interrupted);
    });
    try {
      return await interrupts.handle(() =>
        runProbeIdle({ max, probes, format }, io, server, { signal: interrupts.signal }),
      );
    } finally {
      stopListening();
      interrupts.signal.removeEventListener('abort', stopping);
    }
  },
};
