/**
 * `dbcache patch-config`: ask the local server what it runs and how it was started, find the
 * option files it reads, plan the smallest edit (refusing what cannot be done safely), show it,
 * ask at a terminal, write it safely, read it back, and say what to do next.
 */
import type { ChalkInstance } from 'chalk';
import type { ServerTarget } from '../../connection/target.ts';
import { MAX_TIMEOUT, MAX_TIMEOUT_WINDOWS } from '../../duration.ts';
import type { IO } from '../../io.ts';
import { type Flavor, realPathOrNull } from '../../optionfile/index.ts';
import { usageError } from '../../output/errors.ts';
import { ExitCode, type ExitCodeValue } from '../../output/exit-codes.ts';
import { printJson } from '../../output/json.ts';
import { type HumanView, printReport } from '../../output/print.ts';
import type { PatchPlan } from '../../patch/plan.ts';
import type { WrittenFile } from '../../patch/write.ts';
import { isWindowsServer } from '../../server/identity.ts';
import type { ChainSource } from '../../serverfiles/chain.ts';
import { serverFiles } from '../../serverfiles/discovery.ts';
import { withGroupSuffix } from '../../serverfiles/reader.ts';
import { chooseServer } from './choose-server.ts';
import { confirm } from './confirm.ts';
import { planOrExplain, readOrExplain } from './explain.ts';
import {
  buildListReport,
  buildPatchReport,
  changeDiff,
  type PatchReport,
  runningJson,
  type ServerChoice,
} from './report.ts';
import { requestedSettings } from './request.ts';
import { type RunningServer, readRunningServer } from './running.ts';
import { machineOf, machineWorld, type PatchConfigWorld } from './world.ts';
import { writeSafely } from './write-safely.ts';

export { machineWorld, type PatchConfigWorld };

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

export async function runPatchConfig(
  options: PatchConfigOptions,
  io: IO,
  target: () => ServerTarget,
  world: PatchConfigWorld = machineWorld(io),
): Promise<ExitCodeValue> {
  const running = options.offline ? null : await readRunningServer(target, machineOf(world));
  refuseRemoteServer(options, running);
  const choice = chooseServer(options, running, world);
  const maxSeconds = timeoutCeiling(world, running);
  const source = findServerFiles(options, io, world, running, choice);
  const realPath = (path: string) => realPathOrNull(world.fs, path);

  if (options.list) {
    const chain = readOrExplain(source, choice);
    const report = buildListReport(choice, chain, runningJson(running, chain, realPath), maxSeconds);
    await printReport(io, report, options.json, async () => (await import('./render.ts')).renderList);
    return ExitCode.ok;
  }

  const settings = requestedSettings(options, maxSeconds);
  const plan = planOrExplain(source, choice, settings, options.force, maxSeconds);
  const runningReport = runningJson(running, plan.chain, realPath);
  const diffs = plan.changes.map(changeDiff);
  const writing = plan.changes.length > 0 && !options.dryRun;
  const asked = writing ? await askFirst(options, io, world, choice, plan, diffs) : 'not asked';
  if (asked === 'no') {
    io.stderr.write('Nothing was written.\n');
    if (options.json) {
      printJson(io.stdout, buildPatchReport(choice, plan, runningReport, { dryRun: false, written: null }));
    }
    return ExitCode.ok;
  }
  const written: WrittenFile[] | null = writing
    ? writeSafely(
        { plan, source, choice, settings, force: options.force, maxSeconds },
        new Date(io.now()),
        world.hooks,
      )
    : null;
  await printPatch(
    options,
    io,
    buildPatchReport(choice, plan, runningReport, { dryRun: options.dryRun, written }),
    {
      diffs,
      // The settings and the diff go to stdout once: at the question when that is where they were shown.
      shownOnStdout: asked === 'yes, shown on stdout',
    },
  );
  return ExitCode.ok;
}

/** A server on another machine reads its own files: the ones here need --file or --offline. */
function refuseRemoteServer(options: PatchConfigOptions, running: RunningServer | null): void {
  const remote = running !== null && !running.local && running.error === null;
  if (remote && options.file === undefined && !options.list) {
    throw usageError(
      `The server dbcache connects to (${running.address}) is not on this machine${running.elsewhere ? `: ${running.elsewhere}` : ''}, so the option files here are not the ones it reads. Name its option file with --file, or add --offline to patch this machine's files without asking a server. Nothing was written.`,
    );
  }
}

function timeoutCeiling(world: PatchConfigWorld, running: RunningServer | null): number {
  const windows =
    world.platform === 'win32' || (running?.identity != null && isWindowsServer(running.identity));
  return windows ? MAX_TIMEOUT_WINDOWS : MAX_TIMEOUT;
}

/** A server started with --defaults-file (a service, a second instance) reads that file instead. */
function findServerFiles(
  options: PatchConfigOptions,
  io: IO,
  world: PatchConfigWorld,
  running: RunningServer | null,
  choice: ServerChoice,
): ChainSource {
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
  return found.source;
}

type Answer = 'not asked' | 'no' | 'yes' | 'yes, shown on stdout';

/**
 * At a terminal (unless --yes), the change is shown and the question asked. Whoever answers
 * must see the diff: on stdout when that is the terminal and shows text, else on stderr
 * (stdout is a file or a pipe, or carries JSON).
 */
async function askFirst(
  options: PatchConfigOptions,
  io: IO,
  world: PatchConfigWorld,
  choice: ServerChoice,
  plan: PatchPlan,
  diffs: readonly string[],
): Promise<Answer> {
  if (io.stdin.isTTY !== true || options.yes) return 'not asked';
  const preview = io.stdout.isTTY === true && !options.json ? io.stdout : io.stderr;
  const shown = buildPatchReport(choice, plan, null, { dryRun: true, written: null });
  await printReport(
    io,
    shown,
    false,
    async () => asBytes((await import('./render.ts')).renderChanges, diffs),
    preview,
  );
  const files = plan.changes.map((change) => change.realPath).join(', ');
  const yes = await confirm(io, `Write this to ${files}? [y/N] `);
  world.afterConfirm?.();
  if (!yes) return 'no';
  return preview === io.stdout ? 'yes, shown on stdout' : 'yes';
}

async function printPatch(
  options: PatchConfigOptions,
  io: IO,
  report: PatchReport,
  shown: { diffs: readonly string[]; shownOnStdout: boolean },
): Promise<void> {
  await printReport(io, report, options.json, async () => {
    const render = await import('./render.ts');
    return shown.shownOnStdout ? render.renderOutcome : asBytes(render.renderPatch, shown.diffs);
  });
}

/** A view that draws a byte string (see optionfile/bytes.ts), as the bytes it stands for. */
function asBytes(
  render: (report: PatchReport, color: ChalkInstance, diffs: readonly string[], width: number) => string,
  diffs: readonly string[],
): HumanView<PatchReport> {
  return (report, color, width) => Buffer.from(render(report, color, diffs, width), 'latin1');
}
