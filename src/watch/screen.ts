import type { ChalkInstance } from 'chalk';
import type { Output } from '../io.ts';
import { printable } from '../output/printable.ts';
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
import { cell, fitWidth, padEnd, padStart, printableDeep, rate, sparkline, visibleLength } from './text.ts';
import type { WatchView } from './view.ts';

export interface ScreenSize {
  rows: number;
  columns: number;
}

interface ScreenState {
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
  const { columns } = size;
  const lines: string[] = [];
  const time = tick ? new Date(tick.at).toTimeString().slice(0, 8) : '';
  // Laid out in pieces that wrap whole: a narrow terminal gets more lines, never a cut tick
  // counter or clock (the cue that the watch is alive). Where it all fits, one line as ever.
  lines.push(
    ...flow(
      [
        color.bold('dbcache watch-connections'),
        ` · ${header.server}`,
        ` at ${header.address}`,
        ` as ${header.user}`,
        ` · every ${describeInterval(header.intervalMs)}`,
        // One piece: the counter and the clock stay together.
        ...(tick ? [` · tick ${tick.tick} · ${time}`] : []),
      ],
      columns,
    ),
  );
  lines.push(
    ...flow(
      [
        describeFilters(header.filters),
        ` · from ${tick?.source ?? header.source}`,
        ` · wait_timeout ${tick ? `${tick.wait_timeout} s` : '?'}`,
        ` · this watcher is connection ${tick?.watcher_connection_id ?? header.watcherId} (not listed)`,
      ],
      columns,
    ).map((line) => color.dim(line)),
  );
  for (const note of header.notes) lines.push(...wrapWords(note, columns).map((line) => color.yellow(line)));
  if (notice) lines.push(...wrapWords(notice, columns).map((line) => color.yellow(line)));
  else if (tick?.gap) lines.push(...wrapWords(gapText(tick.gap), columns).map((line) => color.yellow(line)));
  lines.push('');
  if (!tick) {
    lines.push('Reading the connection list…');
    return finish(lines, size);
  }

  lines.push(
    ...flow(
      countersText(tick)
        .split(', ')
        .map((part, index) => (index ? ` · ${part}` : part)),
      columns,
    ),
  );
  const verdictWords =
    tick.verdict === 'unknown' && tick.other_users_hidden && tick.tick > 1 ? ' (other users hidden)' : '';
  lines.push(
    ...flow(
      [
        `new per tick ${color.cyan(sparkline(tick.recent_new_per_tick))}`,
        ` · ${tick.unique_ids} unique ids`,
        ` · verdict ${paintVerdict(color, tick.verdict)}${verdictWords}`,
        ...(tick.short_lived ? [` · ${color.red(`${tick.short_lived} too short-lived to list`)}`] : []),
      ],
      columns,
    ),
  );
  lines.push('');

  const footer = color.dim('Ctrl-C stops and prints a summary.');
  if (tick.clients.length) {
    // The connection table keeps at least its title, one row, a "more" line and the footer.
    const clientRoom = Math.max(1, size.rows - 1 - lines.length - 2 - 1 - 4);
    lines.push(...clientTable(tick, columns, Math.min(MAX_CLIENT_ROWS, clientRoom), color));
    lines.push('');
  }

  const room = Math.max(3, size.rows - 1 - lines.length - 2);
  lines.push(...connectionTable(tick, room, columns, color));
  lines.push(footer);
  return finish(lines, size);
}

/**
 * Pieces joined into lines of at most `columns`: a piece that does not fit starts the next line,
 * without its leading separator (" · ", " "). Only a piece wider than the screen is cut.
 */
function flow(pieces: string[], columns: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const piece of pieces) {
    if (line && visibleLength(line + piece) > columns) {
      lines.push(line);
      line = piece.replace(/^( · | )/, '');
    } else line += piece;
  }
  if (line) lines.push(line);
  return lines.map((text) => fitWidth(text, columns));
}

/** Prose wrapped at spaces to the screen's width. */
function wrapWords(text: string, columns: number): string[] {
  return flow(
    text.split(' ').map((word, index) => (index ? ` ${word}` : word)),
    columns,
  );
}

