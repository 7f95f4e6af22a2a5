import type { Connection, QueryValues } from 'mysql2/promise';
import type { ServerTarget } from '../../src/connection/target.ts';

/** Sees each statement before it is sent, on the connection it is sent on, and returns what to send instead. */
export type Interceptor = (sql: string, connection: Connection) => Promise<string>;

/**
 * A seam for failures no honest request provokes at the right moment (a statement refused
 * halfway through a change, a connection killed between two statements): the server still
 * answers everything, but chosen statements reach it rewritten, or after an admin has acted.
 * Only `query` is intercepted, the method commands use to send statements.
 */
export function interceptedTarget(
  target: ServerTarget,
  intercept: Interceptor,
): ServerTarget & { connects(): number } {
  let connects = 0;
  return {
    ...target,
    connects: () => connects,
    async connect(signal?: AbortSignal) {
      connects++;
      const connection = await target.connect(signal);
      return new Proxy(connection, {
        get(real, property) {
          if (property === 'query') {
            return async (sql: string, values?: QueryValues) =>
              real.query(await intercept(sql, real), values);
          }
          const value = Reflect.get(real, property, real);
          return typeof value === 'function' ? value.bind(real) : value;
        },
      });
    },
  };
}
