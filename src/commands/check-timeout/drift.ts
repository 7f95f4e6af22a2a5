/**
 * Drift: what the server's option files would set at its next start, read with the model
 * patch-config edits. Only for a server on this machine, and only when the server says it
 * took its settings from these files (MariaDB and MySQL 8 name the file behind each setting).
 */
import { homedir } from 'node:os';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { MAX_TIMEOUT, MAX_TIMEOUT_WINDOWS } from '../../duration.ts';
import type { IO } from '../../io.ts';
import { type Flavor, nodeFs, OptionFileError } from '../../optionfile/index.ts';
import { type ChainSource, readChain } from '../../patch/chain.ts';
import { winningOccurrence } from '../../patch/occurrences.ts';
import {
  filesFromStartup,
  readConfigFiles,
  readServerStartup,
  readsChain,
  type ServerStartup,
} from '../../patch/running-server.ts';
import { defaultServerFiles, findServerProgram, probeServerProgram } from '../../patch/server-program.ts';
import { readTimeoutValue } from '../../patch/server-value.ts';
import { serverView, withGroupSuffix } from '../../patch/view.ts';
import { isWindowsServer, type ServerIdentity } from '../../server/identity.ts';

export interface OptionFilesFacts {
  /** The occurrence the server would use at its next start; null when no file sets it. */
  waitTimeout: { value: string | null; seconds: number | null; file: string; line: number } | null;
  /** The files read, in order. */
  filesRead: string[];
  /** Why the server would not start with these files; null when it would. */
  error: string | null;
}

/**
 * Where the server's option files are: the machine's default files, or those the server's
 * command line names; or a given tree (tests). `groupSuffix` comes from --defaults-group-suffix.
 */
export type OptionFilesSource = (
  flavor: Flavor,
  startup: ServerStartup | null,
  /** Also ask the server program for its compiled-in file list (costs a process start). */
  askProgram: boolean,
) => ChainSource & { groupSuffix?: string | null };

export function machineOptionFiles(io: IO): OptionFilesSource {
  return (flavor, startup, askProgram) => {
    const home = homedir();
    const path = askProgram ? findServerProgram(io.env, process.platform) : undefined;
    const program = path === undefined ? null : probeServerProgram(path, io.env, home);
    const defaults = defaultServerFiles({
      platform: process.platform,
      env: io.env,
      home,
      flavor,
      program: program?.flavor === flavor ? program : null,
    });
    const started = startup === null ? null : filesFromStartup(startup, defaults);
    return {
      files: started?.files ?? defaults,
      groupSuffix: started?.groupSuffix ?? null,
      fs: nodeFs,
      cwd: startup?.cwd ?? io.cwd,
      platform: process.platform,
      home,
    };
  };
}

/** Null when the running server does not (provably) read these files, so they say nothing about it. */
export async function readOptionFilesFacts(
  connection: Connection,
  identity: ServerIdentity,
  source: OptionFilesSource,
): Promise<OptionFilesFacts | null> {
  const flavor: Flavor = identity.flavor === 'MariaDB' ? 'mariadb' : 'mysql';
  const configFiles = await readConfigFiles(connection, identity);
  // A server that says it took no setting from any file (started with --no-defaults, or its
  // files set nothing) cannot be compared with any files.
  if (configFiles !== null && configFiles.length === 0) return null;
  const [rows] = await connection.query<RowDataPacket[]>('SELECT @@GLOBAL.pid_file AS pid_file');
  const pidFile = rows[0]?.pid_file;
  const startup = typeof pidFile === 'string' && pidFile !== '' ? readServerStartup(pidFile) : null;

  // The search path usually matches the server's own; asking its program (a process start,
  // ~60 ms) is needed only when the files found that way are not the ones the server names.
  let outcome = readServerFiles(source(flavor, startup, false), flavor, identity, configFiles);
  if (outcome.kind === 'not-these')
    outcome = readServerFiles(source(flavor, startup, true), flavor, identity, configFiles);
  if (outcome.kind !== 'read') return outcome.kind === 'broken' ? outcome.facts : null;
  const { chain } = outcome;
  const winner = winningOccurrence(chain.options, 'wait_timeout');
  const max = isWindowsServer(identity) ? MAX_TIMEOUT_WINDOWS : MAX_TIMEOUT;
  // `skip-wait-timeout` and friends set 0 (raised to 1) or 1; a prefix (`wait_tim=5`) takes the value.
  const flag = winner?.form === 'alias' && /^(skip|disable|enable)_/.test(winner.option.name);
  const reading = flag ? readTimeoutValue('1') : winner ? readTimeoutValue(winner.option.value, max) : null;
  return {
    waitTimeout: winner
      ? {
          value: winner.option.value,
          seconds: reading?.ok ? reading.seconds : null,
          file: winner.option.file,
          line: winner.option.line,
        }
      : null,
    filesRead: chain.files.filter((file) => file.status === 'read').map((file) => file.path),
    error: null,
  };
}

type ServerFilesOutcome =
  | { kind: 'read'; chain: ReturnType<typeof readChain> }
  | { kind: 'broken'; facts: OptionFilesFacts }
  | { kind: 'not-these' };

/** Reads the chain and says whether it is the one the server reads (by the files it names). */
function readServerFiles(
  chainSource: ReturnType<OptionFilesSource>,
  flavor: Flavor,
  identity: ServerIdentity,
  configFiles: string[] | null,
): ServerFilesOutcome {
  const realPath = (path: string) => {
    try {
      return chainSource.fs.realpath(path);
    } catch {
      return null;
    }
  };
  let chain: ReturnType<typeof readChain>;
  try {
    chain = readChain(
      chainSource,
      withGroupSuffix(serverView(flavor, identity.version), chainSource.groupSuffix ?? null),
    );
  } catch (err) {
    if (!(err instanceof OptionFileError)) throw err;
    const readsIt = configFiles?.some((file) => file === err.file || realPath(file) === realPath(err.file));
    return readsIt
      ? { kind: 'broken', facts: { waitTimeout: null, filesRead: [], error: err.message } }
      : { kind: 'not-these' };
  }
  const reads = readsChain(configFiles, chain, realPath);
  // A server that cannot say where its settings came from (MySQL 5.7) is assumed to read them.
  if (reads === false || (reads === null && configFiles !== null)) return { kind: 'not-these' };
  return { kind: 'read', chain };
}
