import type { ChalkInstance } from 'chalk';
import { formatDuration } from '../../duration.ts';
import { textToByteString } from '../../optionfile/index.ts';
import { wrapProse } from '../../output/prose.ts';
import type {
  LeftAloneJson,
  ListReport,
  OccurrenceJson,
  PatchReport,
  ServerJson,
  SettingJson,
} from './report.ts';

const DEFAULT_TIMEOUT = 28800;

/** The human view of `--list`. */
export function renderList(
  report: ListReport,
  color: ChalkInstance,
  width = Number.POSITIVE_INFINITY,
): string {
  const out: string[] = [];
  const say = (text: string, lead = '') => out.push(wrapProse(text, width, lead));
  say(`${color.bold(serverName(report.server))} reads these option files, in this order:`);
  const pathWidth = Math.max(...report.files.map((file) => file.path.length + 2 * file.depth), 0);
  for (const file of report.files) {
    const name = `${'  '.repeat(file.depth)}${file.path}`;
    const link = file.real_path && file.real_path !== file.path ? ` -> ${file.real_path}` : '';
    const from = file.included_from
      ? color.dim(`  (from ${file.included_from.file} line ${file.included_from.line})`)
      : '';
    const status = file.status === 'read' ? color.green(file.status) : color.yellow(file.status);
    const pad = ' '.repeat(Math.max(1, 15 - file.status.length));
    out.push(`  ${status}${pad}${from ? (name + link).padEnd(pathWidth) : name + link}${from}`);
  }
  say(report.server.groups.map((group) => `[${group}]`).join(' '), 'Groups: ');
  out.push('');
  for (const name of ['wait_timeout', 'interactive_timeout'] as const) {
    const setting = report.settings[name];
    const partial = report.files.some((file) => file.status === 'unreadable');
    say(setting ? describeOccurrence(setting) : notSet(partial), `${color.bold(name.padEnd(20))} `);
    for (const earlier of report.occurrences[name].slice(0, -1)) {
      say(
        color.dim(`${where(earlier)}: ${earlier.raw_name} = ${earlier.value ?? ''}`),
        color.dim('  overrides '),
      );
    }
  }
  const running = report.running_server;
  if (running) {
    out.push('');
    say(runningLine(running));
  }
  pushWarnings(out, report.warnings, color, width);
  return `${out.join('\n')}\n`;
}

/**
 * What would change: the settings and the diff, shown before asking whether to write. A byte
 * string (see optionfile/bytes.ts): the text is UTF-8, and `diffs` (one per change, byte
 * strings) keep the file's own bytes, so that `patch` applies them to a Latin-1 file too.
 */
export function renderChanges(
  report: PatchReport,
  color: ChalkInstance,
  diffs: readonly string[],
  width = Number.POSITIVE_INFINITY,
): string {
  const out: string[] = [];
  const read = report.files.filter((file) => file.status === 'read').length;
  out.push(
    wrapProse(
      `${color.bold(serverName(report.server))}: ${read} option file${read === 1 ? '' : 's'} read (dbcache patch-config --list shows them).`,
      width,
    ),
  );
  out.push('');
  for (const setting of report.settings) out.push(settingLine(setting, color, width));
  if (report.left_alone.length > 0) {
    out.push('');
    out.push(wrapProse('Left alone: other servers that may share these files read their own line:', width));
    for (const line of report.left_alone) out.push(wrapProse(leftAloneLine(line), width, '  '));
  }
  const text = `${out.join('\n')}\n`;
  return textToByteString(text) + diffs.map((diff) => `\n${colorDiff(diff, color)}\n`).join('');
}

/** The human view of a patch: what changes, the diff, what was written, what to do next. A byte string. */
export function renderPatch(
  report: PatchReport,
  color: ChalkInstance,
  diffs: readonly string[],
  width = Number.POSITIVE_INFINITY,
): string {
  return `${renderChanges(report, color, diffs, width)}\n${textToByteString(renderOutcome(report, color, width))}`;
}

/** What was written and what to do next: all that is left to show once the changes were shown at the prompt. */
export function renderOutcome(
  report: PatchReport,
  color: ChalkInstance,
  width = Number.POSITIVE_INFINITY,
): string {
  const out: string[] = [];
  const say = (text: string, lead = '') => out.push(wrapProse(text, width, lead));
  if (report.changes.length === 0) {
    out.push(color.green('The files already set these values: nothing was changed.'));
  } else if (report.dry_run) {
    out.push(color.bold('Dry run: nothing was written.'));
  } else if (report.written) {
    for (const change of report.changes) {
      say(`Wrote ${change.real_path}${change.backup ? ` (the old version is in ${change.backup})` : ''}.`);
    }
    const values = report.settings.map((setting) => `${setting.name} ${setting.requested} s`).join(' and ');
    say(color.green(`Read back: the server will start with ${values}.`));
  } else {
    out.push('Nothing was written.');
  }
  pushWarnings(out, report.warnings, color, width);
  if (report.next_steps.length > 0) {
    out.push('');
    out.push(color.bold('Next:'));
    for (const step of report.next_steps) say(step, '  - ');
  }
  return `${out.join('\n')}\n`;
}

