import { type Field, js, jsObject } from './code.ts';
import type { GenerateContext, Generated, Target } from './context.ts';
import { nodeConnection, TCP_KEEPALIVE_TRAP } from './node-connection.ts';
import { comment, header, idleReason, ms } from './text.ts';

/** mysql2's own default connectionLimit. */
const DEFAULT_LIMIT = 10;

/**
 * mysql2 has an idle reaper but no lifetime and no check on checkout, so the idle timeout
 * carries everything: it must fire before wait_timeout, and it only runs when maxIdle is below
 * connectionLimit (lib/base/pool.js).
 */
export function mysql2PoolSettings(context: GenerateContext) {
  const { rule } = context;
  const connectionLimit = context.poolSize ?? DEFAULT_LIMIT;
  const tiny = rule.mode === 'tiny';
  return {
    connectionLimit,
    maxIdle: tiny ? 0 : Math.max(0, connectionLimit - 1),
    idleTimeout: ms(rule.idleTimeout),
    enableKeepAlive: true,
  };
}

export const mysql2Target: Target = {
  name: 'mysql2',
  summary: 'Node.js mysql2 createPool: an ES module that exports `pool` (mysql2/promise)',
  language: 'javascript',
  fileName: 'db.mjs',
  generate(context: GenerateContext): Generated {
    const settings = mysql2PoolSettings(context);
    const { rule } = context;
    const connection = nodeConnection(
      context.connection,
      context.passwordEnv,
      { user: 'user', socket: 'socketPath', charset: { key: 'charset', code: js('utf8mb4') } },
      0,
    );
    const pool: Field[] = [
      ...connection.fields,
      { key: 'connectionLimit', code: js(settings.connectionLimit) },
      {
        key: 'maxIdle',
        code: js(settings.maxIdle),
        note:
          rule.mode === 'tiny'
            ? 'keep no idle connection'
            : 'below connectionLimit, or idleTimeout is never applied',
      },
      { key: 'idleTimeout', code: js(settings.idleTimeout), note: `milliseconds: ${rule.idleTimeout} s` },
      { key: 'enableKeepAlive', code: 'true', note: 'TCP only; does not reset wait_timeout' },
    ];
    const lines = comment('// ', [
      ...header('mysql2', context, {
        uses:
          rule.mode === 'tiny'
            ? [
                'maxIdle 0 and idleTimeout 1000 ms: a released connection is closed within a second, so none sits idle.',
              ]
            : [
                `idleTimeout = ${settings.idleTimeout} ms (${rule.idleTimeout} s): ${idleReason(rule)}. mysql2 has no lifetime option and no check on checkout, so this is the only guard.`,
              ],
        traps: [
          `mysql2 reaps idle connections only when maxIdle < connectionLimit; with the defaults (maxIdle = connectionLimit) idleTimeout does nothing.`,
          TCP_KEEPALIVE_TRAP,
          'The pool keeps a 1-second timer while connections are idle: call pool.end() to let the process exit.',
          ...connection.notes,
        ],
      }),
    ]);
    lines.push('');
    if (connection.readsFiles) lines.push("import { readFileSync } from 'node:fs';");
    lines.push("import mysql from 'mysql2/promise';", '');
    lines.push(`export const pool = mysql.createPool(${jsObject(pool)});`, '');
    return { settings, code: lines.join('\n'), warnings: [] };
  },
};
