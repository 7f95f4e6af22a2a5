import { formatDuration } from '../../duration.ts';
import type { ManagedService } from '../../server/identity.ts';
import { keepAcrossRestarts, poolsBeforeLowering, readsNoOptionFile } from '../../server/timeout-advice.ts';
import type { ServerWarning } from './apply.ts';
import type { PersistedValues, ServerFacts, TimeoutValues } from './facts.ts';
import { type PlannedStatement, type TimeoutChange, undoAll } from './plan.ts';

export interface TimeoutState extends TimeoutValues {
  /** MySQL 8: what mysqld-auto.cnf holds; null on servers without SET PERSIST. */
  persisted: PersistedValues | null;
}

export interface Note {
  code: string;
  message: string;
}

/** The `--json` document (documented in the README; a public interface). */
export interface SetTimeoutReport {
  server: {
    address: string;
    account: string;
    flavor: string;
    version: string;
    managed: ManagedService | null;
  };
  requested: { seconds: number; interactive: boolean; persist: boolean };
  dry_run: boolean;
  /** The statements that ran (or, with --dry-run, would run), in order. */
  statements: string[];
  /** The statements that put the server back as it was before. */
  undo: string[];
  before: TimeoutState;
  /** Read back after the change; null for a dry run, or when reading back failed (see the notes). */
  after: TimeoutState | null;
  /** True when a global or persisted value is now different from before. */
  changed: boolean;
  /** True when every variable set now holds the requested value (always false for a dry run). */
  verified: boolean;
  /** The session values of dbcache's own connection, opened before the change: what open connections keep. */
  this_connection: TimeoutValues | null;
  /** The session values of a connection opened after the change: what new connections get. */
  new_connection: TimeoutValues | null;
  warnings: ServerWarning[];
  notes: Note[];
}

export interface Outcome {
  warnings: ServerWarning[];
  /** Null when the statements were accepted but reading back failed (readBackError says why). */
  after: TimeoutState | null;
  thisConnection: TimeoutValues | null;
  newConnection: TimeoutValues | null;
  /** Why the check with a new connection could not run, if it could not. */
  newConnectionError: string | null;
  /** Why the values could not be read back after the change; null when they were. */
  readBackError: string | null;
  /** True when reading back failed because the connection was lost. */
  readBackLost: boolean;
}

export function buildReport(
  facts: ServerFacts,
  connection: { address: string },
  change: TimeoutChange,
  planned: readonly PlannedStatement[],
  outcome: Outcome | null,
): SetTimeoutReport {
  const before: TimeoutState = { ...facts.global, persisted: facts.persisted };
  const after = outcome?.after ?? null;
  const targets = planned.map((statement) => statement.variable);
  // Not read back: the server accepted the statements, so count as changed what they changed.
  const changed =
    outcome !== null && after === null
      ? targets.some((name) => before[name] !== change.seconds)
      : after !== null &&
        targets.some(
          (name) =>
            after[name] !== before[name] ||
            (change.persist && after.persisted?.[name] !== before.persisted?.[name]),
        );
  const report: SetTimeoutReport = {
    server: {
      address: connection.address,
      account: facts.account,
      flavor: facts.identity.flavor,
      version: facts.identity.version,
      managed: facts.identity.managed,
    },
    requested: { ...change },
    dry_run: outcome === null,
    statements: planned.map((statement) => statement.sql),
    undo: undoAll(planned),
    before,
    after,
    changed,
    verified: after !== null && targets.every((name) => after[name] === change.seconds),
    this_connection: outcome?.thisConnection ?? null,
    new_connection: outcome?.newConnection ?? null,
    warnings: outcome?.warnings ?? [],
    notes: [],
  };
  report.notes = notesFor(report, facts, outcome);
  return report;
}

