import { type Field, js, jsObject } from './code.ts';
import type { GenerateContext, Generated, Target } from './context.ts';
import { nodeConnection, TCP_KEEPALIVE_TRAP } from './node-connection.ts';
import { comment, header, idleReason } from './text.ts';

/**
 * The mariadb connector reaps only idle connections above minimumIdle (default: all of them are
 * "minimum"), so its guard is the ping on borrow for connections unused for minDelayValidation ms.
 */
export function mariadbPoolSettings(context: GenerateContext) {
  const { rule } = context;
  return {
    connectionLimit: context.poolSize ?? 10,
    idleTimeout: rule.idleTimeout,
    minDelayValidation: rule.mode === 'tiny' ? 0 : 500,
  };
}

export const MARIADB_TRAPS = [
  'idleTimeout is in SECONDS in the mariadb connector (mysql2 and knex count milliseconds).',
  'The connector releases idle connections only above minimumIdle, which defaults to connectionLimit: with a fixed-size pool nothing is reaped, and a connection the server closed is caught by the ping on borrow (minDelayValidation), then replaced.',
  TCP_KEEPALIVE_TRAP.replace('enableKeepAlive', 'keepAliveDelay'),
];

export function mariadbPoolFields(context: GenerateContext): Field[] {
  const settings = mariadbPoolSettings(context);
  return [
    { key: 'connectionLimit', code: js(settings.connectionLimit) },
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
    const settings = mariadbPoolSettings(context);
    const { rule } = context;
    const connection = nodeConnection(
      context.connection,
      context.passwordEnv,
      { user: 'user', socket: 'socketPath', charset: { key: 'charset', code: js('utf8mb4') } },
      0,
    );
    const lines = comment('// ', [
      ...header('mariadb', context, {
        uses: [
          rule.mode === 'tiny'
            ? 'minDelayValidation 0: every borrow pings first, and idleTimeout 1 s releases what it can.'
            : `idleTimeout = ${settings.idleTimeout} s: ${idleReason(rule)}; the connector documents that it "must be lower than @@wait_timeout".`,
        ],
        traps: [...MARIADB_TRAPS, ...connection.notes],
      }),
    ]);
    lines.push('');
    if (connection.readsFiles) lines.push("import { readFileSync } from 'node:fs';");
    lines.push("import mariadb from 'mariadb';", '');
    lines.push(
      `export const pool = mariadb.createPool(${jsObject([...connection.fields, ...mariadbPoolFields(context)])});`,
      '',
    );
    return { settings, code: lines.join('\n'), warnings: [] };
  },
};
