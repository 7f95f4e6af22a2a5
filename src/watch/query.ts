import type { ServerIdentity } from '../server/identity.ts';
import type { Filters } from './report.ts';

/** Where the connection list comes from. */
export type ProcesslistSource = 'performance_schema.processlist' | 'information_schema.PROCESSLIST';

/**
 * MySQL 8.0.22 added performance_schema.processlist, which reads without the global mutex that
 * information_schema.PROCESSLIST takes; it is empty when performance_schema is off. MariaDB and
 * older MySQL only have information_schema.PROCESSLIST (same columns).
 */
export function chooseSource(
  identity: ServerIdentity,
  performanceSchema: string | undefined,
): ProcesslistSource {
  const patch = Number(/^\d+\.\d+\.(\d+)/.exec(identity.version)?.[1] ?? 0);
  const recentMysql =
    identity.flavor !== 'MariaDB' &&
    (identity.major > 8 || (identity.major === 8 && (identity.minor > 0 || patch >= 22)));
  return recentMysql && /^(on|1)$/i.test(performanceSchema ?? '')
    ? 'performance_schema.processlist'
    : 'information_schema.PROCESSLIST';
}

interface Statement {
  sql: string;
  params: string[];
}

/**
 * The one query per tick for the connection list. Filtering happens on the server, so a busy
 * server sends only the matching rows. The watcher's own connection, the event scheduler and
 * replication threads are not clients and are left out. In filter values `%` matches any run
 * of characters (as in account host names); everything else matches literally.
 */
export function processlistStatement(source: ProcesslistSource, filters: Filters): Statement {
  const where = ['ID <> CONNECTION_ID()', "COMMAND <> 'Daemon'", "(USER IS NULL OR USER <> 'system user')"];
  const params: string[] = [];
  // One parenthesised OR per filter kind: several --filter-user values widen, different kinds narrow.
  const anyOf = (values: string[], clauses: (pattern: string) => Array<[string, string]>) => {
    if (values.length === 0) return;
    const parts = values.flatMap((value) => clauses(likePattern(value)));
    where.push(`(${parts.map(([sql]) => sql).join(' OR ')})`);
    params.push(...parts.map(([, param]) => param));
  };
  anyOf(filters.user, (pattern) => [["USER LIKE ? ESCAPE '!'", pattern]]);
  anyOf(filters.db, (pattern) => [["DB LIKE ? ESCAPE '!'", pattern]]);
  // HOST carries the client's port over TCP ("10.0.0.5:51234"): match the address with or without it.
  anyOf(filters.host, (pattern) => [
    ["HOST LIKE ? ESCAPE '!'", pattern],
    ["HOST LIKE ? ESCAPE '!'", `${pattern}:%`],
  ]);
  return {
    sql: `SELECT ID AS id, USER AS user, HOST AS host, DB AS db, COMMAND AS command, TIME AS time, STATE AS state FROM ${source} WHERE ${where.join(' AND ')}`,
    params,
  };
}

/** `%` stays a wildcard; `_` and the escape character match themselves. */
export function likePattern(value: string): string {
  return value.replace(/[!_]/g, (char) => `!${char}`);
}
