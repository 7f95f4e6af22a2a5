import { COMMAND_LINE, resolveConnection } from '../../connection/resolve.ts';
import { type ConnectionFlags, flagsLayer, urlLayer } from '../../connection/sources.ts';
import type { ServerTarget } from '../../connection/target.ts';
import { formatDuration } from '../../duration.ts';
import type { FrameworkVersion } from '../../generate/context.ts';
import {
  buildGenerateReport,
  type ConnectionFacts,
  connectionFacts,
  derivePoolRule,
  findTarget,
  type GenerateContext,
  TARGET_NAMES,
  TARGETS,
  type Target,
  type TimeoutSource,
} from '../../generate/index.ts';
import type { IO } from '../../io.ts';
import { usageError } from '../../output/errors.ts';
import { ExitCode, type ExitCodeValue } from '../../output/exit-codes.ts';
import { printReport } from '../../output/print.ts';
import { wrapProse } from '../../output/prose.ts';
import { colorFor } from '../../output/style.ts';
import { closest } from '../../output/suggest.ts';
import { messageWidthOf } from '../../output/width.ts';
import { readTimeoutSource } from './facts.ts';
import { writeFileAtomically } from './out-file.ts';

export interface GenerateOptions {
  /** Undefined: only with --list or --json (every target's numbers). */
  target: string | undefined;
  list: boolean;
  json: boolean;
  /** --timeout: work offline from this wait_timeout; the server is not contacted. */
  timeout?: number;
  poolSize?: number;
  frameworkVersion?: FrameworkVersion;
  passwordEnv: string;
  out?: string;
  force: boolean;
  /** The connection flags, for the connection details of offline output. */
  flags?: ConnectionFlags;
}

const unknownTargetMessage = (name: string | undefined): string => {
  const near = name === undefined ? undefined : closest(name, TARGET_NAMES);
  const guess = near === undefined ? '' : ` Did you mean ${near} (dbcache generate ${near})?`;
  return `${name === undefined ? 'Name a target' : `There is no target "${name}"`}: choose one of ${TARGET_NAMES.join(', ')} (dbcache generate --list says what each is).${guess}`;
};

export async function runGenerate(
  options: GenerateOptions,
  io: IO,
  target: () => ServerTarget,
): Promise<ExitCodeValue> {
  if (options.list) {
    io.stdout.write(targetList(TARGETS));
    return ExitCode.ok;
  }
  const chosen = options.target === undefined ? undefined : findTarget(options.target);
  if (options.target !== undefined && !chosen) throw usageError(unknownTargetMessage(options.target));
  if (!chosen && !options.json) throw usageError(unknownTargetMessage(undefined));
  if (!chosen && options.out) throw usageError('--out needs a target: dbcache generate <target> --out FILE.');

  let timeout: TimeoutSource;
  let connection: ConnectionFacts;
  if (options.timeout !== undefined) {
    timeout = { waitTimeout: options.timeout, measured: null };
    connection = offlineConnection(options.flags ?? {});
  } else {
    const server = target();
    const open = await server.connect();
    try {
      timeout = await readTimeoutSource(open, server.address);
    } finally {
      await open.end().catch(() => undefined);
    }
    connection = connectionFacts(server.resolved);
  }

  const context: GenerateContext = {
    rule: derivePoolRule(timeout.waitTimeout),
    timeout,
    connection,
    poolSize: options.poolSize,
    frameworkVersion: options.frameworkVersion,
    passwordEnv: options.passwordEnv,
  };
  const report = buildGenerateReport(context, chosen ? [chosen] : TARGETS, Boolean(chosen));
  const output = chosen ? report.targets[chosen.name] : undefined;
  const warnings = [...report.warnings, ...(output?.warnings ?? [])];

  if (options.out && output?.code !== undefined) {
    const written = writeFileAtomically(
      options.out,
      options.json ? `${JSON.stringify(report, null, 2)}\n` : output.code,
      {
        cwd: io.cwd,
        force: options.force,
      },
    );
    io.stderr.write(
      `Wrote ${written}: ${chosen?.name} settings for wait_timeout ${context.rule.timeout} s (${formatDuration(context.rule.timeout)}).\n`,
    );
  } else if (options.json || output?.code !== undefined) {
    // Code is printed as it is: only sentences are wrapped to the terminal.
    await printReport(io, report, options.json, async () => () => output?.code ?? '');
  }
  // stderr is for people: the warnings go there with --json too (where they are also in the document).
  const color = colorFor(io.stderr, io.env);
  const width = messageWidthOf(io.stderr, io.env);
  for (const warning of warnings)
    io.stderr.write(`${wrapProse(warning, width, `${color.yellow('dbcache: warning:')} `)}\n`);
  return ExitCode.ok;
}

/** --list fits an 80-column terminal, one column short so none wraps at the last one. */
const LIST_WIDTH = 79;

/** Two plain columns, the name and its summary wrapped under itself, within LIST_WIDTH. */
function targetList(targets: readonly Target[]): string {
  const nameWidth = Math.max(...targets.map((target) => target.name.length)) + 2;
  const room = LIST_WIDTH - nameWidth;
  const lines: string[] = [];
  for (const target of targets) {
    let line = '';
    let first = true;
    const flush = () => {
      lines.push(`${(first ? target.name : '').padEnd(nameWidth)}${line}`.trimEnd());
      first = false;
      line = '';
    };
    for (const word of target.summary.split(/\s+/)) {
      if (line && line.length + 1 + word.length > room) flush();
      line = line ? `${line} ${word}` : word;
    }
    flush();
  }
  return `${lines.join('\n')}\n`;
}

/** Offline: where to connect comes only from the command line (and --url); nothing else is read. */
function offlineConnection(flags: ConnectionFlags): ConnectionFacts {
  const layers = [flagsLayer(flags, COMMAND_LINE)];
  const fromUrl = flags.url !== undefined ? urlLayer(flags, {}) : undefined;
  if (fromUrl) layers.push(fromUrl);
  const resolved = resolveConnection(layers, {
    loginUser: 'app',
    socketExists: () => false,
    platform: process.platform,
  });
  return connectionFacts(resolved);
}
