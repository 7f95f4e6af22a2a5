import { homedir } from 'node:os';
import { resolve } from 'node:path';
import type { ServerTarget } from '../../connection/target.ts';
import { formatDuration, MAX_TIMEOUT, MAX_TIMEOUT_WINDOWS } from '../../duration.ts';
import type { IO } from '../../io.ts';
import {
  type Flavor,
  nodeFs,
  OptionFileError,
  type OptionFileRef,
  type OptionFileSystem,
} from '../../optionfile/index.ts';
import { UserError, usageError } from '../../output/errors.ts';
import { ExitCode, type ExitCodeValue } from '../../output/exit-codes.ts';
import { printJson } from '../../output/json.ts';
import { colorFor } from '../../output/style.ts';
import { type ChainSource, readChain } from '../../patch/chain.ts';
import { occurrencesOf, type SettingName } from '../../patch/occurrences.ts';
import { type PatchPlan, PatchRefused, planPatch, type SettingRequest } from '../../patch/plan.ts';
import { filesFromStartup } from '../../patch/running-server.ts';
import {
  defaultServerFiles,
  findServerProgram,
  probeServerProgram,
  type ServerProgram,
} from '../../patch/server-program.ts';
import { readTimeoutValue } from '../../patch/server-value.ts';
import { serverView, withGroupSuffix } from '../../patch/view.ts';
import { type WriteHooks, type WrittenFile, writeChanges } from '../../patch/write.ts';
import { isWindowsServer } from '../../server/identity.ts';
import { confirm } from './confirm.ts';
import { renderChanges, renderList, renderPatch } from './render.ts';
import { buildListReport, buildPatchReport, runningJson, type ServerChoice } from './report.ts';
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
}

export function machineWorld(io: IO): PatchConfigWorld {
  const home = homedir();
  let program: ServerProgram | null | undefined;
  return {
    fs: nodeFs,
    platform: process.platform,
    home,
    serverProgram() {
      if (program === undefined) {
        const path = findServerProgram(io.env, process.platform);
        program = path === undefined ? null : probeServerProgram(path, io.env, home);
      }
      return program;
    },
  };
}

export async function runPatchConfig(
  options: PatchConfigOptions,
  io: IO,
  target: () => ServerTarget,
  world: PatchConfigWorld = machineWorld(io),
): Promise<ExitCodeValue> {
  const running = options.offline ? null : await readRunningServer(target);
  const choice = chooseServer(options, running, world);
  const windows =
    world.platform === 'win32' || (running?.identity != null && isWindowsServer(running.identity));
  const maxSeconds = windows ? MAX_TIMEOUT_WINDOWS : MAX_TIMEOUT;
  // A server started with --defaults-file (a service, a second instance) reads that file instead.
  const startup =
    options.file === undefined && running?.startup
      ? filesFromStartup(running.startup, defaultFilesFor(choice, world))
      : null;
  if (startup !== null && startup.files.length === 0 && !options.list) {
    throw usageError(
      `The running server (${running?.address}) was started with --no-defaults, so it reads no option file and a patch would change nothing at its next start. Name the file to patch with --file (or use dbcache set-timeout for the running server). Nothing was written.`,
    );
  }
  if (startup?.groupSuffix)
    choice.views = choice.views.map((view) => withGroupSuffix(view, startup.groupSuffix));
  const source: ChainSource = {
    files:
      options.file !== undefined
        ? [{ path: resolve(io.cwd, options.file), required: true }]
        : (startup?.files ?? defaultFilesFor(choice, world)),
    fs: world.fs,
    // Relative paths in a server's own files resolve against the server's working directory.
    cwd: startup !== null && running?.startup?.cwd ? running.startup.cwd : io.cwd,
    platform: world.platform,
    home: world.home,
  };
  const realPath = (path: string) => {
    try {
      return world.fs.realpath(path);
    } catch {
      return null;
    }
  };
  const color = colorFor(io.stdout, io.env);

  if (options.list) {
    const chain = readOrExplain(source, choice);
    const report = buildListReport(choice, chain, runningJson(running, chain, realPath), maxSeconds);
    if (options.json) printJson(io.stdout, report);
    else io.stdout.write(renderList(report, color));
    return ExitCode.ok;
  }

  const settings = requestedSettings(options, maxSeconds);
  const plan = planOrExplain(source, choice, settings, options.force, maxSeconds);
  const runningReport = runningJson(running, plan.chain, realPath);
  let written: WrittenFile[] | null = null;
  const writing = plan.changes.length > 0 && !options.dryRun;
  if (writing && !options.json && io.stdin.isTTY === true && !options.yes) {
    io.stdout.write(
      renderChanges(buildPatchReport(choice, plan, null, { dryRun: true, written: null }), color),
    );
    const files = plan.changes.map((change) => change.realPath).join(', ');
    if (!(await confirm(io, `Write this to ${files}? [y/N] `))) {
      io.stdout.write('Nothing was written.\n');
      return ExitCode.ok;
    }
  }
  if (writing) {
    written = writeChanges(plan.changes, new Date(io.now()), world.hooks);
    confirmOnDisk(source, choice, settings, written);
  }
  const report = buildPatchReport(choice, plan, runningReport, { dryRun: options.dryRun, written });
  if (options.json) printJson(io.stdout, report);
  else io.stdout.write(renderPatch(report, color));
  return ExitCode.ok;
}

