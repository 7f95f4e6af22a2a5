/**
 * The models `--json` prints and the human views render: one for `--list`, one for a patch.
 * Pure: built from the plan, the files read and what the running server said.
 */

import { byteStringToText, type ReadOptionsResult } from '../../optionfile/index.ts';
import { diffNames, unifiedDiff } from '../../patch/diff.ts';
import { occurrencesOf, SETTING_NAMES, type SettingName } from '../../patch/occurrences.ts';
import {
  type FileChange,
  type OccurrenceInfo,
  occurrenceInfo,
  type PatchPlan,
  valueFlavor,
} from '../../patch/plan.ts';
import type { WrittenFile } from '../../patch/write.ts';
import { oncePoolsRetireBefore } from '../../server/timeout-advice.ts';
import { describeUnreadable } from '../../serverfiles/chain.ts';
import type { ServerReader } from '../../serverfiles/reader.ts';
import { filesFromStartup, readsChain } from '../../serverfiles/running-server.ts';
import type { RunningServer } from './running.ts';

type KnownFrom = 'flags' | 'running server' | 'server program' | 'nothing';

export interface ServerJson {
  /** null: not known, so the plan had to suit both MariaDB and MySQL. */
  flavor: 'mariadb' | 'mysql' | null;
  version: string | null;
  groups: string[];
  known_from: KnownFrom;
  program: string | null;
}

interface FileJson {
  path: string;
  real_path: string | null;
  status: string;
  depth: number;
  included_from: { file: string; line: number } | null;
}

export interface OccurrenceJson {
  file: string;
  line: number;
  group: string;
  raw_name: string;
  value: string | null;
  /** What the server gets from this line; null when it refuses the value or dbcache cannot tell. */
  seconds: number | null;
  /** Why the server's number differs from what is written, or why there is none; else null. */
  problem: string | null;
}

interface RunningServerJson {
  address: string;
  local: boolean;
  /** Why a server on a local address is taken for another machine's (its host name differs); else null. */
  elsewhere: string | null;
  error: string | null;
  flavor: string | null;
  version: string | null;
  wait_timeout: number | null;
  interactive_timeout: number | null;
  wait_timeout_origin: { source: string; path: string | null } | null;
  config_files: string[] | null;
  /** true: it took settings from these files; false: from others; null: cannot tell. */
  reads_these_files: boolean | null;
  /** Why reads_these_files is null when a privilege would tell (names the privilege); else null. */
  reads_these_files_why: string | null;
  /** Its command line's option-file flags (`--defaults-file=…`), when dbcache could read them (Linux). */
  started_with: string[] | null;
}

export interface ListReport {
  server: ServerJson;
  files: FileJson[];
  settings: Record<SettingName, OccurrenceJson | null>;
  occurrences: Record<SettingName, OccurrenceJson[]>;
  running_server: RunningServerJson | null;
  warnings: string[];
}

export interface SettingJson {
  name: SettingName;
  requested: number;
  current: OccurrenceJson | null;
  action: 'unchanged' | 'set' | 'insert' | 'create-group';
  result: OccurrenceJson;
  overridden: OccurrenceJson[];
}

interface ChangeJson {
  file: string;
  real_path: string;
  /** Unified diff (`a/…`, `b/…` names); non-UTF-8 bytes shown as U+FFFD. The text view prints the bytes. */
  diff: string;
  backup: string | null;
}

/** A line another version or flavor of server sharing the files still reads (the patch left it alone). */
export interface LeftAloneJson {
  setting: SettingName;
  server: { flavor: 'mariadb' | 'mysql'; version: string | null };
  file: string;
  line: number;
  group: string;
  raw_name: string;
  value: string | null;
  /** What that server gets after the patch; null when it refuses the value or dbcache cannot tell. */
  seconds: number | null;
  /** The flags that make patch-config patch for that server too. */
  patch_with: string[];
}

export interface PatchReport {
  server: ServerJson;
  files: FileJson[];
  settings: SettingJson[];
  left_alone: LeftAloneJson[];
  changes: ChangeJson[];
  dry_run: boolean;
  written: boolean;
  running_server: RunningServerJson | null;
  next_steps: string[];
  warnings: string[];
}

export interface ServerChoice {
  views: ServerReader[];
  knownFrom: KnownFrom;
  program: string | null;
}

