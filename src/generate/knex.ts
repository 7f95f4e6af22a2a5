import { type Field, js, jsObject } from './code.ts';
import { type GenerateContext, type Generated, type Target, versionAtLeast } from './context.ts';
import { nodeConnection, TCP_KEEPALIVE_TRAP } from './node-connection.ts';
import { comment, header, idleReason, ms } from './text.ts';

function knexPoolSettings(context: GenerateContext) {
  const { rule } = context;
  const tiny = rule.mode === 'tiny';
  return {
    min: 0,
    max: context.poolSize ?? 10,
    // tarn turns 0 into its 30 s default: never emit 0.
    idleTimeoutMillis: ms(rule.idleTimeout),
    reapIntervalMillis: tiny ? 250 : 1000,
    // knex adds a random 0..jitter to the lifetime, so none is asked for.
    maxConnectionLifetimeMillis: tiny ? null : ms(rule.lifetime),
  };
}

export const knexTarget: Target = {
  name: 'knex',
  summary: 'knex with the mysql2 client: an ES module that exports `db`, pool min 0 and an idle timeout',
  language: 'javascript',
  fileName: 'db.mjs',
  generate(context: GenerateContext): Generated {
    const settings = knexPoolSettings(context);
    const { rule } = context;
    const lifetimeKnown = versionAtLeast(context.frameworkVersion, 3, 2);
    const connection = nodeConnection(
      context.connection,
      context.passwordEnv,
      { user: 'user', socket: 'socketPath', charset: { key: 'charset', code: js('utf8mb4') } },
      1,
    );
    const pool: Field[] = [
      { key: 'min', code: '0', note: 'idle connections are reaped only above min' },
      { key: 'max', code: js(settings.max) },
      { key: 'idleTimeoutMillis', code: js(settings.idleTimeoutMillis), note: `${rule.idleTimeout} s` },
      { key: 'reapIntervalMillis', code: js(settings.reapIntervalMillis) },
    ];
    let lifetimeComment: string | null = null;
    if (settings.maxConnectionLifetimeMillis !== null) {
      const field = {
        key: 'maxConnectionLifetimeMillis',
        code: js(settings.maxConnectionLifetimeMillis),
        note: `${rule.lifetime} s; knex 3.2+`,
      };
      if (lifetimeKnown) pool.push(field);
      else if (lifetimeKnown === undefined)
        lifetimeComment = `    // knex 3.2+: ${field.key}: ${field.code}, // ${rule.lifetime} s since connect (give --framework-version 3.2 to write it out)`;
    }
    const lines = comment('// ', [
      ...header('knex', context, {
        uses: [
          `pool.idleTimeoutMillis = ${settings.idleTimeoutMillis} (${rule.idleTimeout} s): ${idleReason(rule)}.`,
          'pool.min = 0: knex defaults to min 2 "for historical reasons", and tarn never reaps below min, so those connections would sit idle until the server closed them.',
          ...(settings.maxConnectionLifetimeMillis !== null && lifetimeKnown !== false
            ? [
                `maxConnectionLifetimeMillis = ${settings.maxConnectionLifetimeMillis} (knex 3.2+): retires connections by age as well.`,
              ]
            : []),
        ],
        traps: [
          "idleTimeoutMillis 0 does not mean 'never': tarn replaces 0 with 30000.",
          "knex's mysql2 validation only looks at the driver's flags; it does not ping, so the idle timeout must act before the server does.",
          TCP_KEEPALIVE_TRAP,
          ...connection.notes,
        ],
      }),
    ]);
    lines.push('');
    if (connection.readsFiles) lines.push("import { readFileSync } from 'node:fs';");
    lines.push("import knex from 'knex';", '');
    const poolText = jsObject(pool, 1);
    const poolWithComment = lifetimeComment
      ? poolText.replace(/\n {2}\}$/, `\n${lifetimeComment}\n  }`)
      : poolText;
    lines.push(
      `export const db = knex(${jsObject([
        { key: 'client', code: js('mysql2') },
        { key: 'connection', code: jsObject(connection.fields, 1) },
        { key: 'pool', code: poolWithComment },
      ])});`,
      '',
    );
    return { settings, code: lines.join('\n'), warnings: [] };
  },
};
