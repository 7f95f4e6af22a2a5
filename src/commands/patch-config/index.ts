import { homedir } from 'node:os';
import type { ServerTarget } from '../../connection/target.ts';
import { formatDuration, MAX_TIMEOUT, MAX_TIMEOUT_WINDOWS } from '../../duration.ts';
import type { IO, Output } from '../../io.ts';
import {
  type Flavor,
  nodeFs,
  OptionFileError,
  type OptionFileRef,
  type OptionFileSystem,
  type ReadOptionsResult,
  realPathOrNull,
} from '../../optionfile/index.ts';
import { UserError, usageError } from '../../output/errors.ts';
import { ExitCode, type ExitCodeValue } from '../../output/exit-codes.ts';
import { printJson } from '../../output/json.ts';
import { colorFor } from '../../output/style.ts';
import { givesExactly, type SettingName, settingReading } from '../../patch/occurrences.ts';
import {
  type PatchPlan,
  PatchRefused,
  planPatch,
  refusalFor,
  refuseUnreadable,
  type SettingRequest,
  valueFlavor,
} from '../../patch/plan.ts';
import { type WriteHooks, type WrittenFile, writeChanges } from '../../patch/write.ts';
import { isWindowsServer } from '../../server/identity.ts';
import { type ChainSource, firstDifference, readChain } from '../../serverfiles/chain.ts';
import { serverFiles } from '../../serverfiles/discovery.ts';
import { serverProgramOnce, thisMachine } from '../../serverfiles/local-server.ts';
import { flavorOf, serverReader, withGroupSuffix } from '../../serverfiles/reader.ts';
import type { ServerProgram } from '../../serverfiles/server-program.ts';
import { confirm } from './confirm.ts';
import { renderChanges, renderList, renderOutcome, renderPatch } from './render.ts';
import { buildListReport, buildPatchReport, changeDiff, runningJson, type ServerChoice } from './report.ts';
import { type RunningServer, readRunningServer } from './running.ts';

export interface PatchConfigOptions {
  list: boolean;
  waitTimeout?: number;
  interactiveTimeout?: number;
  /** The file the server reads (its --defaults-file); default: the server's default files. */
  file?: string;
  flavor?: Flavor;
  serverVersion?: string;
  dryRun: boolean;
  yes: boolean;
  force: boolean;
  /** Do not ask the local server what it runs. */
  offline: boolean;
  json: boolean;
}

/** The machine patch-config works on; tests give temporary trees and a failing writer. */
export interface PatchConfigWorld {
  fs: OptionFileSystem;
  platform: NodeJS.Platform;
  home: string;
  /** The installed server program, asked once; null when there is none. */
  serverProgram(): ServerProgram | null;
  /** The server's default option files; computed from the program or platform when absent. */
  defaultFiles?: OptionFileRef[];
  hooks?: WriteHooks;
  /** This machine's name, compared with the running server's @@hostname; os.hostname() when absent. */
  hostname?: () => string;
  /**
   * Runs once the question at the terminal is answered, before the files are read again for the
   * last check: tests change a file here, as another program could while dbcache waits.
   */
  afterConfirm?: () => void;
}

export function machineWorld(io: IO): PatchConfigWorld {
  const home = homedir();
  return {
    fs: nodeFs,
    platform: process.platform,
    home,
    serverProgram: serverProgramOnce(io.env, process.platform, home),
  };
}