function serverJson(choice: ServerChoice): ServerJson {
  const [first] = choice.views;
  const one = choice.views.length === 1 && first !== undefined;
  return {
    flavor: one ? first.flavor : null,
    version: one ? first.version : null,
    groups: first?.groups ?? [],
    known_from: choice.knownFrom,
    program: choice.program,
  };
}

function filesJson(chain: ReadOptionsResult): FileJson[] {
  return chain.files.map((file) => ({
    path: file.path,
    real_path: file.realPath,
    status: file.status,
    depth: file.depth,
    included_from: file.includedFrom,
  }));
}

function occurrenceJson(info: OccurrenceInfo): OccurrenceJson {
  return {
    file: info.file,
    line: info.line,
    group: info.group,
    raw_name: info.rawName,
    value: info.value,
    seconds: info.seconds,
    problem: info.note,
  };
}

export function runningJson(
  running: RunningServer | null,
  chain: ReadOptionsResult,
  realPath: (path: string) => string | null,
): RunningServerJson | null {
  if (running === null) return null;
  const { identity } = running;
  const reads = identity === null ? null : readsChain(running.configFiles, chain, realPath);
  return {
    address: running.address,
    local: running.local,
    elsewhere: running.elsewhere,
    error: running.error,
    flavor: identity?.flavor ?? null,
    version: identity?.version ?? null,
    wait_timeout: running.waitTimeout,
    interactive_timeout: running.interactiveTimeout,
    wait_timeout_origin: running.origin,
    config_files: running.configFiles,
    reads_these_files: reads,
    reads_these_files_why: reads === null ? running.configFilesHiddenBy : null,
    started_with: running.startup ? filesFromStartup(running.startup, []).flags : null,
  };
}

export function buildListReport(
  choice: ServerChoice,
  chain: ReadOptionsResult,
  running: RunningServerJson | null,
  maxSeconds: number,
): ListReport {
  const occurrences = (name: SettingName) =>
    occurrencesOf(chain.options, name).map((occurrence) =>
      occurrenceJson(occurrenceInfo(occurrence, maxSeconds, valueFlavor(choice.views))),
    );
  const wait = occurrences('wait_timeout');
  const interactive = occurrences('interactive_timeout');
  return {
    server: serverJson(choice),
    files: filesJson(chain),
    settings: { wait_timeout: wait.at(-1) ?? null, interactive_timeout: interactive.at(-1) ?? null },
    occurrences: { wait_timeout: wait, interactive_timeout: interactive },
    running_server: running,
    warnings: withUnreadable(chain),
  };
}

/** `--list` shows what it can; a file it may not read is a warning that the picture is partial. */
function withUnreadable(chain: ReadOptionsResult): string[] {
  const unreadable = describeUnreadable(chain);
  return unreadable === null
    ? chain.warnings
    : [
        ...chain.warnings,
        `${unreadable}; what is shown here leaves ${unreadableCount(chain) === 1 ? 'it' : 'them'} out, and patch-config refuses to write until it can read every file.`,
      ];
}

const unreadableCount = (chain: ReadOptionsResult) =>
  chain.files.filter((file) => file.status === 'unreadable').length;

/** The diff of one change, as bytes (a byte string): what `patch` needs, whatever the encoding. */
export function changeDiff(change: FileChange): string {
  const { oldName, newName } = diffNames(change.realPath);
  return unifiedDiff(change.before.toString('latin1'), change.after.toString('latin1'), oldName, newName);
}

export function buildPatchReport(
  choice: ServerChoice,
  plan: PatchPlan,
  running: RunningServerJson | null,
  outcome: { dryRun: boolean; written: WrittenFile[] | null },
): PatchReport {
  const settings = plan.settings.map(
    (setting): SettingJson => ({
      name: setting.name,
      requested: setting.requested,
      current: setting.current && occurrenceJson(setting.current),
      action: setting.action,
      result: occurrenceJson(setting.result),
      overridden: setting.overridden.map(occurrenceJson),
    }),
  );
  const changes = plan.changes.map(
    (change): ChangeJson => ({
      file: change.path,
      real_path: change.realPath,
      diff: byteStringToText(changeDiff(change)),
      backup: outcome.written?.find((file) => file.realPath === change.realPath)?.backup ?? null,
    }),
  );
  const report: PatchReport = {
    server: serverJson(choice),
    files: filesJson(plan.chain),
    settings,
    left_alone: plan.leftAlone.map(
      (line): LeftAloneJson => ({
        setting: line.setting,
        server: { flavor: line.server.flavor, version: line.server.version },
        file: line.file,
        line: line.line,
        group: line.group,
        raw_name: line.rawName,
        value: line.value,
        seconds: line.seconds,
        patch_with: line.flags,
      }),
    ),
    changes,
    dry_run: outcome.dryRun,
    written: outcome.written !== null && outcome.written.length > 0,
    running_server: running,
    next_steps: [],
    warnings: plan.warnings,
  };
  report.next_steps = nextSteps(report);
  return report;
}

