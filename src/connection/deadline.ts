import type { Connection } from 'mysql2/promise';
import { describeStop } from '../interrupt.ts';
import { UserError } from '../output/errors.ts';
import { ExitCode } from '../output/exit-codes.ts';

/** How long each statement may wait for its answer, and what else may end the wait. */
export interface StatementBounds {
  /** The server as messages name it ("db1:3306"). */
  address: string;
  /** --statement-timeout, in seconds. */
  timeoutSeconds: number;
  /** Gives up the statement in flight (Ctrl-C, SIGTERM, a watch that stops). */
  signal?: AbortSignal;
  /** Marks the wait as work that handles interrupts (see Interrupts.handle). */
  handle?: <T>(work: () => Promise<T>) => Promise<T>;
}

/** A statement in words for a message: one line, not the whole of a long query. */
export function statementText(sql: string): string {
  const line = sql.replace(/\s+/g, ' ').trim();
  return line.length > 100 ? `${line.slice(0, 97)}...` : line;
}

/**
 * The server did not answer a statement within --statement-timeout: the connection was destroyed
 * (its socket closed), so the statement may or may not have run. Counts as a lost connection
 * (`fatal`, mysql2's own code for a query that timed out), so callers that undo or reconnect after
 * a lost connection do so here too.
 */
export class StatementTimeout extends UserError {
  readonly code = 'PROTOCOL_SEQUENCE_TIMEOUT';
  readonly fatal = true;
  constructor(
    readonly address: string,
    readonly statement: string,
    readonly seconds: number,
  ) {
    super(
      `The server at ${address} did not answer ${statementText(statement)} within ${seconds} s (--statement-timeout), so dbcache gave up and closed the connection. The server may be overloaded or stopped, or something in between (a proxy, a firewall) stopped passing traffic.`,
      ExitCode.connection,
    );
    this.name = 'StatementTimeout';
  }

  /** For a sentence that already names the server: "no answer within 2 s". */
  get shortReason(): string {
    return `the server did not answer within ${this.seconds} s`;
  }
}

/** A statement given up by Ctrl-C or SIGTERM: its connection was destroyed. Exit 130. */
export class StatementInterrupted extends UserError {
  readonly code = 'DBCACHE_INTERRUPTED';
  readonly fatal = true;
  constructor(
    readonly address: string,
    readonly statement: string,
    signal: AbortSignal,
  ) {
    super(
      `Interrupted (${describeStop(signal)}) while waiting for the server at ${address} to answer ${statementText(statement)}.`,
      ExitCode.interrupted,
    );
    this.name = 'StatementInterrupted';
  }
}

type Method = 'query' | 'execute';

/**
 * The connection with a deadline on every statement (`query`, `execute`) and on `end`: when the
 * server does not answer in time, or the signal aborts, the socket is destroyed (nothing keeps the
 * process up) and the statement rejects with StatementTimeout or StatementInterrupted. Every later
 * statement on it rejects with the same error without being sent.
 */
export function withDeadlines(connection: Connection, bounds: StatementBounds): Connection {
  let gone: Error | undefined;
  const handle = bounds.handle ?? (<T>(work: () => Promise<T>) => work());

  const bounded = (method: Method, args: unknown[]): Promise<unknown> => {
    const first = args[0];
    const text = typeof first === 'string' ? first : String((first as { sql?: string })?.sql ?? '');
    // The statement as sent, values in place, so a message names exactly what got no answer.
    const sql = Array.isArray(args[1]) ? connection.format(text, args[1]) : text;
    if (gone) return Promise.reject(gone);
    const { signal } = bounds;
    if (signal?.aborted) {
      gone = new StatementInterrupted(bounds.address, sql, signal);
      connection.destroy();
      return Promise.reject(gone);
    }
    return handle(
      () =>
        new Promise<unknown>((resolve, reject) => {
          const giveUp = (err: Error) => {
            cleanup();
            gone = err;
            connection.destroy();
            reject(err);
          };
          const onAbort = () => giveUp(new StatementInterrupted(bounds.address, sql, signal as AbortSignal));
          const timer = setTimeout(
            () => giveUp(new StatementTimeout(bounds.address, sql, bounds.timeoutSeconds)),
            bounds.timeoutSeconds * 1000,
          );
          const cleanup = () => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
          };
          signal?.addEventListener('abort', onAbort, { once: true });
          const call = connection[method] as (...params: unknown[]) => Promise<unknown>;
          call.apply(connection, args).then(
            (value) => {
              if (gone) return;
              cleanup();
              resolve(value);
            },
            (err: unknown) => {
              if (gone) return;
              cleanup();
              reject(err);
            },
          );
        }),
    );
  };

  /** COM_QUIT waits for the server to close: bounded too, then the socket is destroyed. */
  const end = async (): Promise<void> => {
    if (gone) {
      connection.destroy();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, bounds.timeoutSeconds * 1000);
    });
    try {
      await Promise.race([connection.end().catch(() => undefined), late]);
    } finally {
      clearTimeout(timer);
      connection.destroy();
    }
  };

  return new Proxy(connection, {
    get(real, property) {
      if (property === 'query' || property === 'execute') {
        return (...args: unknown[]) => bounded(property, args);
      }
      if (property === 'end') return end;
      const value = Reflect.get(real, property, real);
      return typeof value === 'function' ? value.bind(real) : value;
    },
  });
}
