import { type Field, js, jsObject } from './code.ts';
import {
  type GenerateContext,
  type Generated,
  type Target,
  targetVersion,
  versionAtLeast,
  writtenFor,
} from './context.ts';
import { nodeConnection, TCP_KEEPALIVE_TRAP } from './node-connection.ts';
import { comment, header, idleReason } from './text.ts';

/** The connector's newest release line. */
const MARIADB_CURRENT = '3.5';

/**
 * The mariadb connector reaps only idle connections above minimumIdle, which defaults to
 * connectionLimit: left alone, idleTimeout never acts (lib/pool.js, _removeIdleConnections). From
 * 3.5 on the pool opens connections for waiting requests whatever minimumIdle is, so 0 lets every
 * idle connection go; before 3.5 it opens one only while fewer than minimumIdle are idle, so 0
 * would leave it unable to connect at all ("pool timeout ... active=0 idle=0"), and 1 is the least
 * that works: that one connection stays, and the ping on borrow (minDelayValidation) replaces it
 * when the server has closed it.
 */
export function mariadbPoolSettings(context: GenerateContext, connector: { major: number; minor: number }) {
  const { rule } = context;
  const reapsAll = versionAtLeast({ ...connector, text: '' }, 3, 5) === true;
  return {
    connectionLimit: context.poolSize ?? 10,
    minimumIdle: reapsAll ? 0 : 1,
    idleTimeout: rule.idleTimeout,
    minDelayValidation: rule.mode === 'tiny' ? 0 : 500,
  };
}

export const MARIADB_TRAPS = [
  'idleTimeout is in SECONDS in the mariadb connector (mysql2 and knex count milliseconds).',
  'The connector releases idle connections only above minimumIdle, which defaults to connectionLimit: left at that, idleTimeout does nothing and the server closes the idle connections itself (the ping on borrow hides it from the application).',
  TCP_KEEPALIVE_TRAP.replace('enableKeepAlive', 'keepAliveDelay'),
];

/** Why minimumIdle has the value it has, for the comment block. */
export function minimumIdleReason(minimumIdle: number): string {
  return minimumIdle === 0
    ? 'minimumIdle = 0 lets idleTimeout release every idle connection (mariadb 3.5+; before 3.5 a pool with minimumIdle 0 never connects).'
    : 'minimumIdle = 1: before mariadb 3.5 the pool opens connections only while fewer than minimumIdle are idle, so 0 would never connect.';
}

/**
 * Before 3.5 the reaper's timer is cleared when the pool has no connection left but its handle
 * is kept, so it never starts again (lib/pool.js, _stopConnectionReaping; 3.5 resets it).
 */
export const OLD_REAPER_WARNING =
  'mariadb before 3.5 stops releasing idle connections for good the first time its pool has no connection left (the reaper is stopped and never restarted), which happens when the server closes the last idle one: ' +
  'from then on the server closes every connection that idles past wait_timeout, and only the ping on borrow (minDelayValidation) keeps the application from seeing it. Upgrade to mariadb 3.5 or later and generate again.';

export function mariadbPoolFields(
  context: GenerateContext,
  connector: { major: number; minor: number },
): Field[] {
  const settings = mariadbPoolSettings(context, connector);
  return [
    { key: 'connectionLimit', code: js(settings.connectionLimit) },
    {
      key: 'minimumIdle',
      code: js(settings.minimumIdle),
      note:
        settings.minimumIdle === 0
          ? 'mariadb 3.5+: idleTimeout acts only above minimumIdle'
          : 'not 0 before mariadb 3.5 (the pool would never connect)',
    },
    { key: 'idleTimeout', code: js(settings.idleTimeout), note: 'SECONDS, unlike mysql2' },
    {
      key: 'minDelayValidation',
      code: js(settings.minDelayValidation),
      note:
        settings.minDelayValidation === 0
          ? 'ping on every borrow'
          : 'ms: ping on borrow when unused this long (the default)',
    },
  ];
}

export const mariadbTarget: Target = {
  name: 'mariadb',
  summary: 'Node.js mariadb connector createPool: an ES module that exports `pool` (idleTimeout in seconds)',
  language: 'javascript',
  fileName: 'db.mjs',
  generate(context: GenerateContext): Generated {
    const version = targetVersion(context, MARIADB_CURRENT);
    const settings = mariadbPoolSettings(context, version);
    const { rule } = context;
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
    const warnings = settings.minimumIdle === 0 ? [] : [OLD_REAPER_WARNING];
    const lines = comment('// ', [
      ...header(
        'mariadb',
        context,
        {
          uses: [
            writtenFor('the mariadb connector', context, MARIADB_CURRENT, '3.4'),
            minimumIdleReason(settings.minimumIdle),
            rule.mode === 'tiny'
              ? 'minDelayValidation 0: every borrow pings first, and idleTimeout 1 s releases what it can.'
              : `idleTimeout = ${settings.idleTimeout} s: ${idleReason(rule)}; the connector documents that it "must be lower than @@wait_timeout".`,
          ],
          traps: [...MARIADB_TRAPS, ...connection.notes],
        },
        warnings,
      ),
    ]);
    lines.push('');
    if (connection.readsFiles) lines.push("import { readFileSync } from 'node:fs';");
    lines.push("import mariadb from 'mariadb';", '');
    lines.push(
      `export const pool = mariadb.createPool(${jsObject([...connection.fields, ...mariadbPoolFields(context, version)])});`,
      '',
    );
    return { settings, code: lines.join('\n'), warnings, writtenFor: `mariadb ${version.text}` };
  },
};