export async function runPatchConfig(
  options: PatchConfigOptions,
  io: IO,
  target: () => ServerTarget,
  world: PatchConfigWorld = machineWorld(io),
): Promise<ExitCodeValue> {
  const running = options.offline
    ? null
    : await readRunningServer(target, world.hostname ? { hostname: world.hostname() } : thisMachine());
  const remote = running !== null && !running.local && running.error === null;
  if (remote && options.file === undefined && !options.list) {
    throw usageError(
      `The server dbcache connects to (${running.address}) is not on this machine${running.elsewhere ? `: ${running.elsewhere}` : ''}, so the option files here are not the ones it reads. Name its option file with --file, or add --offline to patch this machine's files without asking a server. Nothing was written.`,
    );
  }
  const choice = chooseServer(options, running, world);
  const windows =
    world.platform === 'win32' || (running?.identity != null && isWindowsServer(running.identity));
  const maxSeconds = windows ? MAX_TIMEOUT_WINDOWS : MAX_TIMEOUT;
  // A server started with --defaults-file (a service, a second instance) reads that file instead.
  const found = serverFiles({
    platform: world.platform,
    env: io.env,
    home: world.home,
    flavor: choice.views[0]?.flavor ?? 'mariadb',
    fs: world.fs,
    cwd: io.cwd,
    ...(options.file !== undefined ? { file: options.file } : {}),
    startup: running?.startup ?? null,
    program: () => world.serverProgram(),
    ...(world.defaultFiles ? { defaultFiles: world.defaultFiles } : {}),
  });
  if (found.noDefaults && !options.list) {
    throw usageError(
      `The running server (${running?.address}) was started with --no-defaults, so it reads no option file and a patch would change nothing at its next start. Name the file to patch with --file (or use dbcache set-timeout for the running server). Nothing was written.`,
    );
  }
  if (found.groupSuffix) choice.views = choice.views.map((view) => withGroupSuffix(view, found.groupSuffix));
  const source = found.source;
  const realPath = (path: string) => realPathOrNull(world.fs, path);

  if (options.list) {
    const chain = readOrExplain(source, choice);
    const report = buildListReport(choice, chain, runningJson(running, chain, realPath), maxSeconds);
    if (options.json) printJson(io.stdout, report);
    else io.stdout.write(renderList(report, colorFor(io.stdout, io.env)));
    return ExitCode.ok;
  }

  const settings = requestedSettings(options, maxSeconds);
  const plan = planOrExplain(source, choice, settings, options.force, maxSeconds);
  const runningReport = runningJson(running, plan.chain, realPath);
  const diffs = plan.changes.map(changeDiff);
  const writing = plan.changes.length > 0 && !options.dryRun;
  // The settings and the diff go to stdout once: at the question when that is where it is shown.
  let shownOnStdout = false;
  if (writing && io.stdin.isTTY === true && !options.yes) {
    // Whoever answers must see the diff: on stdout when that is the terminal and shows text,
    // else on stderr (stdout is a file or a pipe, or carries JSON).
    const preview = io.stdout.isTTY === true && !options.json ? io.stdout : io.stderr;
    const shown = buildPatchReport(choice, plan, null, { dryRun: true, written: null });
    writeBytes(preview, renderChanges(shown, colorFor(preview, io.env), diffs));
    const files = plan.changes.map((change) => change.realPath).join(', ');
    const yes = await confirm(io, `Write this to ${files}? [y/N] `);
    world.afterConfirm?.();
    shownOnStdout = preview === io.stdout;
    if (!yes) {
      io.stderr.write('Nothing was written.\n');
      if (options.json) {
        printJson(io.stdout, buildPatchReport(choice, plan, runningReport, { dryRun: false, written: null }));
      }
      return ExitCode.ok;
    }
  }
  let written: WrittenFile[] | null = null;
  if (writing) {
    replanOrAbort(plan, source, choice, settings, options.force, maxSeconds);
    written = writeChanges(plan.changes, new Date(io.now()), world.hooks);
    confirmOnDisk(source, choice, settings, written, maxSeconds);
  }
  const report = buildPatchReport(choice, plan, runningReport, { dryRun: options.dryRun, written });
  if (options.json) printJson(io.stdout, report);
  else if (shownOnStdout) io.stdout.write(renderOutcome(report, colorFor(io.stdout, io.env)));
  else writeBytes(io.stdout, renderPatch(report, colorFor(io.stdout, io.env), diffs));
  return ExitCode.ok;
}

/** A byte string (see optionfile/bytes.ts) written as the bytes it stands for. */
function writeBytes(out: Output, byteString: string): void {
  out.write(Buffer.from(byteString, 'latin1'));
}

/**
 * Right before writing, every file of the chain is read again and the plan made again: while
 * the question waited (or since the first read) another program may have changed any file,
 * also one that is not edited but would override the edit.
 */