/** What to do after the files say the right thing: the running server does not read them until it restarts. */
function nextSteps(report: PatchReport): string[] {
  const steps: string[] = [];
  const wait = report.settings.find((setting) => setting.name === 'wait_timeout');
  const interactive = report.settings.find((setting) => setting.name === 'interactive_timeout');
  if (!wait) return steps;
  const nothingToWrite = report.changes.length === 0;
  if (report.dry_run && !nothingToWrite) {
    steps.push('Run the same command without --dry-run to write the change.');
  }
  const setTimeout = `dbcache set-timeout ${wait.requested}${interactive && interactive.requested === wait.requested ? ' --interactive' : ''}`;
  const running = report.running_server;
  if (running === null || !running.local || running.error !== null || running.wait_timeout === null) {
    const why =
      running === null
        ? ''
        : !running.local
          ? ` The server dbcache would connect to (${running.address}) is not on this machine${running.elsewhere ? ` (${running.elsewhere})` : ''}, so dbcache cannot tell whether it reads these files.`
          : running.error !== null
            ? ` dbcache could not ask the local server (${running.error}).`
            : '';
    steps.push(
      `The option files count from the server's next start.${why} For the running server: ${setTimeout} (new connections get it at once), or restart it.`,
    );
    return steps;
  }
  const behind = SETTING_NAMES.filter((name) => {
    const setting = report.settings.find((candidate) => candidate.name === name);
    const live = name === 'wait_timeout' ? running.wait_timeout : running.interactive_timeout;
    return setting !== undefined && live !== setting.requested;
  });
  if (behind.length > 0) {
    const now = behind
      .map(
        (name) => `${name} ${name === 'wait_timeout' ? running.wait_timeout : running.interactive_timeout} s`,
      )
      .join(' and ');
    // Lowering the live value is safe only once the pools retire connections sooner; raising it is.
    const lowers = running.wait_timeout !== null && wait.requested < running.wait_timeout;
    const when = lowers ? `, ${oncePoolsRetireBefore(wait.requested)},` : '';
    steps.push(
      `The running server (${running.flavor} ${running.version} at ${running.address}) still has ${now}: it reads option files only when it starts. Apply the value now${when} with ${setTimeout} (new connections get it; open ones keep theirs), or restart the server.`,
    );
  } else {
    const keep =
      report.dry_run && !nothingToWrite ? 'once written, the files keep it' : 'the files now keep it';
    steps.push(`The running server (${running.address}) already has this value; ${keep} across restarts.`);
  }
  const origin = running.wait_timeout_origin?.source;
  if (origin === 'COMMAND-LINE' || origin === 'COMMAND_LINE') {
    steps.push(
      "Warning: the running server got wait_timeout from its command line, which overrides every option file: remove --wait-timeout from the way it is started (systemd unit, service), or the file's value never counts.",
    );
  } else if (origin === 'PERSISTED') {
    steps.push(
      'Warning: wait_timeout is persisted on this server (SET PERSIST, mysqld-auto.cnf), which overrides the option files: run RESET PERSIST wait_timeout, or use dbcache set-timeout --persist instead.',
    );
  }
  if (running.reads_these_files === true) {
    steps.push(
      `The running server reads these files: it took settings from ${running.config_files?.join(', ')}.`,
    );
  } else if (running.reads_these_files === false) {
    const from =
      running.config_files && running.config_files.length > 0
        ? `its settings came from ${running.config_files.join(', ')}`
        : 'it reports no setting from any option file (started with --no-defaults, or with other files)';
    steps.push(
      `Warning: the running server does not seem to read these files: ${from}. Check how it is started (--defaults-file in its service) and patch that file with --file.`,
    );
  } else if (running.reads_these_files_why !== null) {
    steps.push(
      `dbcache cannot tell whether the running server reads these files: ${running.reads_these_files_why}.`,
    );
  } else {
    steps.push(
      'dbcache cannot tell whether the running server reads these files: it does not say where its settings came from.',
    );
  }
  return steps;
}
