/** The shell around a fleet run: read the targets, resolve one connection each, run, print. */
import { readFile } from 'node:fs/promises';
import type { ConnectionFlags } from '../../connection/sources.ts';
import type { ServerTarget } from '../../connection/target.ts';
import { fleetServers } from '../../fleet/connect.ts';
import { type FleetTarget, parseTarget, parseTargetsText, type TargetProblem } from '../../fleet/targets.ts';
import type { IO } from '../../io.ts';
import { UserError, usageError } from '../../output/errors.ts';
import { ExitCode, type ExitCodeValue } from '../../output/exit-codes.ts';
import { type FleetOptions, runFleet } from './fleet.ts';
import { checkServer } from './index.ts';

interface FleetCommandOptions extends Omit<FleetOptions, 'deadlineSeconds' | 'signal'> {
  targetsFile: string | undefined;
  urls: string[];
}

export async function runFleetCommand(
  options: FleetCommandOptions,
  flags: ConnectionFlags,
  io: IO,
  target: () => ServerTarget,
): Promise<ExitCodeValue> {
  const named = await namedTargets(options, io);
  // The run's one interrupt model (Ctrl-C, SIGTERM), which the connection flags' target carries.
  const { interrupts } = target();
  let servers: Array<{ target: FleetTarget; server: ServerTarget }>;
  if (named.length === 0) {
    // --format openmetrics for the one server the connection flags name.
    const server = target();
    servers = [
      {
        target: { name: server.address, origin: 'connection flags', layer: { source: '', settings: {} } },
        server,
      },
    ];
  } else {
    const resolved = await fleetServers(named, flags, io, interrupts);
    servers = named.map((fleetTarget, index) => ({
      target: fleetTarget,
      server: resolved[index] as ServerTarget,
    }));
  }
  // A server has its connect timeout to connect and one statement timeout more for the rest, so
  // a host that answers slowly but steadily cannot hold its slot for its statements' sum.
  const deadlineSeconds = Math.max(
    ...servers.map(({ server }) => server.resolved.connectTimeout + server.resolved.statementTimeout),
  );
  // Ctrl-C stops the run instead of the process: what was learned so far is still printed.
  return interrupts.handle(() =>
    runFleet({ ...options, deadlineSeconds, signal: interrupts.signal }, io, servers, (server, signal) =>
      checkServer(server, io, options.expect, undefined, signal),
    ),
  );
}

/** The servers named by --targets and --url, or a usage error listing every bad line. */
async function namedTargets(options: FleetCommandOptions, io: IO): Promise<FleetTarget[]> {
  const targets: FleetTarget[] = [];
  const problems: TargetProblem[] = [];
  if (options.targetsFile !== undefined) {
    const name = options.targetsFile === '-' ? 'standard input' : options.targetsFile;
    const parsed = parseTargetsText(await readTargets(options.targetsFile, io), name);
    targets.push(...parsed.targets);
    problems.push(...parsed.problems);
  }
  options.urls.forEach((url, index) => {
    const parsed = parseTarget(url, `--url #${index + 1}`);
    if ('message' in parsed) problems.push(parsed);
    else targets.push(parsed);
  });
  if (problems.length > 0) {
    throw usageError(
      `${problems.length === 1 ? 'A target is' : `${problems.length} targets are`} not usable; nothing was checked:\n${problems
        .map((problem) => `  ${problem.origin}: ${problem.message}`)
        .join('\n')}`,
    );
  }
  if (options.targetsFile !== undefined && targets.length === 0) {
    throw usageError(
      `${options.targetsFile === '-' ? 'Standard input' : options.targetsFile} names no server.`,
    );
  }
  return targets;
}

async function readTargets(file: string, io: IO): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'it does not exist'
        : code === 'EACCES'
          ? 'permission denied'
          : (err as Error).message;
    throw new UserError(`Could not read the targets file ${file}: ${why}.`, ExitCode.file);
  }
}