function clientTable(tick: TickReport, columns: number, rows: number, color: ChalkInstance): string[] {
  // Idle closes get their own column while any client has one: the event the watch exists to show.
  const closedColumn = tick.clients.some((client) => client.closed_by_wait_timeout > 0);
  const fixed = 50 + (closedColumn ? 11 : 0);
  const clientWidth = Math.max(
    6,
    Math.min(40, columns - fixed, Math.max(6, ...tick.clients.map((client) => visibleLength(client.client)))),
  );
  const lines = [
    color.dim(
      `${padEnd('client', clientWidth)}  ${padEnd('verdict', 8)}  ${padStart('now', 5)}  ${padStart('new', 5)}  ${padStart('gone', 5)}  ${padStart('recycled', 8)}  ${padStart('new/s', 7)}${closedColumn ? `  ${padStart('timed out', 9)}` : ''}`,
    ),
  ];
  const shown = Math.min(rows, tick.clients.length);
  for (const client of tick.clients.slice(0, shown)) {
    const closed = closedColumn
      ? `  ${padStart(client.closed_by_wait_timeout ? color.yellow(String(client.closed_by_wait_timeout)) : '0', 9)}`
      : '';
    lines.push(
      `${cell(client.client, clientWidth)}  ${padEnd(paintVerdict(color, client.verdict), 8)}  ${padStart(String(client.connections), 5)}  ` +
        `${padStart(String(client.new), 5)}  ${padStart(String(client.gone), 5)}  ${padStart(String(client.recycled), 8)}  ${padStart(rate(client.new_per_second), 7)}${closed}`,
    );
  }
  if (tick.clients.length > shown) lines.push(color.dim(`… ${tick.clients.length - shown} more clients`));
  return lines;
}

function finish(lines: string[], size: ScreenSize): string[] {
  return lines.slice(0, Math.max(1, size.rows - 1)).map((line) => fitWidth(line, size.columns));
}

type Row = { kind: 'new' | 'kept'; view: ConnectionView } | { kind: 'gone'; view: GoneView };

function connectionTable(tick: TickReport, room: number, columns: number, color: ChalkInstance): string[] {
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
  const text = {
    user: width((row) => row.view.user, 'user', 16),
    host: width((row) => row.view.host, 'host', 24),
    db: width((row) => (row.kind === 'gone' ? '' : (row.view.db ?? '')), 'db', 16),
  };
  // Narrower than the table: the widest text column gives up a column at a time (cut with …),
  // so that the idle times at the right end stay on the screen.
  const fixedWidth = 2 + idWidth + 2 + 2 + 2 + 2 + 10 + 2 + 7 + 2 + 7;
  while (fixedWidth + text.user + text.host + text.db > columns) {
    const widest = (['host', 'db', 'user'] as const).reduce((a, b) => (text[b] > text[a] ? b : a));
    if (text[widest] <= 4) break;
    text[widest] -= 1;
  }
  const { user: userWidth, host: hostWidth, db: dbWidth } = text;

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
/** Cursor home, then clear the whole screen (the scrollback stays). */
const CLEAR_SCREEN = '\u001b[H\u001b[2J';

/** A terminal's stdout: its size, and 'resize' when the terminal changes it (Node emits it on SIGWINCH). */
export type Terminal = Output & {
  rows?: number;
  columns?: number;
  on?(event: 'resize', listener: () => void): unknown;
  off?(event: 'resize', listener: () => void): unknown;
};

/**
 * The terminal view: redraws one frame in place (cursor up over the previous frame, each line
 * cleared to its end), so the screen never becomes a scrolling wall. A resize clears the screen
 * and draws afresh: the terminal has reflowed the old frame, so moving up over it would leave
 * pieces of it above. The summary is printed below the last frame.
 */
export function screenView(out: Terminal, color: ChalkInstance): WatchView {
  const state: ScreenState = { header: undefined as unknown as WatchHeader, tick: null, notice: null };
  let height = 0;
  let open = false;
  const size = (): ScreenSize => ({ rows: out.rows || 24, columns: out.columns || 80 });
  const draw = (clear = false) => {
    const frame = renderFrame(state, size(), color);
    const up = clear ? CLEAR_SCREEN : height > 0 ? `\u001b[${height}A\r` : '';
    out.write(`${up}${frame.map((line) => `${line}${CLEAR_LINE}\n`).join('')}${CLEAR_BELOW}`);
    height = frame.length;
  };
  const onResize = () => {
    if (open) draw(true);
  };
  const view: WatchView = {
    start(header) {
      state.header = header;
      open = true;
      out.on?.('resize', onResize);
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
      out.off?.('resize', onResize);
      out.write(SHOW_CURSOR);
    },
  };
  return view;
}
