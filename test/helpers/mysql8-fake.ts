/**
 * A protocol-level stand-in for a MySQL 8 server, built on mysql2's server API, for what no
 * server installable here does: SET PERSIST, RESET PERSIST, performance_schema.persisted_variables
 * and MySQL 8's privilege names. It answers the statements dbcache sends the way MySQL 8.0
 * does (values, errors 1227/1231/1232/1193/3615 with their SQL states, warning 1292 for a
 * clamped value, SHOW WARNINGS) and refuses anything else with a syntax error, so a statement
 * it was not taught fails the test instead of passing silently. It is not a SQL engine.
 */
import { createRequire } from 'node:module';
import type { Server as NetServer } from 'node:net';
import { dirname, join } from 'node:path';
import mysql, { type Connection as BaseConnection } from 'mysql2';

export interface FakeMysql8Options {
  /** The version string: '8.0.36' (Percona: '8.0.36-28'). */
  version?: string;
  versionComment?: string;
  /** 'Linux', or 'Win64' to be a Windows server. */
  compileOs?: string;
  basedir?: string;
  /** Global values at startup (before mysqld-auto.cnf is applied); wait/interactive default to 28800. */
  global?: Record<string, string>;
  /** mysqld-auto.cnf at startup. */
  persisted?: Record<string, string>;
  /** Users that hold SYSTEM_VARIABLES_ADMIN; everyone when not given. */
  privilegedUsers?: string[];
  /** The option files variables_info names as the source of some setting (default /etc/mysql/my.cnf; [] as with --no-defaults). */
  optionFiles?: string[];
  /** Let a user read performance_schema.persisted_variables (default: everyone). */
  canReadPersisted?: (user: string) => boolean;
}

export interface FakeStatement {
  connectionId: number;
  user: string;
  sql: string;
}

export interface FakeMysql8 {
  host: string;
  port: number;
  /** The live global values. */
  global: Map<string, string>;
  /** What mysqld-auto.cnf holds. */
  persisted: Map<string, string>;
  /** Every statement received, in order. */
  statements: FakeStatement[];
  /** The statements that change something (SET, RESET), in order. */
  changes(): FakeStatement[];
  /** A restart: globals go back to the startup values, then mysqld-auto.cnf is applied (persisted_globals_load=ON). */
  restart(): void;
  close(): Promise<void>;
}

const TIMEOUT_MAX = 31_536_000;
/** The variables the fake can set: dbcache's two, with the server's range. */
const SETTABLE = new Set(['wait_timeout', 'interactive_timeout']);
const MYSQL_TYPE_LONGLONG = 8;
const MYSQL_TYPE_VAR_STRING = 253;
const UTF8MB4_0900 = 255;
/** CLIENT_* flags of a MySQL 8 server without TLS, compression, session tracking or DEPRECATE_EOF. */
const CAPABILITIES =
  0x0001 |
  0x0002 |
  0x0004 |
  0x0008 |
  0x0010 |
  0x0040 |
  0x0080 |
  0x0100 |
  0x0200 |
  0x0400 |
  0x1000 |
  0x2000 |
  0x4000 |
  0x8000 |
  0x10000 |
  0x20000 |
  0x40000 |
  0x80000 |
  0x100000 |
  0x200000;

// mysql2's ERR packet writer leaves the SQL state as '_____'; MySQL sends the real one.
const requireFromMysql2 = createRequire(
  join(dirname(createRequire(import.meta.url).resolve('mysql2')), 'index.js'),
);
const Packet = requireFromMysql2('./lib/packets/packet.js') as new (
  sequenceId: number,
  buffer: Buffer,
  start: number,
  end: number,
) => {
  offset: number;
  writeInt8(value: number): void;
  writeInt16(value: number): void;
  writeString(value: string, encoding: string): void;
};

interface ServerSideConnection extends BaseConnection {
  clientHelloReply: { user: string };
  stream: { destroy(): void };
  handlePacket(packet: unknown): void;
  _resetSequenceId(): void;
  writeColumns(columns: ReturnType<typeof column>[]): void;
  writeTextRow(row: Array<string | null>): void;
}

interface SqlError {
  errno: number;
  sqlState: string;
  message: string;
}

interface Warning {
  level: 'Note' | 'Warning';
  code: number;
  message: string;
}

interface Column {
  name: string;
  type?: number;
}

type Answer =
  | { kind: 'ok'; warnings?: Warning[] }
  | { kind: 'rows'; columns: Column[]; rows: Array<Array<string | null>> }
  | { kind: 'error'; error: SqlError };

