/**
 * The local server and its files, one service for patch-config and check-timeout's drift:
 * whether a server that answered on a socket or loopback address runs on this machine with this
 * machine's files (its `@@hostname`, its process found through `@@pid_file`), how it was started
 * (its command line names other option files than the defaults), where it says its settings came
 * from, and the installed server program, asked at most once (a process start, ~60 ms).
 */
import { homedir, hostname } from 'node:os';
import type { Connection } from 'mysql2/promise';
import type { ServerIdentity } from '../server/identity.ts';
import { readVariables } from '../server/variables.ts';
import {
  type ConfigFiles,
  notHere,
  readConfigFiles,
  readServerStartup,
  type ServerStartup,
} from './running-server.ts';
import { findServerProgram, probeServerProgram, type ServerProgram } from './server-program.ts';

/** This machine, as far as telling a local server from a container's goes (tests replace it). */
export interface ThisMachine {
  hostname: string;
  /** Where /proc is (Linux). */
  proc?: string;
}

export function thisMachine(): ThisMachine {
  return { hostname: hostname() };
}

/** The variables that locate the server; read by the caller when it asks for them anyway. */
export const LOCATING_VARIABLES = ['pid_file', 'hostname'] as const;

interface LocalServer {
  /** Its command line (Linux), when its process could be found. */
  startup: ServerStartup | null;
  /** Why it is not taken for this machine's server (a container, a tunnel); null when it is. */
  elsewhere: string | null;
  /** Where it says its settings came from; null when it is elsewhere (then it was not asked). */
  configFiles: ConfigFiles | null;
}

/** What the caller may have read already, with its other statements: one statement fewer each. */
export interface KnownOfServer {
  /** pid_file and hostname. */
  variables?: Partial<Record<(typeof LOCATING_VARIABLES)[number], string>>;
  configFiles?: ConfigFiles;
}

/**
 * Where the server runs and which files it read. A server found to be elsewhere is not asked for
 * its files (unless the caller read them already): they describe another machine.
 */
export async function readLocalServer(
  connection: Connection,
  identity: ServerIdentity,
  machine: ThisMachine,
  known: KnownOfServer = {},
): Promise<LocalServer> {
  const variables = known.variables ?? (await readVariables(connection, 'GLOBAL', LOCATING_VARIABLES));
  const pidFile = variables.pid_file;
  const startup = pidFile ? readServerStartup(pidFile, machine.proc) : null;
  const elsewhere = notHere(variables.hostname || null, machine.hostname, startup);
  if (elsewhere !== null) return { startup, elsewhere, configFiles: null };
  return {
    startup,
    elsewhere,
    configFiles: known.configFiles ?? (await readConfigFiles(connection, identity)),
  };
}

/**
 * The installed server program (`mariadbd`/`mysqld`), found and run at most once per process
 * environment; null when there is none or it says something unexpected.
 */
export function serverProgramOnce(
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): () => ServerProgram | null {
  let program: ServerProgram | null | undefined;
  return () => {
    if (program === undefined) {
      const path = findServerProgram(env, platform);
      program = path === undefined ? null : probeServerProgram(path, env, home);
    }
    return program;
  };
}