/** What the change does and does not do, in the user's words; most important first. */
function notesFor(report: SetTimeoutReport, facts: ServerFacts, outcome: Outcome | null): Note[] {
  const notes: Note[] = [];
  const add = (code: string, message: string) => notes.push({ code, message });
  const { seconds, interactive, persist } = report.requested;
  const { before, after } = report;
  const dry = report.dry_run;

  if (outcome?.readBackError) {
    add(
      'not-read-back',
      `The change was sent and the server accepted it, but it could not be read back (${outcome.readBackError}), so dbcache cannot confirm what the server holds now. Check with SELECT @@GLOBAL.wait_timeout, @@GLOBAL.interactive_timeout; the statements below undo the change.`,
    );
  }
  if (after && !report.verified) {
    const got =
      report.statements.length > 1
        ? `${after.wait_timeout} s / ${after.interactive_timeout} s`
        : `${after.wait_timeout} s`;
    add(
      'not-verified',
      `The server accepted the change but reads back ${got}, not ${seconds} s: see the server's warnings above, or another session changed it at the same moment.`,
    );
  }
  if (facts.identity.managed && dry) {
    const { provider, settingsLiveIn } = facts.identity.managed;
    add(
      'managed-service',
      `This looks like ${provider}, which refuses SET GLOBAL for users: the setting lives in ${settingsLiveIn}.`,
    );
  }
  // Lowering breaks pools that keep connections longer: said before the rest, and before the run.
  if (seconds < before.wait_timeout && (dry || report.changed)) {
    add('lowered-pools-first', poolsBeforeLowering(seconds, before.wait_timeout, !dry));
  }
  if (before.wait_timeout === seconds && (!interactive || before.interactive_timeout === seconds)) {
    add(
      'already-set',
      `wait_timeout ${interactive ? 'and interactive_timeout were' : 'was'} already ${seconds} s.`,
    );
  }
  const own = report.this_connection;
  add(
    'open-connections-keep-old-value',
    `Connections that are already open keep the session value they started with${own ? ` (dbcache's own connection still has ${own.wait_timeout} s)` : ''}; only new connections ${dry ? 'would get' : 'get'} ${seconds} s. Pools pick it up as they replace their connections; restart them to apply it at once.`,
  );
  if (outcome?.newConnection && outcome.newConnection.wait_timeout !== seconds && report.verified) {
    add(
      'new-connection-differs',
      `A connection opened after the change got wait_timeout ${outcome.newConnection.wait_timeout} s, not ${seconds} s: something changes it at login (init_connect, a proxy, or the account's settings). Pools get that session value.`,
    );
  } else if (outcome?.newConnectionError) {
    add(
      'new-connection-unchecked',
      `Could not open a second connection to check what new connections get: ${outcome.newConnectionError}`,
    );
  }
  if (!interactive) {
    add(
      'interactive-unchanged',
      `interactive_timeout stays ${before.interactive_timeout} s: interactive clients such as the mysql shell get that as their wait_timeout. Add --interactive to set it to ${seconds} s too.`,
    );
  }
  if (persist) {
    const off = facts.persistedGlobalsLoad === false;
    add(
      'persisted',
      `SET PERSIST ${dry ? 'would also write' : 'also wrote'} ${interactive ? 'the values' : 'the value'} to mysqld-auto.cnf in the data directory, so the server ${dry ? 'would keep' : 'keeps'} it after a restart${off ? ', except that this server runs with persisted_globals_load=OFF and ignores that file at startup' : ''}. RESET PERSIST ${interactive ? 'wait_timeout, interactive_timeout' : 'wait_timeout'} removes it again.`,
    );
  } else {
    add(
      'not-persisted',
      `This lasts until the server restarts: it then ${readsNoOptionFile(facts) ? 'starts with the value on its command line, or the default 28800 s' : 'takes wait_timeout from its option files again'}. Keep it across restarts with ${keepAcrossRestarts(seconds, facts)}.`,
    );
  }
  add(
    'pool-settings',
    `Application pools must retire idle connections a little before ${seconds} s (${formatDuration(seconds)}): dbcache generate <framework> derives their settings.`,
  );
  return notes;
}
