import { type Field, py, pyDict } from './code.ts';
import { type GenerateContext, type Generated, type Target, versionAtLeast } from './context.ts';
import {
  CLOSE_OLD_CONNECTIONS_TRAP,
  djangoConnection,
  djangoOptions,
  mysqldbTls,
} from './python-connection.ts';
import { comment, header } from './text.ts';

function djangoSettings(context: GenerateContext) {
  const { rule } = context;
  const healthChecks = versionAtLeast(context.frameworkVersion, 4, 1);
  return {
    CONN_MAX_AGE: rule.mode === 'tiny' ? 0 : rule.lifetime,
    // null: decided at run time by django.VERSION in the generated code.
    CONN_HEALTH_CHECKS: healthChecks === undefined ? null : healthChecks,
  };
}

export const djangoTarget: Target = {
  name: 'django',
  summary: 'Django settings.py: DATABASES with CONN_MAX_AGE, and CONN_HEALTH_CHECKS on Django 4.1+',
  language: 'python',
  fileName: 'settings_database.py',
  generate(context: GenerateContext): Generated {
    const settings = djangoSettings(context);
    const { rule } = context;
    const database: Field[] = [
      { key: 'ENGINE', code: py('django.db.backends.mysql') },
      ...djangoConnection(context.connection, context.passwordEnv),
      {
        key: 'CONN_MAX_AGE',
        code: py(settings.CONN_MAX_AGE),
        note:
          rule.mode === 'tiny' ? 'close the connection at the end of each request' : 'seconds since connect',
      },
    ];
    if (settings.CONN_HEALTH_CHECKS === true)
      database.push({
        key: 'CONN_HEALTH_CHECKS',
        code: 'True',
        note: 'Django 4.1+: ping a reused connection once per request',
      });
    database.push({ key: 'OPTIONS', code: pyDict(djangoOptions(context.connection), 2) });
    const uses =
      rule.mode === 'tiny'
        ? [
            'CONN_MAX_AGE = 0: every request opens its own connection and closes it at the end, so none is left idle.',
          ]
        : [
            `CONN_MAX_AGE = ${rule.lifetime} s (lifetime: the budget${rule.mode === 'capped' ? ', capped at 30 min' : ''}). A connection idle longer than wait_timeout is always older than CONN_MAX_AGE, so Django replaces it when the next request starts, before using it.`,
          ];
    if (settings.CONN_HEALTH_CHECKS !== false) {
      uses.push(
        'CONN_HEALTH_CHECKS (Django 4.1+) pings a reused connection once per request, which also catches a connection a proxy or a server restart closed.',
      );
    }
    const lines = comment('# ', [
      ...header('django', context, {
        uses,
        traps: [
          CLOSE_OLD_CONNECTIONS_TRAP,
          'Under ASGI, Django recommends CONN_MAX_AGE = 0 (persistent connections are per thread); use dbcache generate django-pool for a pool there.',
          ...mysqldbTls(context.connection).notes,
        ],
      }),
    ]);
    lines.push('', 'import os', '');
    if (settings.CONN_HEALTH_CHECKS === null) lines.push('import django', '');
    lines.push(`DATABASES = ${pyDict([{ key: 'default', code: pyDict(database, 1) }])}`);
    if (settings.CONN_HEALTH_CHECKS === null) {
      lines.push('', '# CONN_HEALTH_CHECKS exists from Django 4.1 on; older versions would ignore it.');
      lines.push('if django.VERSION >= (4, 1):', '    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True');
    } else if (settings.CONN_HEALTH_CHECKS === false) {
      lines.push(
        '',
        `# Django ${context.frameworkVersion?.text} has no CONN_HEALTH_CHECKS (new in 4.1): CONN_MAX_AGE alone protects requests.`,
      );
    }
    lines.push('');
    return { settings, code: lines.join('\n'), warnings: [] };
  },
};
