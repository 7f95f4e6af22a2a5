import { js, jsObject } from './code.ts';
import { type GenerateContext, type Generated, hostAndPort, type Target, versionAtLeast } from './context.ts';
import { MARIADB_TRAPS, mariadbPoolFields, mariadbPoolSettings, minimumIdleReason } from './mariadb.ts';
import { nodeConnection } from './node-connection.ts';
import { comment, header } from './text.ts';

/** Prisma 6 and older: the Rust engine's pool, configured by URL parameters in seconds. */
function prismaUrlSettings(context: GenerateContext) {
  const { rule } = context;
  const tiny = rule.mode === 'tiny';
  return {
    connection_limit: context.poolSize ?? null,
    max_idle_connection_lifetime: tiny ? 1 : rule.idleTimeout,
    max_connection_lifetime: tiny ? 1 : rule.lifetime,
  };
}

export const prismaTarget: Target = {
  name: 'prisma',
  summary:
    'Prisma 7: the @prisma/adapter-mariadb adapter with pool settings (--framework-version 6: a DATABASE_URL line)',
  language: 'javascript',
  fileName: 'prisma-adapter.mjs',
  generate(context: GenerateContext): Generated {
    return versionAtLeast(context.frameworkVersion, 7) === false
      ? prismaUrl(context)
      : prismaAdapter(context);
  },
};

/**
 * @prisma/adapter-mariadb 7 installs mariadb 3.4.5 for itself, whose pool cannot release idle
 * connections for good (see OLD_REAPER_WARNING). The adapter also accepts a pool, so the code
 * builds one with the application's own mariadb 3.5+, where minimumIdle 0 lets idleTimeout act.
 */
const APP_CONNECTOR = { major: 3, minor: 5 };

function prismaAdapter(context: GenerateContext): Generated {
  const settings = { ...mariadbPoolSettings(context, APP_CONNECTOR), prepareCacheLength: 0 };
  const connection = nodeConnection(
    context.connection,
    context.passwordEnv,
    {
      user: 'user',
      socket: 'socketPath',
      charset: { key: 'charset', code: js('utf8mb4') },
      driver: 'mariadb',
    },
    0,
  );
  const lines = comment('// ', [
    ...header('prisma', context, {
      uses: [
        `idleTimeout = ${settings.idleTimeout} s: Prisma 7 pools through the mariadb driver, whose idleTimeout is in seconds (Prisma's default is 1800, longer than many servers' wait_timeout).`,
        "The pool comes from the application's own mariadb 3.5 or later (npm install mariadb@^3.5), not from the adapter: @prisma/adapter-mariadb 7 installs mariadb 3.4 for itself, whose pool stops releasing idle connections for good the first time it has none left. The adapter takes a pool as it is (7.10 does), so prepareCacheLength 0, which it would set on its own pool, is set here.",
        minimumIdleReason(settings.minimumIdle),
        'The mariadb driver has no lifetime option; it pings a connection on borrow when it was unused for minDelayValidation ms.',
        'disposeExternalPool: true lets prisma.$disconnect() end this pool.',
        'In TypeScript, let the adapter share this mariadb (package.json: "overrides": { "@prisma/adapter-mariadb": { "mariadb": "$mariadb" } }): otherwise the two copies\' Pool types disagree and tsc refuses the pool.',
      ],
      traps: [
        ...MARIADB_TRAPS,
        'Prisma 6 and older ignore this: they read pool settings from the DATABASE_URL (dbcache generate prisma --framework-version 6).',
        'prisma generate downloads a schema engine even though a client with a driver adapter never runs it; offline, point PRISMA_SCHEMA_ENGINE_BINARY at any program (for example /bin/true) and generate works without the download.',
        ...connection.notes,
      ],
    }),
  ]);
  lines.push('// Use it as: new PrismaClient({ adapter })', '');
  if (connection.readsFiles) lines.push("import { readFileSync } from 'node:fs';");
  lines.push(
    "import { PrismaMariaDb } from '@prisma/adapter-mariadb';",
    "import mariadb from 'mariadb';",
    '',
  );
  lines.push(
    `const pool = mariadb.createPool(${jsObject([
      ...connection.fields,
      ...mariadbPoolFields(context, APP_CONNECTOR),
      { key: 'prepareCacheLength', code: '0', note: 'what the adapter sets on a pool of its own' },
    ])});`,
    '',
    'export const adapter = new PrismaMariaDb(pool, { disposeExternalPool: true });',
    '',
  );
  return {
    settings,
    code: lines.join('\n'),
    warnings: [],
    writtenFor: `Prisma ${context.frameworkVersion?.text ?? '7.10'}`,
  };
}

function prismaUrl(context: GenerateContext): Generated {
  const settings = prismaUrlSettings(context);
  const { connection } = context;
  const { transport } = connection;
  const params = new URLSearchParams();
  if (transport.kind === 'socket') params.set('socket', transport.path);
  if (settings.connection_limit !== null) params.set('connection_limit', String(settings.connection_limit));
  params.set('max_idle_connection_lifetime', String(settings.max_idle_connection_lifetime));
  params.set('max_connection_lifetime', String(settings.max_connection_lifetime));
  const { ssl } = connection;
  if (ssl.mode === 'VERIFY_CA' || ssl.mode === 'VERIFY_IDENTITY') {
    params.set('sslaccept', 'strict');
    if (ssl.ca) params.set('sslcert', ssl.ca);
  } else if (ssl.mode === 'REQUIRED') {
    params.set('sslaccept', 'accept_invalid_certs');
  }
  const host = transport.kind === 'socket' ? 'localhost' : hostAndPort(transport.host, transport.port);
  const user = encodeURIComponent(connection.user);
  const database = connection.database === undefined ? '' : encodeURIComponent(connection.database);
  // ${VAR} is expanded by Prisma's .env loader and by a shell; the password itself is never written.
  const url = `mysql://${user}:\${${context.passwordEnv}}@${host}/${database}?${params.toString()}`;
  const lines = comment('# ', [
    ...header('prisma', context, {
      uses: [
        `max_connection_lifetime = ${settings.max_connection_lifetime} s (lifetime) and max_idle_connection_lifetime = ${settings.max_idle_connection_lifetime} s (idle; Prisma's default is 300): both in seconds, acted on at the next checkout.`,
      ],
      traps: [
        `${context.passwordEnv} must hold the password URL-encoded (a @, :, / or % in it breaks the URL).`,
        'Prisma 7 ignores these URL parameters: it pools through a driver adapter (dbcache generate prisma).',
        ...(connection.database === undefined
          ? ['No database was given: add its name after the last / in the URL.']
          : []),
      ],
    }),
  ]);
  lines.push(`DATABASE_URL="${url}"`, '');
  return { settings, code: lines.join('\n'), warnings: [], language: 'dotenv', fileName: '.env' };
}
