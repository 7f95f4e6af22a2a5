/**
 * The shell every fleet command shares: the servers named by --targets and --url (every bad
 * line reported before anything connects), one ServerTarget each.
 */
import { createReadStream } from 'node:fs';
import type { TargetSource } from '../commands/spec.ts';
import type { ConnectionFlags } from '../connection/sources.ts';
import type { ServerTarget } from '../connection/target.ts';
import type { IO } from '../io.ts';
import { UserError, usageError } from '../output/errors.ts';
import { ExitCode } from '../output/exit-codes.ts';
import { fleetServers } from './connect.ts';
import type { FleetRequest } from './options.ts';
import { type FleetTarget, parseTarget, parseTargetsText, type TargetProblem } from './targets.ts';

export interface FleetServer {
  target: FleetTarget;
  server: ServerTarget;
}

/**
 * One connection target per named server, or, when none is named, the one the connection flags
 * give (a fleet of one: check-timeout's OpenMetrics for a single server).
 */
export async function fleetTargets(
  request: FleetRequest,
  flags: ConnectionFlags,
  io: IO,
  target: TargetSource,
): Promise<FleetServer[]> {
  const named = await namedTargets(request, io);
  if (named.length === 0) {
    const server = target();
    return [
      {
        target: { name: server.address, origin: 'connection flags', layer: { source: '', settings: {} } },
        server,
      },
    ];
  }
  const resolved = await fleetServers(named, flags, io, target.interrupts);
  return named.map((fleetTarget, index) => ({
    target: fleetTarget,
    server: resolved[index] as ServerTarget,
  }));
}

/** The servers named by --targets and --url, or a usage error listing every bad line. */
async function namedTargets(request: FleetRequest, io: IO): Promise<FleetTarget[]> {
  const targets: FleetTarget[] = [];
  const problems: TargetProblem[] = [];
  if (request.targetsFile !== undefined) {
    const name = request.targetsFile === '-' ? 'standard input' : request.targetsFile;
    const parsed = parseTargetsText(await readTargets(request.targetsFile, io), name);
    targets.push(...parsed.targets);
    problems.push(...parsed.problems);
  }
  request.urls.forEach((url, index) => {
    const parsed = parseTarget(url, `--url #${index + 1}`);
    if ('message' in parsed) problems.push(parsed);
    else targets.push(parsed);
  });
  problems.push(...repeated(targets));
  if (problems.length > 0) {
    throw usageError(
      `${problems.length === 1 ? 'A target is' : `${problems.length} targets are`} not usable; nothing was checked:\n${problems
        .map((problem) => `  ${problem.origin}: ${problem.message}`)
        .join('\n')}`,
    );
  }
  if (request.targetsFile !== undefined && targets.length === 0) {
    throw usageError(
      `${request.targetsFile === '-' ? 'Standard input' : request.targetsFile} names no server.`,
    );
  }
  return targets;
}

/**
 * A server named twice under the same name would be checked twice, and its rows and metrics
 * would repeat: the same series twice, which node_exporter refuses.
 */
function repeated(targets: readonly FleetTarget[]): TargetProblem[] {
  const first = new Map<string, string>();
  const problems: TargetProblem[] = [];
  for (const { name, origin } of targets) {
    const earlier = first.get(name);
    if (earlier === undefined) first.set(name, origin);
    else
      problems.push({ origin, message: `"${name}" is named already (${earlier}); give each server once.` });
  }
  return problems;
}

/** A targets file larger than this is a mistake (`/dev/zero`, a log), not a list of servers. */
const MAX_TARGETS_BYTES = 16 * 1024 * 1024;

async function readTargets(file: string, io: IO): Promise<string> {
  const name = file === '-' ? 'Standard input' : `The targets file ${file}`;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of file === '-' ? io.stdin : createReadStream(file)) {
      size += (chunk as Buffer).length;
      if (size > MAX_TARGETS_BYTES) {
        throw new UserError(
          `${name} holds more than ${MAX_TARGETS_BYTES / 1024 / 1024} MB: that is not a list of servers.`,
          ExitCode.usage,
        );
      }
      chunks.push(Buffer.from(chunk as Buffer));
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'it does not exist'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : (err as Error).message;
    throw new UserError(`Could not read the targets file ${file}: ${why}.`, ExitCode.file);
  }
  return Buffer.concat(chunks).toString('utf8');
}