function replanOrAbort(
  plan: PatchPlan,
  source: ChainSource,
  choice: ServerChoice,
  settings: SettingRequest[],
  force: boolean,
  maxSeconds: number,
): void {
  const again = planOrExplain(source, choice, settings, force, maxSeconds);
  const changed =
    firstDifference(plan.chain, again.chain) ??
    (samePlan(plan, again) ? null : (plan.changes[0]?.path ?? 'an option file'));
  if (changed !== null) {
    throw new UserError(
      `${changed} changed since dbcache read it, so the change shown may no longer be the right one. Run dbcache again to see it against what the files hold now. Nothing was written.`,
      ExitCode.file,
    );
  }
}

function samePlan(a: PatchPlan, b: PatchPlan): boolean {
  const key = (plan: PatchPlan) =>
    JSON.stringify([
      plan.changes.map((change) => [
        change.realPath,
        change.before.toString('hex'),
        change.after.toString('hex'),
      ]),
      plan.settings,
    ]);
  return key(a) === key(b);
}

/** Flags first, then the server running here, then its program; else both flavors must agree. */
function chooseServer(
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

function requestedSettings(options: PatchConfigOptions, maxSeconds: number): SettingRequest[] {
  const settings: SettingRequest[] = [];
  const add = (name: SettingName, seconds: number | undefined) => {
    if (seconds === undefined) return;
    if (seconds > maxSeconds) {
      throw usageError(
        `${name}: ${seconds} s is more than this server allows on Windows: ${maxSeconds} s (${formatDuration(maxSeconds)}). Nothing was written.`,
      );
    }
    settings.push({ name, seconds });
  };
  add('wait_timeout', options.waitTimeout);
  add('interactive_timeout', options.interactiveTimeout);
  return settings;
}

function readOrExplain(source: ChainSource, choice: ServerChoice): ReadOptionsResult {
  try {
    return readChain(source, choice.views[0] ?? serverReader('mariadb', null));
  } catch (err) {
    if (err instanceof OptionFileError) {
      const refusal = refusalFor(err);
      const message =
        err.kind === 'refused'
          ? `${err.message} The server itself would not start with this file.`
          : refusal.message.replace(/ Nothing was written\.$/, '');
      throw new UserError(message, refusal.kind === 'usage' ? ExitCode.usage : ExitCode.file, { cause: err });
    }
    throw err;
  }
}

function planOrExplain(
  source: ChainSource,
  choice: ServerChoice,
  settings: SettingRequest[],
  force: boolean,
  maxSeconds: number,
): PatchPlan {
  try {
    return planPatch({ source, views: choice.views, settings, force, maxSeconds });
  } catch (err) {
    if (err instanceof PatchRefused) {
      throw new UserError(err.message, err.kind === 'usage' ? ExitCode.usage : ExitCode.file, { cause: err });
    }
    throw err;
  }
}

/**
 * The files on disk, read as the server reads them, now give the requested values: every file
 * of the chain readable by dbcache, and the winning line exactly what was planned.
 */
function confirmOnDisk(
  source: ChainSource,
  choice: ServerChoice,
  settings: readonly SettingRequest[],
  written: readonly WrittenFile[],
  maxSeconds: number,
): void {
  const backups = written.map((file) => `${file.realPath} from ${file.backup}`).join(', ');
  const failure = (why: string) =>
    new UserError(`After writing, ${why}. Restore ${backups} if needed.`, ExitCode.file);
  for (const view of choice.views) {
    let chain: ReadOptionsResult;
    try {
      chain = readChain(source, view);
      refuseUnreadable(chain);
    } catch (err) {
      if (!(err instanceof OptionFileError || err instanceof PatchRefused)) throw err;
      throw failure(
        `the files cannot be read back as the server reads them (${err.message.replace(/\.?( Nothing was written\.)?$/, '')})`,
      );
    }
    for (const setting of settings) {
      if (
        !givesExactly(
          settingReading(chain.options, setting.name, maxSeconds, valueFlavor(choice.views)),
          setting.seconds,
        )
      ) {
        throw failure(
          `the files do not give ${setting.name} = ${setting.seconds} when read back (another program may have changed them)`,
        );
      }
    }
  }
}
