import type { ChalkInstance } from 'chalk';
import type { Output } from '../io.ts';
import type { GoneReason } from './diff.ts';
import {
  countersText,
  describeFilters,
  describeInterval,
  gapText,
  lossText,
  paintVerdict,
  retryText,
  summaryLines,
  type WatchHeader,
} from './human.ts';
import type { ConnectionView, GoneView, TickReport } from './report.ts';
import {
  cell,
  fitWidth,
  padEnd,
  padStart,
  printable,
  printableDeep,
  rate,
  sparkline,
  visibleLength,
} from './text.ts';
import type { WatchView } from './view.ts';

export interface ScreenSize {
  rows: number;
  columns: number;
}

export interface ScreenState {
  header: WatchHeader;
  tick: TickReport | null;
  /** A line about the connection while it is being re-established. */
  notice: string | null;
}

const MAX_CLIENT_ROWS = 8;

const GONE_WORDS: Record<GoneReason, string> = {
  closed: 'gone',
  'wait-timeout': 'closed by wait_timeout',
  killed: 'gone (killed)',
  'server-restart': 'gone with the server restart',
};

/**
 * One frame of the terminal view, at most `rows - 1` lines of at most `columns` characters, so
 * that redrawing it in place never scrolls. New ids first, then gone ones, then the rest,
 * closest to wait_timeout first. Pure.
 */
export function renderFrame(state: ScreenState, size: ScreenSize, color: ChalkInstance): string[] {
  // User, host, database and command names are server text: nothing in them may reach the
  // terminal as a control, or the frame's own cursor movements would go astray.
  const header = printableDeep(state.header);
  // The connection lists are made printable row by row, only the rows that fit (connectionTable).
  const tick = state.tick && {
    ...printableDeep({ ...state.tick, connections: [], gone_connections: [] }),
    connections: state.tick.connections,
    gone_connections: state.tick.gone_connections,
  };
  const notice = state.notice && printable(state.notice);
  const lines: string[] = [];
  const time = tick ? new Date(tick.at).toTimeString().slice(0, 8) : '';
  lines.push(
    `${color.bold('dbcache watch-connections')} · ${header.server} at ${header.address} as ${header.user} · every ${describeInterval(header.intervalMs)}` +
      (tick ? ` · tick ${tick.tick} · ${time}` : ''),
  );
  lines.push(
    color.dim(
      `${describeFilters(header.filters)} · from ${tick?.source ?? header.source} · wait_timeout ${tick ? `${tick.wait_timeout} s` : '?'} · ` +
        `this watcher is connection ${tick?.watcher_connection_id ?? header.watcherId} (not listed)`,
    ),
  );
  for (const note of header.notes) lines.push(color.yellow(note));
  if (notice) lines.push(color.yellow(notice));
  else if (tick?.gap) lines.push(color.yellow(gapText(tick.gap)));
  lines.push('');
  if (!tick) {
    lines.push('Reading the connection list…');
    return finish(lines, size);
  }

  lines.push(countersText(tick).replaceAll(', ', ' · '));
  const shortLived = tick.short_lived ? ` · ${color.red(`${tick.short_lived} too short-lived to list`)}` : '';
  lines.push(
    `new per tick ${color.cyan(sparkline(tick.recent_new_per_tick))} · ${tick.unique_ids} unique ids · verdict ${paintVerdict(color, tick.verdict)}${shortLived}`,
  );
  lines.push('');

  if (tick.clients.length) {
    const clientWidth = Math.min(
      40,
      Math.max(6, ...tick.clients.map((client) => visibleLength(client.client))),
    );
    lines.push(
      color.dim(
        `${padEnd('client', clientWidth)}  ${padEnd('verdict', 8)}  ${padStart('now', 5)}  ${padStart('new', 5)}  ${padStart('gone', 5)}  ${padStart('recycled', 8)}  ${padStart('new/s', 7)}`,
      ),
    );
    for (const client of tick.clients.slice(0, MAX_CLIENT_ROWS)) {
      const closed = client.closed_by_wait_timeout
        ? color.yellow(`  ${client.closed_by_wait_timeout} closed by wait_timeout`)
        : '';
      lines.push(
        `${cell(client.client, clientWidth)}  ${padEnd(paintVerdict(color, client.verdict), 8)}  ${padStart(String(client.connections), 5)}  ` +
          `${padStart(String(client.new), 5)}  ${padStart(String(client.gone), 5)}  ${padStart(String(client.recycled), 8)}  ${padStart(rate(client.new_per_second), 7)}${closed}`,
      );
    }
    if (tick.clients.length > MAX_CLIENT_ROWS)
      lines.push(color.dim(`… ${tick.clients.length - MAX_CLIENT_ROWS} more clients`));
    lines.push('');
  }

  const footer = color.dim('Ctrl-C stops and prints a summary.');
  const room = Math.max(3, size.rows - 1 - lines.length - 2);
  lines.push(...connectionTable(tick, room, color));
  lines.push(footer);
  return finish(lines, size);
}

