import type { ChalkInstance } from 'chalk';
import { wrapProse } from '../../output/prose.ts';
import { keyValueTable } from '../../output/table.ts';
import type { TimeoutVariable } from './facts.ts';
import type { SetTimeoutReport, TimeoutState } from './report.ts';

const seconds = (value: number | null | undefined): string =>
  value === null || value === undefined ? '-' : `${value} s`;

const NOT_READ = 'not read back';

/** The human view of the same model that --json prints. */
export function renderReport(
  report: SetTimeoutReport,
  color: ChalkInstance,
  width = Number.POSITIVE_INFINITY,
): string {
  const out: string[] = [];
  const say = (text: string, lead = '') => out.push(wrapProse(text, width, lead));
  const { server } = report;
  const managed = server.managed ? ` (${server.managed.provider})` : '';
  say(
    `${color.bold(`${server.flavor} ${server.version}${managed}`)} at ${server.address} as ${server.account}`,
  );
  out.push('');
  out.push(
    report.dry_run
      ? color.bold('Dry run: these statements would run; nothing was changed.')
      : color.bold('Ran:'),
  );
  for (const statement of report.statements) out.push(`  ${statement};`);
  out.push('');

  const persisted = report.requested.persist;
  const head = report.dry_run ? ['variable', 'now', 'would be'] : ['variable', 'before', 'after'];
  const rows: Array<[string, string, string]> = [];
  const variables: TimeoutVariable[] = ['wait_timeout', 'interactive_timeout'];
  const targets = new Set<TimeoutVariable>(report.requested.interactive ? variables : ['wait_timeout']);
  // Sent but not read back: the after column says so rather than guess.
  const unknown = !report.dry_run && report.after === null;
  for (const name of variables) {
    const next = report.after
      ? report.after[name]
      : targets.has(name)
        ? report.requested.seconds
        : report.before[name];
    rows.push([
      name,
      seconds(report.before[name]),
      unknown ? NOT_READ : highlight(color, seconds(next), report.before[name] !== next),
    ]);
  }
  if (persisted) {
    for (const name of variables) {
      const next = unknown
        ? NOT_READ
        : report.after
          ? persistedValue(report.after, name)
          : targets.has(name)
            ? seconds(report.requested.seconds)
            : persistedValue(report.before, name);
      rows.push([`${name} (persisted)`, persistedValue(report.before, name), next]);
    }
  }
  out.push(keyValueTable(rows, head));
  if (report.new_connection) {
    say(
      `A connection opened after the change gets wait_timeout ${report.new_connection.wait_timeout} s (checked with a new, non-interactive connection).`,
    );
  }
  if (report.warnings.length > 0) {
    out.push('');
    out.push(color.yellow.bold('The server warned:'));
    for (const warning of report.warnings) {
      say(
        `${warning.message} (after ${warning.statement})`,
        `  ${color.yellow(`${warning.level} ${warning.code}`)}: `,
      );
    }
  }
  out.push('');
  for (const note of report.notes) {
    const important =
      note.code === 'lowered-pools-first' ||
      note.code === 'not-verified' ||
      note.code === 'not-read-back' ||
      note.code === 'new-connection-differs' ||
      note.code === 'managed-service';
    say(note.message, `${important ? color.yellow('warning') : color.cyan('note')} `);
  }
  out.push('');
  say(`${report.dry_run ? 'To undo it afterwards' : 'To undo'}: ${report.undo.join('; ')};`);
  return `${out.join('\n')}\n`;
}

const persistedValue = (state: TimeoutState, name: TimeoutVariable): string =>
  state.persisted === null
    ? '-'
    : state.persisted[name] === null
      ? 'not persisted'
      : seconds(state.persisted[name]);

const highlight = (color: ChalkInstance, text: string, changed: boolean): string =>
  changed ? color.bold(text) : text;
