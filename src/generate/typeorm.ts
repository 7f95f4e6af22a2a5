import { type Field, js, jsObject } from './code.ts';
import {
  type GenerateContext,
  type Generated,
  type Target,
  targetVersion,
  versionAtLeast,
  writtenFor,
} from './context.ts';
import { mysql2PoolSettings } from './mysql2.ts';
import { nodeConnection, TCP_KEEPALIVE_TRAP } from './node-connection.ts';
import { comment, header } from './text.ts';

/** TypeORM's newest release line: 1.x dropped `connectorPackage` from its types (it always uses mysql2). */
const CURRENT = '1.1';

function typeormSettings(context: GenerateContext) {
  const pool = mysql2PoolSettings(context);
  const modern = versionAtLeast(targetVersion(context, CURRENT), 1, 0);
  return {
    poolSize: pool.connectionLimit,
    // TypeORM 0.3 prefers the old `mysql` package, whose pool has no idle timeout.
    connectorPackage: modern ? null : 'mysql2',
    extra: { maxIdle: pool.maxIdle, idleTimeout: pool.idleTimeout, enableKeepAlive: true },
  };
}

export const typeormTarget: Target = {
  name: 'typeorm',
  summary:
    'TypeORM DataSource (type mysql, mysql2 driver): exports `dataSource`; pool settings go in `extra`',
  language: 'javascript',
  fileName: 'data-source.mjs',
  generate(context: GenerateContext): Generated {
    const settings = typeormSettings(context);
    const { rule } = context;
    const connection = nodeConnection(
      context.connection,
      context.passwordEnv,
      { user: 'username', socket: 'socketPath', charset: { key: 'charset', code: js('utf8mb4') } },
      0,
    );
    const fields: Field[] = [
      { key: 'type', code: js('mysql'), note: "also for MariaDB ('mariadb' is the same driver)" },
      ...connection.fields,
    ];
    if (settings.connectorPackage) {
      fields.push({
        key: 'connectorPackage',
        code: js('mysql2'),
        note: 'TypeORM 0.3.x only: 1.x always uses mysql2 and rejects this key',
      });
    }
    fields.push({ key: 'poolSize', code: js(settings.poolSize), note: "becomes mysql2's connectionLimit" });
    fields.push({
      key: 'extra',
      code: jsObject(
        [
          {
            key: 'maxIdle',
            code: js(settings.extra.maxIdle),
            note: 'below poolSize, or idleTimeout is never applied',
          },
          { key: 'idleTimeout', code: js(settings.extra.idleTimeout), note: `ms: ${rule.idleTimeout} s` },
          { key: 'enableKeepAlive', code: 'true', note: 'TCP only' },
        ],
        1,
      ),
      note: "passed straight to mysql2's createPool",
    });
    fields.push({ key: 'entities', code: '[]', note: 'your entities' });
    const lines = comment('// ', [
      ...header('typeorm', context, {
        uses: [
          writtenFor('TypeORM', context, CURRENT, '0.3'),
          `extra.idleTimeout = ${settings.extra.idleTimeout} ms (${rule.idleTimeout} s) with extra.maxIdle = ${settings.extra.maxIdle}: mysql2's idle reaper, the only guard (TypeORM has no pool settings of its own).`,
        ],
        traps: [
          'mysql2 reaps idle connections only when maxIdle < connectionLimit (poolSize); with the defaults idleTimeout does nothing.',
          settings.connectorPackage
            ? "TypeORM 0.3.x loads the old 'mysql' package first when both are installed, and its pool has no idle timeout: connectorPackage 'mysql2' avoids that."
            : "TypeORM 0.3.x loads the old 'mysql' package first when both are installed, and its pool has no idle timeout: there, generate with --framework-version 0.3 (it adds connectorPackage 'mysql2').",
          TCP_KEEPALIVE_TRAP,
          ...connection.notes,
        ],
      }),
    ]);
    lines.push('');
    if (connection.readsFiles) lines.push("import { readFileSync } from 'node:fs';");
    lines.push("import { DataSource } from 'typeorm';", '');
    lines.push(`export const dataSource = new DataSource(${jsObject(fields)});`, '');
    return {
      settings,
      code: lines.join('\n'),
      warnings: [],
      writtenFor: `TypeORM ${targetVersion(context, CURRENT).text}`,
    };
  },
};
