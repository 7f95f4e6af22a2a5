/**
 * Drift: what the server's option files would set at its next start, read with the model
 * patch-config edits. Only for a server on this machine, and only when the server says it
 * took its settings from these files (MariaDB and MySQL 8 name the file behind each setting).
 * Where dbcache cannot tell (a file it may not read, a relative path the server resolved
 * against a directory that is not known, a server in a container), it says nothing.
 */
import { homedir } from 'node:os';
import type { Connection } from 'mysql2/promise';
import { MAX_TIMEOUT, MAX_TIMEOUT_WINDOWS } from '../../duration.ts';
import type { IO } from '../../io.ts';
import { type Flavor, nodeFs, OptionFileError, realPathOrNull } from '../../optionfile/index.ts';
import { settingReading } from '../../patch/occurrences.ts';
import { isWindowsServer, type ServerIdentity } from '../../server/identity.ts';
import { type ChainSource, readChain, unreadableFiles } from '../../serverfiles/chain.ts';
import { serverFiles } from '../../serverfiles/discovery.ts';
import {
  type KnownOfServer,
  readLocalServer,
  serverProgramOnce,
  type ThisMachine,
  thisMachine,
} from '../../serverfiles/local-server.ts';
import { flavorOf, serverReader, withGroupSuffix } from '../../serverfiles/reader.ts';
import { readsChain, type ServerStartup } from '../../serverfiles/running-server.ts';

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

/** The files as patch-config finds them (one shared discovery, with this process's environment). */
export function machineOptionFiles(io: IO): OptionFilesSource {
  const home = homedir();
  const program = serverProgramOnce(io.env, process.platform, home);
  return (flavor, startup, askProgram) => {
    const found = serverFiles({
      platform: process.platform,
      env: io.env,
      home,
      flavor,
      fs: nodeFs,
      cwd: io.cwd,
      startup,
      program: () => (askProgram ? program() : null),
    });
    return { ...found.source, groupSuffix: found.groupSuffix };
  };
}

export type { ThisMachine };

/** Null when the running server does not (provably) read these files, so they say nothing about it. */
export async function readOptionFilesFacts(
  connection: Connection,
  identity: ServerIdentity,
  source: OptionFilesSource,
  { machine = thisMachine(), known = {} }: { machine?: ThisMachine; known?: KnownOfServer } = {},
): Promise<OptionFilesFacts | null> {
  const flavor = flavorOf(identity);
  // A container's port published on 127.0.0.1 looks local; its files are not this machine's.
  const here = await readLocalServer(connection, identity, machine, known);
  if (here.elsewhere !== null || here.configFiles === null) return null;
  // A privilege hides where the settings came from: whether these files are the server's is unknown.
  if (here.configFiles.hiddenBy !== null) return null;
  const configFiles = here.configFiles.files;
  // A server that says it took no setting from any file (started with --no-defaults, or its
  // files set nothing) cannot be compared with any files.
  if (configFiles !== null && configFiles.length === 0) return null;
  const { startup } = here;

  // The search path usually matches the server's own; asking its program (a process start,
  // ~60 ms) is needed only when the files found that way are not the ones the server names.
  let outcome = readServerFiles(source(flavor, startup, false), flavor, identity, configFiles);
  if (outcome.kind === 'not-these')
    outcome = readServerFiles(source(flavor, startup, true), flavor, identity, configFiles);
  if (outcome.kind !== 'read') return outcome.kind === 'broken' ? outcome.facts : null;
  const { chain } = outcome;
  const reading = settingReading(
    chain.options,
    'wait_timeout',
    isWindowsServer(identity) ? MAX_TIMEOUT_WINDOWS : MAX_TIMEOUT,
    flavor,
  );
  // The server stops at the first value it rejects, even one a later line overrides: that line
  // is the one to name. A value dbcache cannot read for this server is not guessed at.
  if (reading.unreadable?.kind === 'unsure') return null;
  const winner = (reading.unreadable?.occurrence ?? reading.winner)?.option;
  return {
    waitTimeout: winner
      ? { value: winner.value, seconds: reading.seconds, file: winner.file, line: winner.line }
      : null,
    filesRead: chain.files.filter((file) => file.status === 'read').map((file) => file.path),
    error: null,
  };
}

type ServerFilesOutcome =
  | { kind: 'read'; chain: ReturnType<typeof readChain> }
  | { kind: 'broken'; facts: OptionFilesFacts }
  /** Not the files the server reads. */
  | { kind: 'not-these' }
  /** Maybe the server's files, but not all of them can be read as the server reads them. */
  | { kind: 'cannot-tell' };

/** Reads the chain and says whether it is the one the server reads (by the files it names). */
function readServerFiles(
  chainSource: ReturnType<OptionFilesSource>,
  flavor: Flavor,
  identity: ServerIdentity,
  configFiles: string[] | null,
): ServerFilesOutcome {
  const realPath = (path: string) => realPathOrNull(chainSource.fs, path);
  let chain: ReturnType<typeof readChain>;
  try {
    chain = readChain(
      chainSource,
      withGroupSuffix(serverReader(flavor, identity.version), chainSource.groupSuffix ?? null),
    );
  } catch (err) {
    if (!(err instanceof OptionFileError)) throw err;
    // A file this process may not read, or a relative path the server resolved against a
    // directory that is not known: a value from here could be the wrong one.
    if (err.kind !== 'refused' && err.kind !== 'missing') return { kind: 'cannot-tell' };
    const readsIt = configFiles?.some((file) => file === err.file || realPath(file) === realPath(err.file));
    return readsIt
      ? { kind: 'broken', facts: { waitTimeout: null, filesRead: [], error: err.message } }
      : { kind: 'not-these' };
  }
  // A server that cannot say where its settings came from (MySQL 5.7) is assumed to read them.
  if (readsChain(configFiles, chain, realPath) === false) return { kind: 'not-these' };
  // What an unreadable file sets could override everything read here.
  if (unreadableFiles(chain).length > 0) return { kind: 'cannot-tell' };
  // Nor can what a device or FIFO gives (dbcache never opens one).
  if (chain.files.some((file) => file.status === 'not-a-file')) return { kind: 'cannot-tell' };
  return { kind: 'read', chain };
}