function serverName(server: ServerJson): string {
  const name =
    server.flavor === null
      ? 'MariaDB or MySQL (unknown: the edit suits both)'
      : `${server.flavor === 'mariadb' ? 'MariaDB' : 'MySQL'}${server.version ? ` ${server.version}` : ''}`;
  const from =
    server.known_from === 'nothing'
      ? ''
      : server.known_from === 'server program'
        ? ` (from ${server.program})`
        : ` (from the ${server.known_from === 'flags' ? 'command line' : 'running server'})`;
  return `${name}${from}`;
}

function leftAloneLine(line: LeftAloneJson): string {
  const name = `${line.server.flavor === 'mariadb' ? 'MariaDB' : 'MySQL'}${line.server.version ? ` ${line.server.version}` : ''}`;
  const gets = line.seconds === null ? `"${line.value ?? ''}", which it cannot use` : `${line.seconds} s`;
  return `${name} still gets ${line.setting} ${gets} from ${line.file} line ${line.line} [${line.group}]; to patch it too, run again with ${line.patch_with.join(' ')}.`;
}

function where(occurrence: OccurrenceJson): string {
  return `${occurrence.file} line ${occurrence.line} [${occurrence.group}]`;
}

function seconds(occurrence: OccurrenceJson): string {
  if (occurrence.seconds !== null) return `${occurrence.seconds} s`;
  const why = occurrence.problem?.startsWith('dbcache cannot tell')
    ? 'dbcache cannot tell what the server makes of this'
    : 'the server rejects this';
  return `"${occurrence.value ?? ''}" (${why})`;
}

function describeOccurrence(occurrence: OccurrenceJson): string {
  return `${seconds(occurrence)}  ${where(occurrence)}: ${occurrence.raw_name} = ${occurrence.value ?? ''}`;
}

function notSet(partial = false): string {
  if (partial) return 'not set in any file dbcache could read (see the warning below)';
  return `not set in any file: the server's default, ${DEFAULT_TIMEOUT} s (${formatDuration(DEFAULT_TIMEOUT)})`;
}

function settingLine(setting: SettingJson, color: ChalkInstance, width: number): string {
  const name = `${color.bold(setting.name.padEnd(20))} `;
  if (setting.action === 'unchanged') {
    return wrapProse(
      `${color.bold(`${setting.requested} s`)}: already set at ${where(setting.result)}`,
      width,
      name,
    );
  }
  const before = setting.current
    ? `${seconds(setting.current)} (${where(setting.current)})`
    : `${DEFAULT_TIMEOUT} s (no file sets it)`;
  const what =
    setting.action === 'set'
      ? `changed in place at ${where(setting.result)}`
      : setting.action === 'insert'
        ? `added at ${where(setting.result)}`
        : `added in a new [mysqld] group at ${setting.result.file} line ${setting.result.line}`;
  return wrapProse(`${before} -> ${color.bold(`${setting.requested} s`)}: ${what}`, width, name);
}

/**
 * Colors around the diff's lines, which stay as they are (byte strings): the escape codes are
 * ASCII, so coloring never changes a byte of the file's text (and without a terminal there are
 * no colors, so the diff applies with `patch`).
 */
function colorDiff(diff: string, color: ChalkInstance): string {
  return diff
    .replace(/\n$/, '')
    .split('\n')
    .map((line) =>
      line.startsWith('+++') || line.startsWith('---')
        ? color.bold(line)
        : line.startsWith('+')
          ? color.green(line)
          : line.startsWith('-')
            ? color.red(line)
            : line.startsWith('@@')
              ? color.cyan(line)
              : line,
    )
    .join('\n');
}

function runningLine(running: NonNullable<ListReport['running_server']>): string {
  if (!running.local)
    return `The server dbcache connects to (${running.address}) is not on this machine${running.elsewhere ? ` (${running.elsewhere})` : ''}: it reads other files.`;
  if (running.error !== null) return `Could not ask the local server (${running.address}): ${running.error}`;
  const reads =
    running.reads_these_files === true
      ? 'it reads these files'
      : running.reads_these_files === false
        ? `it does NOT seem to read these files (its settings came from ${running.config_files?.join(', ') || 'no option file'})`
        : running.reads_these_files_why !== null
          ? `dbcache cannot tell whether it reads these files: ${running.reads_these_files_why}`
          : 'it does not say which files it read';
  const started = running.started_with?.length ? `, started with ${running.started_with.join(' ')},` : '';
  return `The running server (${running.flavor} ${running.version} at ${running.address})${started} has wait_timeout ${running.wait_timeout} s and interactive_timeout ${running.interactive_timeout} s now; ${reads}.`;
}

function pushWarnings(out: string[], warnings: readonly string[], color: ChalkInstance, width: number): void {
  if (warnings.length === 0) return;
  out.push('');
  for (const warning of warnings) out.push(wrapProse(warning, width, `${color.yellow('warning')} `));
}