/** Flags first, then the server running here, then its program; else both flavors must agree. */
function chooseServer(
  options: PatchConfigOptions,
  running: RunningServer | null,
  world: PatchConfigWorld,
): ServerChoice {
  const identity = running?.identity ?? null;
  const runningFlavor: Flavor | null =
    identity === null ? null : identity.flavor === 'MariaDB' ? 'mariadb' : 'mysql';
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
    return { views: [serverView(options.flavor, version)], knownFrom: 'flags', program: null };
  }
  if (identity !== null && runningFlavor !== null) {
    return {
      views: [serverView(runningFlavor, options.serverVersion ?? identity.version)],
      knownFrom: 'running server',
      program: null,
    };
  }
  const found = program();
  if (found !== null) {
    const groups = options.serverVersion === undefined ? found.groups : undefined;
    return {
      views: [serverView(found.flavor, options.serverVersion ?? found.version, groups)],
      knownFrom: 'server program',
      program: found.path,
    };
  }
  const version = options.serverVersion ?? null;
  return {
    views: [serverView('mariadb', version), serverView('mysql', version)],
    knownFrom: 'nothing',
    program: null,
  };
}

/** The files the server reads when started without option-file flags. */
function defaultFilesFor(choice: ServerChoice, world: PatchConfigWorld): OptionFileRef[] {
  if (world.defaultFiles) return world.defaultFiles;
  const flavor = choice.views[0]?.flavor ?? 'mariadb';
  const program = world.serverProgram();
  return defaultServerFiles({
    platform: world.platform,
    env: {},
    home: world.home,
    flavor,
    program: program !== null && program.flavor === flavor ? program : null,
  });
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

function readOrExplain(source: ChainSource, choice: ServerChoice) {
  try {
    return readChain(source, choice.views[0] ?? serverView('mariadb', null));
  } catch (err) {
    if (err instanceof OptionFileError) {
      throw new UserError(`${err.message} The server itself would not start with this file.`, ExitCode.file, {
        cause: err,
      });
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

/** The files on disk, read as the server reads them, now give the requested values. */
function confirmOnDisk(
  source: ChainSource,
  choice: ServerChoice,
  settings: readonly SettingRequest[],
  written: readonly WrittenFile[],
): void {
  for (const view of choice.views) {
    const chain = readChain(source, view);
    for (const setting of settings) {
      const winner = occurrencesOf(chain.options, setting.name).at(-1);
      const reading = winner ? readTimeoutValue(winner.option.value) : null;
      if (winner?.form !== 'exact' || !reading?.ok || reading.seconds !== setting.seconds) {
        const backups = written.map((file) => `${file.realPath} from ${file.backup}`).join(', ');
        throw new UserError(
          `After writing, the files do not give ${setting.name} = ${setting.seconds} when read back (another program may have changed them). Restore ${backups} if needed.`,
          ExitCode.file,
        );
      }
    }
  }
}
