import { type Field, py, pyDict } from './code.ts';
import type { GenerateContext, Generated, Target } from './context.ts';
import {
  CLOSE_OLD_CONNECTIONS_TRAP,
  djangoConnection,
  djangoOptions,
  mysqldbTls,
} from './python-connection.ts';
import { comment, header } from './text.ts';

/** django-db-connection-pool's own defaults (dj_db_conn_pool/core/__init__.py), not SQLAlchemy's. */
const DEFAULT_POOL_SIZE = 10;
const DEFAULT_MAX_OVERFLOW = 10;

function djangoPoolSettings(context: GenerateContext) {
  const { rule } = context;
  return {
    CONN_MAX_AGE: 0,
    POOL_OPTIONS: {
      POOL_SIZE: context.poolSize ?? DEFAULT_POOL_SIZE,
      MAX_OVERFLOW: DEFAULT_MAX_OVERFLOW,
      RECYCLE: rule.mode === 'tiny' ? 1 : rule.lifetime,
      PRE_PING: true,
      TIMEOUT: 30,
    },
  };
}

export const djangoPoolTarget: Target = {
  name: 'django-pool',
  summary:
    'Django with django-db-connection-pool: ENGINE dj_db_conn_pool.backends.mysql and POOL_OPTIONS (a SQLAlchemy QueuePool)',
  language: 'python',
  fileName: 'settings_database.py',
  generate(context: GenerateContext): Generated {
    const settings = djangoPoolSettings(context);
    const { rule } = context;
    const options = settings.POOL_OPTIONS;
    const poolOptions: Field[] = [
      { key: 'POOL_SIZE', code: py(options.POOL_SIZE) },
      { key: 'MAX_OVERFLOW', code: py(options.MAX_OVERFLOW) },
      {
        key: 'RECYCLE',
        code: py(options.RECYCLE),
        note: 'seconds since connect, checked at checkout (the library default is 900)',
      },
      { key: 'PRE_PING', code: 'True', note: 'ping at checkout and replace a dead connection' },
      { key: 'TIMEOUT', code: py(options.TIMEOUT), note: 'seconds to wait for a free connection' },
    ];
    const database: Field[] = [
      { key: 'ENGINE', code: py('dj_db_conn_pool.backends.mysql') },
      ...djangoConnection(context.connection, context.passwordEnv),
      {
        key: 'CONN_MAX_AGE',
        code: '0',
        note: "Django 'closes' at the end of each request, which returns the connection to the pool",
      },
      { key: 'POOL_OPTIONS', code: pyDict(poolOptions, 2) },
      { key: 'OPTIONS', code: pyDict(djangoOptions(context.connection), 2) },
    ];
    const warnings =
      rule.mode === 'tiny'
        ? [
            'A pool cannot keep connections under such a short wait_timeout: with django-db-connection-pool every checkout pings and most reconnect. Plain Django with CONN_MAX_AGE = 0 (dbcache generate django) is simpler.',
          ]
        : [];
    const lines = comment('# ', [
      ...header(
        'django-pool',
        context,
        {
          uses: [
            `RECYCLE = ${options.RECYCLE} s (lifetime${rule.mode === 'capped' ? ', capped at 30 min' : ''}): SQLAlchemy's pool_recycle, checked when a connection is taken from the pool.`,
            'PRE_PING = True: a connection the server closed anyway (restart, proxy) is replaced at checkout instead of failing the request.',
          ],
          traps: [
            'POOL_OPTIONS keys must be UPPERCASE, and unknown keys are dropped silently: check the spelling.',
            'The pool belongs to one process: N workers hold up to N x (POOL_SIZE + MAX_OVERFLOW) connections.',
            CLOSE_OLD_CONNECTIONS_TRAP,
            ...mysqldbTls(context.connection).notes,
          ],
        },
        warnings,
      ),
    ]);
    lines.push('', '# pip install django-db-connection-pool[mysql]', '', 'import os', '');
    lines.push(`DATABASES = ${pyDict([{ key: 'default', code: pyDict(database, 1) }])}`, '');
    return { settings, code: lines.join('\n'), warnings };
  },
};
