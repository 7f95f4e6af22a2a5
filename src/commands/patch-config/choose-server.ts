import type { Flavor } from '../../optionfile/index.ts';
import { usageError } from '../../output/errors.ts';
import { flavorOf, serverReader } from '../../serverfiles/reader.ts';
import type { PatchConfigOptions } from './index.ts';
import type { ServerChoice } from './report.ts';
import type { RunningServer } from './running.ts';
import type { PatchConfigWorld } from './world.ts';

/** Flags first, then the server running here, then its program; else both flavors must agree. */
export function chooseServer(
  options: PatchConfigOptions,
  running: RunningServer | null,
  world: PatchConfigWorld,
): ServerChoice {
  const identity = running?.identity ?? null;
  const runningFlavor: Flavor | null = identity === null ? null : flavorOf(identity);
  if (options.serverVersion !== undefined && !/^\d+\.\d+/.test(options.serverVersion)) {
    throw usageError(`--server-version: "${options.serverVersion}" is not a version such as 10.11 or 8.0.`);
  }
  const program = () => world.serverProgram();
  if (options.flavor !== undefined) {
    const version =
      options.serverVersion ??
      (runningFlavor === options.flavor ? identity?.version : undefined) ??
      (program()?.flavor === options.flavor ? program()?.version : undefined) ??
      null;
    return { views: [serverReader(options.flavor, version)], knownFrom: 'flags', program: null };
  }
  if (identity !== null && runningFlavor !== null) {
    return {
      views: [serverReader(runningFlavor, options.serverVersion ?? identity.version)],
      knownFrom: 'running server',
      program: null,
    };
  }
  const found = program();
  if (found !== null) {
    const groups = options.serverVersion === undefined ? found.groups : undefined;
    return {
      views: [serverReader(found.flavor, options.serverVersion ?? found.version, groups)],
      knownFrom: 'server program',
      program: found.path,
    };
  }
  const version = options.serverVersion ?? null;
  return {
    views: [serverReader('mariadb', version), serverReader('mysql', version)],
    knownFrom: 'nothing',
    program: null,
  };
}
