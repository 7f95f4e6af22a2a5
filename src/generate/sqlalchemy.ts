import { type Field, py, pyDict } from './code.ts';
import type { GenerateContext, Generated, Target } from './context.ts';
import { mysqldbTls } from './python-connection.ts';
import { comment, header } from './text.ts';

function sqlalchemySettings(context: GenerateContext) {
  const { rule } = context;
  if (rule.mode === 'tiny') return { poolclass: 'NullPool' };
  return {
    pool_recycle: rule.lifetime,
    pool_pre_ping: true,
    pool_size: context.poolSize ?? 5,
    max_overflow: 10,
    pool_timeout: 30,
  };
}

export const sqlalchemyTarget: Target = {
  name: 'sqlalchemy',
  summary:
    'SQLAlchemy 1.4 and 2.x: `engine = create_engine(...)` with pool_recycle and pool_pre_ping (mysqlclient driver)',
  language: 'python',
  fileName: 'db.py',
  generate(context: GenerateContext): Generated {
    const settings = sqlalchemySettings(context);
    const { rule, connection } = context;
    const { transport } = connection;
    const query: Field[] = [{ key: 'charset', code: py('utf8mb4') }];
    if (transport.kind === 'socket') query.push({ key: 'unix_socket', code: py(transport.path) });
    const url: Field[] = [
      { key: 'drivername', code: py('mysql+mysqldb'), note: 'mysqlclient; "mysql+pymysql" works the same' },
      { key: 'username', code: py(connection.user) },
      {
        key: 'password',
        code: `os.environ.get(${py(context.passwordEnv)}, "")`,
        note: `set ${context.passwordEnv} in the environment`,
      },
    ];
    if (transport.kind === 'tcp')
      url.push({ key: 'host', code: py(transport.host) }, { key: 'port', code: py(transport.port) });
    else url.push({ key: 'host', code: py('localhost'), note: 'with unix_socket below' });
    if (connection.database !== undefined) url.push({ key: 'database', code: py(connection.database) });
    url.push({
      key: 'query',
      code: `{${query.map((field) => `${py(field.key)}: ${field.code}`).join(', ')}}`,
    });
    const tls = mysqldbTls(connection);

    const engine: string[] = [];
    const arg = (text: string, note?: string) => engine.push(`    ${text},${note ? `  # ${note}` : ''}`);
    if ('poolclass' in settings) {
      arg('poolclass=NullPool', 'no pool: connect per checkout, nothing left idle');
    } else {
      arg(`pool_recycle=${settings.pool_recycle}`, 'seconds since connect, checked at checkout');
      arg('pool_pre_ping=True', 'ping at checkout; replace a connection the server closed');
      arg(`pool_size=${settings.pool_size}`);
      arg(`max_overflow=${settings.max_overflow}`);
      arg(`pool_timeout=${settings.pool_timeout}`, 'seconds to wait for a free connection');
    }
    if (tls.fields.length) arg(`connect_args=${pyDict(tls.fields, 1)}`);

    const lines = comment('# ', [
      ...header('sqlalchemy', context, {
        uses:
          rule.mode === 'tiny'
            ? [
                'poolclass = NullPool: each checkout opens a connection and returning it closes it. If you need a pool anyway: pool_recycle=1, pool_pre_ping=True.',
              ]
            : [
                `pool_recycle = ${rule.lifetime} s (lifetime${rule.mode === 'capped' ? ', capped at 30 min' : ''}): a connection older than this is replaced when it is checked out. A connection idle longer than wait_timeout is always older than that, so it is never handed out.`,
                'pool_pre_ping = True: one ping per checkout also catches connections a restart or a proxy closed.',
              ],
        traps: [
          'pool_recycle acts only at checkout: the server may still close an idle connection first (it counts in Aborted_clients), but the pool discards it without an error.',
          'sqlalchemy.pool.manage() (the old Database = pool.manage(MySQLdb, recycle=...) recipe) was deprecated in 1.3 and removed in 2.0: use create_engine as here.',
          'The pool belongs to one process: after fork() (gunicorn --preload, multiprocessing) call engine.dispose() in the child.',
          ...tls.notes,
        ],
      }),
    ]);
    lines.push('', 'import os', '', 'from sqlalchemy import create_engine');
    lines.push('from sqlalchemy.engine import URL');
    if ('poolclass' in settings) lines.push('from sqlalchemy.pool import NullPool');
    lines.push(
      '',
      `url = URL.create(\n${url.map((field) => `    ${field.key}=${field.code},${field.note ? `  # ${field.note}` : ''}`).join('\n')}\n)`,
    );
    lines.push(`engine = create_engine(\n    url,\n${engine.join('\n')}\n)`, '');
    return { settings, code: lines.join('\n'), warnings: [] };
  },
};