const accessDenied = (privileges: string): SqlError => ({
  errno: 1227,
  sqlState: '42000',
  message: `Access denied; you need (at least one of) the ${privileges} privilege(s) for this operation`,
});
const syntaxError = (sql: string): SqlError => ({
  errno: 1064,
  sqlState: '42000',
  message: `You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near '${sql.slice(0, 80)}' at line 1`,
});

export async function startMysql8Fake(options: FakeMysql8Options = {}): Promise<FakeMysql8> {
  const startup = new Map<string, string>(
    Object.entries({
      version: options.version ?? '8.0.36',
      version_comment: options.versionComment ?? 'MySQL Community Server - GPL',
      version_compile_os: options.compileOs ?? 'Linux',
      basedir: options.basedir ?? '/usr/',
      hostname: 'fake-mysql8',
      pid_file: '/var/run/mysqld/fake-mysql8.pid',
      max_connections: '151',
      thread_cache_size: '9',
      persisted_globals_load: 'ON',
      wait_timeout: '28800',
      interactive_timeout: '28800',
      ...options.global,
    }),
  );
  const persisted = new Map(Object.entries(options.persisted ?? {}));
  const global = new Map<string, string>();
  const restart = () => {
    global.clear();
    for (const [name, value] of startup) global.set(name, value);
    if (global.get('persisted_globals_load') === 'ON')
      for (const [name, value] of persisted) global.set(name, value);
  };
  restart();

  // The counters check-timeout reads, as a quiet server that has been up an hour has them.
  const status = new Map(
    Object.entries({
      Uptime: '3600',
      Connections: '120',
      Threads_connected: '3',
      Threads_running: '1',
      Threads_created: '4',
      Threads_cached: '1',
      Max_used_connections: '5',
      Aborted_clients: '0',
      Aborted_connects: '0',
    }),
  );
  const statements: FakeStatement[] = [];
  const open = new Set<ServerSideConnection>();
  let nextId = 100;
  const mayChange = (user: string) =>
    options.privilegedUsers === undefined || options.privilegedUsers.includes(user);

  const server = mysql.createServer((base) => {
    const conn = base as ServerSideConnection;
    const connectionId = nextId++;
    open.add(conn);
    conn.on('error', () => undefined);
    // mysql2 writes a result set in several small writes: without this, Nagle's algorithm and
    // the client's delayed ACK add about 40 ms to every statement, which a real server does not.
    (conn.stream as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true);
    conn.on('end', () => open.delete(conn));
    conn.serverHandshake({
      protocolVersion: 10,
      serverVersion: global.get('version'),
      connectionId,
      statusFlags: 2,
      characterSet: UTF8MB4_0900,
      capabilityFlags: CAPABILITIES,
    });
    // The server side never finishes its handshake command, so it would keep counting packet
    // sequence numbers across commands; MySQL starts every command's reply at 1.
    const handlePacket = conn.handlePacket.bind(conn);
    conn.handlePacket = (packet) => {
      handlePacket(packet);
      conn._resetSequenceId();
    };

    // A new session copies the global timeouts (a non-interactive client: mysql2 never sets CLIENT_INTERACTIVE).
    const session = new Map([...SETTABLE].map((name) => [name, global.get(name) ?? '']));
    let warnings: Warning[] = [];

    const answer = (sql: string): Answer => {
      const user = conn.clientHelloReply.user;
      const text = sql.trim().replace(/;$/, '');
      if (/^SHOW WARNINGS$/i.test(text)) {
        return {
          kind: 'rows',
          columns: [{ name: 'Level' }, { name: 'Code', type: MYSQL_TYPE_LONGLONG }, { name: 'Message' }],
          rows: warnings.map((w) => [w.level, String(w.code), w.message]),
        };
      }
      warnings = [];
      let match = /^SHOW (GLOBAL|SESSION) VARIABLES WHERE Variable_name IN \((.*)\)$/i.exec(text);
      if (match) {
        const scope = match[1]?.toUpperCase() === 'GLOBAL' ? global : new Map([...global, ...session]);
        const names = quotedStrings(match[2] ?? '').map((name) => name.toLowerCase());
        return {
          kind: 'rows',
          columns: [{ name: 'Variable_name' }, { name: 'Value' }],
          rows: [...scope].filter(([name]) => names.includes(name)).map(([name, value]) => [name, value]),
        };
      }
      match = /^SHOW GLOBAL STATUS WHERE Variable_name IN \((.*)\)$/i.exec(text);
      if (match) {
        const names = quotedStrings(match[1] ?? '').map((name) => name.toLowerCase());
        return {
          kind: 'rows',
          columns: [{ name: 'Variable_name' }, { name: 'Value' }],
          rows: [...status].filter(([name]) => names.includes(name.toLowerCase())),
        };
      }
      // Where a variable's value came from, and the option files that set some variable (as a
      // packaged server started by its service has them): one statement, as dbcache asks.
      match =
        /^SELECT VARIABLE_NAME AS (\w+), VARIABLE_SOURCE AS (\w+), VARIABLE_PATH AS (\w+) FROM performance_schema\.variables_info WHERE (?:VARIABLE_NAME = '(\w+)' OR )?\(VARIABLE_SOURCE IN \('GLOBAL', 'SERVER', 'EXPLICIT', 'EXTRA', 'USER'\) AND VARIABLE_PATH <> ''\)$/i.exec(
          text,
        );
      if (match) {
        const rows: Array<Array<string | null>> = [];
        const name = match[4]?.toLowerCase();
        if (name !== undefined) {
          const source = persisted.has(name)
            ? 'PERSISTED'
            : global.get(name) !== startup.get(name)
              ? 'DYNAMIC'
              : 'COMPILED';
          rows.push([name, source, '']);
        }
        (options.optionFiles ?? ['/etc/mysql/my.cnf']).forEach((path, index) => {
          rows.push([`setting_${index}`, 'GLOBAL', path]);
        });
        return {
          kind: 'rows',
          columns: [
            { name: match[1] ?? 'name' },
            { name: match[2] ?? 'source' },
            { name: match[3] ?? 'path' },
          ],
          rows,
        };
      }
      match = /^SELECT CURRENT_USER\(\)(?: AS (\w+))?$/i.exec(text);
      if (match)
        return { kind: 'rows', columns: [{ name: match[1] ?? 'CURRENT_USER()' }], rows: [[`${user}@%`]] };
      if (/^SELECT @@/i.test(text)) {
        const columns: Column[] = [];
        const row: Array<string | null> = [];
        for (const item of text.slice('SELECT '.length).split(/\s*,\s*/)) {
          const part = /^@@(?:(session|global)\.)?(\w+)(?: AS (\w+))?$/i.exec(item);
          if (!part) return { kind: 'error', error: syntaxError(item) };
          const name = (part[2] ?? '').toLowerCase();
          const value =
            part[1]?.toLowerCase() === 'global' ? global.get(name) : (session.get(name) ?? global.get(name));
          if (value === undefined)
            return {
              kind: 'error',
              error: { errno: 1193, sqlState: 'HY000', message: `Unknown system variable '${name}'` },
            };
          columns.push({
            name: part[3] ?? item,
            type: /^\d+$/.test(value) ? MYSQL_TYPE_LONGLONG : MYSQL_TYPE_VAR_STRING,
          });
          row.push(value);
        }
        return { kind: 'rows', columns, rows: [row] };
      }
      match =
        /^SELECT VARIABLE_NAME AS (\w+), VARIABLE_VALUE AS (\w+) FROM performance_schema\.persisted_variables WHERE VARIABLE_NAME IN \((.*)\)$/i.exec(
          text,
        );
      if (match) {
        if (options.canReadPersisted && !options.canReadPersisted(user)) {
          return {
            kind: 'error',
            error: {
              errno: 1142,
              sqlState: '42000',
              message: `SELECT command denied to user '${user}'@'%' for table 'persisted_variables'`,
            },
          };
        }
        const names = quotedStrings(match[3] ?? '').map((name) => name.toLowerCase());
        return {
          kind: 'rows',
          columns: [{ name: match[1] ?? 'name' }, { name: match[2] ?? 'value' }],
          rows: [...persisted].filter(([name]) => names.includes(name)).map(([name, value]) => [name, value]),
        };
      }
      match = /^SET (?:(GLOBAL|PERSIST|PERSIST_ONLY|SESSION) )?(\w+) = (\S+)$/i.exec(text);
      if (match)
        return set(
          (match[1] ?? 'SESSION').toUpperCase(),
          (match[2] ?? '').toLowerCase(),
          match[3] ?? '',
          user,
        );
      match = /^RESET PERSIST (IF EXISTS )?(\w+)$/i.exec(text);
      if (match) {
        if (!mayChange(user))
          return { kind: 'error', error: accessDenied('SUPER or SYSTEM_VARIABLES_ADMIN') };
        const name = (match[2] ?? '').toLowerCase();
        const message = `Variable ${name} does not exist in persisted config file`;
        if (persisted.delete(name)) return { kind: 'ok' };
        if (match[1]) return { kind: 'ok', warnings: [{ level: 'Warning', code: 3615, message }] };
        return { kind: 'error', error: { errno: 3615, sqlState: 'HY000', message } };
      }
      return { kind: 'error', error: syntaxError(text) };
    };

    const set = (scope: string, name: string, raw: string, user: string): Answer => {
      if (!SETTABLE.has(name))
        return {
          kind: 'error',
          error: { errno: 1193, sqlState: 'HY000', message: `Unknown system variable '${name}'` },
        };
      if (scope !== 'SESSION' && !mayChange(user)) {
        return {
          kind: 'error',
          error: accessDenied(
            scope === 'PERSIST_ONLY'
              ? 'SYSTEM_VARIABLES_ADMIN and PERSIST_RO_VARIABLES_ADMIN'
              : 'SUPER or SYSTEM_VARIABLES_ADMIN',
          ),
        };
      }
      let value: number;
      const clamped: Warning[] = [];
      if (/^DEFAULT$/i.test(raw)) value = Number(startup.get(name));
      else if (/^-?\d+$/.test(raw)) {
        value = Math.min(TIMEOUT_MAX, Math.max(1, Number(raw)));
        if (String(value) !== raw)
          clamped.push({
            level: 'Warning',
            code: 1292,
            message: `Truncated incorrect ${name} value: '${raw}'`,
          });
      } else {
        return {
          kind: 'error',
          error: { errno: 1232, sqlState: '42000', message: `Incorrect argument type to variable '${name}'` },
        };
      }
      if (scope === 'SESSION') session.set(name, String(value));
      if (scope === 'GLOBAL' || scope === 'PERSIST') global.set(name, String(value));
      if (scope === 'PERSIST' || scope === 'PERSIST_ONLY') persisted.set(name, String(value));
      return { kind: 'ok', warnings: clamped };
    };

    const reply = (sql: string) => {
      statements.push({ connectionId, user: conn.clientHelloReply.user, sql });
      const result = answer(sql);
      if (result.kind === 'ok') {
        warnings = result.warnings ?? [];
        conn.writeOk({ warningCount: warnings.length } as Parameters<typeof conn.writeOk>[0]);
      } else if (result.kind === 'rows') {
        conn.writeColumns(result.columns.map(column));
        for (const row of result.rows) conn.writeTextRow(row);
        conn.writeEof(warnings.length);
      } else {
        writeError(conn, result.error);
      }
    };
    // mysql2 routes statements that start with SET or PREPARE to 'stmt_prepare'.
    conn.on('query', reply);
    conn.on('stmt_prepare', reply);
  });

  const net = (server as unknown as { _server: NetServer })._server;
  await new Promise<void>((resolve, reject) => {
    net.once('error', reject);
    net.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (net.address() as { port: number }).port;

  return {
    host: '127.0.0.1',
    port,
    global,
    persisted,
    statements,
    changes: () => statements.filter((statement) => /^\s*(SET|RESET)\b/i.test(statement.sql)),
    restart,
    async close() {
      for (const conn of open) conn.stream.destroy();
      await new Promise<void>((resolve) => net.close(() => resolve()));
    },
  };
}

const quotedStrings = (list: string): string[] =>
  [...list.matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((match) => (match[1] ?? '').replace(/\\(.)/g, '$1'));

const column = ({ name, type }: Column) => ({
  catalog: 'def',
  schema: '',
  table: '',
  orgTable: '',
  name,
  orgName: name,
  characterSet: type === MYSQL_TYPE_LONGLONG ? 63 : UTF8MB4_0900,
  columnLength: 1024,
  columnType: type ?? MYSQL_TYPE_VAR_STRING,
  flags: 0,
  decimals: 0,
});

function writeError(conn: BaseConnection, error: SqlError): void {
  const length = 13 + Buffer.byteLength(error.message, 'utf8');
  const packet = new Packet(0, Buffer.allocUnsafe(length), 0, length);
  packet.offset = 4;
  packet.writeInt8(0xff);
  packet.writeInt16(error.errno);
  packet.writeString(`#${error.sqlState}`, 'utf8');
  packet.writeString(error.message, 'utf8');
  conn.writePacket(packet);
}