function finish(lines: string[], size: ScreenSize): string[] {
  return lines.slice(0, Math.max(1, size.rows - 1)).map((line) => fitWidth(line, size.columns));
}

type Row = { kind: 'new' | 'kept'; view: ConnectionView } | { kind: 'gone'; view: GoneView };

function connectionTable(tick: TickReport, room: number, color: ChalkInstance): string[] {
  const fresh = tick.connections.filter((row) => row.new);
  const kept = tick.connections
    .filter((row) => !row.new)
    .sort((a, b) => a.idle_left_seconds - b.idle_left_seconds || a.id - b.id);
  const rows: Row[] = [
    ...fresh.map((view) => ({ kind: 'new' as const, view })),
    ...tick.gone_connections.map((view) => ({ kind: 'gone' as const, view })),
    ...kept.map((view) => ({ kind: 'kept' as const, view })),
  ];
  if (rows.length === 0) return [color.dim('No matching connections.')];
  const total = rows.length;
  const shown = rows
    .slice(0, total > room - 1 ? room - 1 : room)
    .map((row) => ({ ...row, view: printableDeep(row.view) }) as Row);

  const width = (pick: (row: Row) => string, title: string, most: number) =>
    Math.min(most, Math.max(title.length, ...shown.map((row) => visibleLength(pick(row)))));
  const idWidth = width((row) => String(row.view.id), 'id', 20);
  const userWidth = width((row) => row.view.user, 'user', 16);
  const hostWidth = width((row) => row.view.host, 'host', 24);
  const dbWidth = width((row) => (row.kind === 'gone' ? '' : (row.view.db ?? '')), 'db', 16);

  const out = [
    color.dim(
      `  ${padStart('id', idWidth)}  ${cell('user', userWidth)}  ${cell('host', hostWidth)}  ${cell('db', dbWidth)}  ${cell('command', 10)}  ${padStart('idle', 7)}  ${padStart('left', 7)}`,
    ),
  ];
  for (const row of shown) {
    const start = `${padStart(String(row.view.id), idWidth)}  ${cell(row.view.user, userWidth)}  ${cell(row.view.host, hostWidth)}  `;
    if (row.kind === 'gone') {
      const words = row.view.recycled
        ? `recycled (lived ${row.view.lived_seconds} s or more)`
        : `${GONE_WORDS[row.view.reason]}${row.view.last_idle_seconds ? ` (was idle ${row.view.last_idle_seconds} s)` : ''}`;
      // A recycled connection is the healthy case: not painted as an alarm.
      const paint = row.view.recycled
        ? color.dim
        : row.view.reason === 'wait-timeout'
          ? color.yellow
          : color.red;
      out.push(paint(`- ${start}${cell('', dbWidth)}  ${words}`));
      continue;
    }
    const { view } = row;
    const line = `${start}${cell(view.db ?? '', dbWidth)}  ${cell(view.command, 10)}  ${padStart(`${view.idle_seconds} s`, 7)}  ${padStart(`${view.idle_left_seconds} s`, 7)}`;
    out.push(row.kind === 'new' ? color.green(`+ ${line}`) : `  ${line}`);
  }
  if (shown.length < total)
    out.push(color.dim(`… ${total - shown.length} more (a taller terminal shows more; --json lists all)`));
  return out;
}

const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';
const CLEAR_LINE = '\u001b[K';
const CLEAR_BELOW = '\u001b[J';

/**
 * The terminal view: redraws one frame in place (cursor up over the previous frame, each line
 * cleared to its end), so the screen never becomes a scrolling wall. The summary is printed
 * below the last frame.
 */
export function screenView(
  out: Output & { rows?: number; columns?: number },
  color: ChalkInstance,
): WatchView {
  const state: ScreenState = { header: undefined as unknown as WatchHeader, tick: null, notice: null };
  let height = 0;
  let open = false;
  const size = (): ScreenSize => ({ rows: out.rows || 24, columns: out.columns || 80 });
  const draw = () => {
    const frame = renderFrame(state, size(), color);
    const up = height > 0 ? `\u001b[${height}A\r` : '';
    out.write(`${up}${frame.map((line) => `${line}${CLEAR_LINE}\n`).join('')}${CLEAR_BELOW}`);
    height = frame.length;
  };
  const view: WatchView = {
    start(header) {
      state.header = header;
      open = true;
      out.write(HIDE_CURSOR);
      draw();
    },
    tick(report) {
      state.tick = report;
      state.notice = null;
      draw();
    },
    disconnected(event) {
      state.notice = lossText(event.reason);
      draw();
    },
    retrying(attempt, reason, nextInMs) {
      state.notice = retryText(attempt, reason, nextInMs);
      draw();
    },
    finish(summary) {
      out.write(`\n${summaryLines(summary, color).join('\n')}\n`);
      view.close();
    },
    close() {
      if (!open) return;
      open = false;
      out.write(SHOW_CURSOR);
    },
  };
  return view;
}
