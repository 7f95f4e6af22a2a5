import { type GenerateContext, type Generated, hostAndPort, type Target } from './context.ts';
import { comment, header, idleReason, quote } from './text.ts';

/** go-sql-driver's README: "we recommend timeout shorter than 5 minutes"; its example is 3 minutes. */
const GO_LIFETIME_CAP = 180;

function goSettings(context: GenerateContext) {
  const { rule } = context;
  const open = context.poolSize ?? 10;
  if (rule.mode === 'tiny')
    return { SetMaxOpenConns: open, SetMaxIdleConns: 0, SetConnMaxLifetime: 1, SetConnMaxIdleTime: 1 };
  const lifetime = Math.min(rule.lifetime, GO_LIFETIME_CAP);
  return {
    SetMaxOpenConns: open,
    SetMaxIdleConns: open,
    SetConnMaxLifetime: lifetime,
    // An idle limit above the lifetime could never fire: the lifetime retires the connection first.
    SetConnMaxIdleTime: Math.min(rule.idleTimeout, lifetime),
  };
}

/** go-sql-driver's TLSConfig names: "true" verifies chain and host, "skip-verify" only encrypts. */
function goTls(context: GenerateContext): { value: string | null; notes: string[] } {
  const { ssl } = context.connection;
  const custom = ssl.ca || ssl.cert || ssl.key;
  const registerNote = custom
    ? [
        `TLS: to use the CA or client certificate files (${[ssl.ca, ssl.cert, ssl.key].filter(Boolean).join(', ')}), build a tls.Config, mysql.RegisterTLSConfig("custom", config) it, and set cfg.TLSConfig = "custom".`,
      ]
    : [];
  switch (ssl.mode) {
    case 'DISABLED':
      return { value: null, notes: [] };
    case 'PREFERRED':
      return { value: context.connection.transport.kind === 'tcp' ? 'preferred' : null, notes: [] };
    case 'REQUIRED':
      return { value: 'skip-verify', notes: registerNote };
    default:
      return { value: 'true', notes: registerNote };
  }
}

export const goTarget: Target = {
  name: 'go',
  summary:
    'Go database/sql with go-sql-driver/mysql: func Open() (*sql.DB, error) with lifetime and idle time',
  language: 'go',
  fileName: 'db.go',
  generate(context: GenerateContext): Generated {
    const settings = goSettings(context);
    const { rule, connection } = context;
    const { transport } = connection;
    const tls = goTls(context);
    const lifetimeWhy =
      settings.SetConnMaxLifetime < rule.lifetime
        ? `capped at ${GO_LIFETIME_CAP} s, as go-sql-driver recommends, because proxies and middlewares close idle connections at 5 minutes`
        : 'the budget';
    const lines = comment('// ', [
      ...header('go', context, {
        uses:
          rule.mode === 'tiny'
            ? ['SetMaxIdleConns(0): no connection is kept idle; each one is closed when returned.']
            : [
                `SetConnMaxLifetime(${settings.SetConnMaxLifetime} s): ${lifetimeWhy}.`,
                settings.SetConnMaxIdleTime < rule.idleTimeout
                  ? `SetConnMaxIdleTime(${settings.SetConnMaxIdleTime} s): no longer than the lifetime, which would retire an idle connection first (Go 1.15+).`
                  : `SetConnMaxIdleTime(${settings.SetConnMaxIdleTime} s): ${idleReason(rule)} (Go 1.15+).`,
              ],
        traps: [
          'SetMaxIdleConns defaults to 2: with more open connections than that, the extra ones are closed on return and reopened on demand; the driver recommends SetMaxIdleConns = SetMaxOpenConns.',
          'Closing happens lazily before reuse and in a background cleaner: the driver also checks a pooled socket before use (checkConnLiveness).',
          ...tls.notes,
        ],
      }),
    ]);
    const body: string[] = [
      'package db',
      '',
      'import (',
      '\t"database/sql"',
      '\t"os"',
      '\t"time"',
      '',
      '\t"github.com/go-sql-driver/mysql"',
      ')',
      '',
      "// Open returns a pool whose connections are retired before the server's wait_timeout.",
      'func Open() (*sql.DB, error) {',
      '\tcfg := mysql.NewConfig()',
      `\tcfg.User = ${quote(connection.user)}`,
      `\tcfg.Passwd = os.Getenv(${quote(context.passwordEnv)})`,
      transport.kind === 'socket' ? '\tcfg.Net = "unix"' : '\tcfg.Net = "tcp"',
      transport.kind === 'socket'
        ? `\tcfg.Addr = ${quote(transport.path)}`
        : `\tcfg.Addr = ${quote(hostAndPort(transport.host, transport.port))}`,
    ];
    if (connection.database !== undefined) body.push(`\tcfg.DBName = ${quote(connection.database)}`);
    body.push('\tcfg.Params = map[string]string{"charset": "utf8mb4"}', '\tcfg.ParseTime = true');
    if (tls.value) body.push(`\tcfg.TLSConfig = ${quote(tls.value)}`);
    body.push(
      '\tconnector, err := mysql.NewConnector(cfg)',
      '\tif err != nil {',
      '\t\treturn nil, err',
      '\t}',
      '\tdb := sql.OpenDB(connector)',
      `\tdb.SetMaxOpenConns(${settings.SetMaxOpenConns})`,
      `\tdb.SetMaxIdleConns(${settings.SetMaxIdleConns})`,
      `\tdb.SetConnMaxLifetime(${settings.SetConnMaxLifetime} * time.Second)`,
      `\tdb.SetConnMaxIdleTime(${settings.SetConnMaxIdleTime} * time.Second)`,
      '\treturn db, nil',
      '}',
      '',
    );
    return { settings, code: [...lines, '', ...body].join('\n'), warnings: [] };
  },
};
