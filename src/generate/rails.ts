import {
  type GenerateContext,
  type Generated,
  type Target,
  targetVersion,
  versionAtLeast,
  writtenFor,
} from './context.ts';
import { idleTimeoutFor } from './rule.ts';
import { comment, header, quote } from './text.ts';

/**
 * Rails' reaper runs every reaping_frequency seconds (60 by default before 8.1), so the idle
 * timeout leaves one period of room; the period is set explicitly, to a third of the budget.
 */
/** The newest release line: max_connections, max_age and keepalive are new in 8.1. */
const CURRENT = '8.1';

function railsSettings(context: GenerateContext) {
  const { rule } = context;
  const version = targetVersion(context, CURRENT);
  const modern = versionAtLeast(version, 8, 1);
  // The pool's size, under the key this Rails reads (8.1 renamed pool to max_connections).
  const size = modern ? { max_connections: context.poolSize ?? 5 } : { pool: context.poolSize ?? 5 };
  // Before 7.1 a connection the server closed stays dead unless the mysql2 client reconnects by
  // itself: a connection held outside the pool (a job, a script, the console) never recovers.
  const reconnect = versionAtLeast(version, 7, 1) === false ? true : null;
  if (rule.mode === 'tiny') {
    return {
      ...size,
      idle_timeout: 1,
      reaping_frequency: 1,
      wait_timeout: null,
      max_age: null,
      keepalive: null,
      reconnect,
    };
  }
  const reaping = Math.max(1, Math.min(20, Math.floor(rule.budget / 3)));
  return {
    ...size,
    idle_timeout: idleTimeoutFor(rule.budget, reaping),
    reaping_frequency: reaping,
    // Rails otherwise sets the session wait_timeout to 2147483 s on every connection.
    wait_timeout: rule.timeout,
    max_age: modern ? rule.lifetime : null,
    keepalive: modern ? rule.keepalive : null,
    reconnect,
  };
}

/** Where the password's ERB tag goes, filled in after everything else is escaped. */
const PASSWORD_SLOT = '\u0000password\u0000';

export const railsTarget: Target = {
  name: 'rails',
  summary:
    'Rails config/database.yml (mysql2 or trilogy adapter): idle_timeout, reaping_frequency, wait_timeout; max_age and keepalive on 8.1+',
  language: 'yaml',
  fileName: 'database.yml',
  generate(context: GenerateContext): Generated {
    const settings = railsSettings(context);
    const { rule, connection } = context;
    const { transport, ssl } = connection;
    const version = targetVersion(context, CURRENT);
    const modern = versionAtLeast(version, 8, 1);
    const uses =
      rule.mode === 'tiny'
        ? [
            'idle_timeout 1 and reaping_frequency 1: idle connections are dropped within about 2 s.',
            'No wait_timeout key: Rails then raises the session wait_timeout to 2147483 s on every connection, so the server does not close them; with a server timeout this short that is the better choice.',
          ]
        : [
            `idle_timeout = ${settings.idle_timeout} s with reaping_frequency = ${settings.reaping_frequency} s: the reaper may act one period late, so the two add up to the budget.`,
            `wait_timeout: ${rule.timeout} keeps the server's limit: without it Rails sets the session wait_timeout to 2147483 s on every connection and the server never closes an abandoned one.`,
            ...(modern
              ? [
                  `max_age = ${settings.max_age} s and keepalive = ${settings.keepalive} s (Rails 8.1+): retire by age, and ping idle connections.`,
                ]
              : []),
          ];
    uses.unshift(writtenFor('Rails', context, CURRENT, '6.1'));
    if (settings.reconnect)
      uses.push(
        `reconnect: true (Rails before 7.1): a connection held outside the pool (a job, a script, the console) that the server closed for idling is reopened by the mysql2 client on its next query; without it every later query fails with "MySQL client is not connected".`,
      );
    const lines = comment('# ', [
      ...header('rails', context, {
        uses,
        traps: [
          'Rails 7.1+ reconnects and retries idempotent queries after a lost connection by itself (connection_retries), and verifies a connection on first use after checkout; there reconnect: true is deprecated. Before 7.1 Rails verifies only at checkout, so a held connection needs reconnect: true.',
          'The pool reaps only connections returned to it: a connection held for a whole job is closed by the server when the job idles past wait_timeout.',
        ],
      }),
    ]);
    const entry: string[] = [
      'production:',
      '  adapter: mysql2 # trilogy takes the same keys',
      '  encoding: utf8mb4',
    ];
    if (transport.kind === 'socket') entry.push(`  socket: ${quote(transport.path)}`);
    else entry.push(`  host: ${quote(transport.host)}`, `  port: ${transport.port}`);
    entry.push(`  username: ${quote(connection.user)}`);
    entry.push(`  password: ${PASSWORD_SLOT}`);
    entry.push(
      connection.database !== undefined
        ? `  database: ${quote(connection.database)}`
        : '  database: "" # no database was given: put its name here',
    );
    if (ssl.mode !== 'DISABLED' && ssl.mode !== 'PREFERRED') {
      entry.push(`  ssl_mode: ${ssl.mode.toLowerCase()}`);
      if (ssl.ca) entry.push(`  sslca: ${quote(ssl.ca)}`);
      if (ssl.cert) entry.push(`  sslcert: ${quote(ssl.cert)}`);
      if (ssl.key) entry.push(`  sslkey: ${quote(ssl.key)}`);
    }
    entry.push(
      'max_connections' in settings
        ? `  max_connections: ${settings.max_connections}`
        : `  pool: ${settings.pool}`,
    );
    entry.push(`  idle_timeout: ${settings.idle_timeout} # seconds`);
    entry.push(`  reaping_frequency: ${settings.reaping_frequency} # seconds`);
    if (settings.wait_timeout !== null)
      entry.push(`  wait_timeout: ${settings.wait_timeout} # the session value Rails sets; see above`);
    if (settings.max_age !== null && settings.keepalive !== null)
      entry.push(`  max_age: ${settings.max_age} # seconds`, `  keepalive: ${settings.keepalive} # seconds`);
    if (settings.reconnect) entry.push('  reconnect: true # Rails before 7.1; see above');
    // Rails runs database.yml through ERB before YAML: every "<%" that dbcache writes (a name, a
    // path, a comment) is escaped as "<%%", which ERB prints as "<%", so only the password lookup
    // is code.
    const code = [...lines, '', ...entry, '']
      .join('\n')
      .replaceAll('<%', '<%%')
      .replace(PASSWORD_SLOT, `<%= ENV.fetch(${quote(context.passwordEnv)}, "") %>`);
    return { settings, code, warnings: [], writtenFor: `Rails ${version.text}` };
  },
};
