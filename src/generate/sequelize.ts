import { type Field, js, jsObject } from './code.ts';
import type { GenerateContext, Generated, Target } from './context.ts';
import { nodeTls, TCP_KEEPALIVE_TRAP } from './node-connection.ts';
import { comment, header, idleReason, ms } from './text.ts';

function sequelizePoolSettings(context: GenerateContext) {
  const { rule } = context;
  return {
    max: context.poolSize ?? 5,
    min: 0,
    idle: ms(rule.idleTimeout),
    evict: rule.mode === 'tiny' ? 250 : 1000,
    acquire: 60000,
  };
}

export const sequelizeTarget: Target = {
  name: 'sequelize',
  summary: 'Sequelize (mysql dialect, mysql2 driver): an ES module that exports `sequelize`, pool idle/evict',
  language: 'javascript',
  fileName: 'db.mjs',
  generate(context: GenerateContext): Generated {
    const settings = sequelizePoolSettings(context);
    const { rule, connection } = context;
    const { transport } = connection;
    const fields: Field[] = [{ key: 'dialect', code: js('mysql') }];
    const dialectOptions: Field[] = [{ key: 'charset', code: js('utf8mb4') }];
    if (transport.kind === 'socket')
      dialectOptions.push({ key: 'socketPath', code: js(transport.path), note: 'Unix socket' });
    else {
      fields.push({ key: 'host', code: js(transport.host) }, { key: 'port', code: js(transport.port) });
      dialectOptions.push({
        key: 'enableKeepAlive',
        code: 'true',
        note: 'TCP keepalive; does not reset wait_timeout',
      });
    }
    fields.push({ key: 'username', code: js(connection.user) });
    fields.push({
      key: 'password',
      code: `process.env.${context.passwordEnv} ?? ''`,
      note: `set ${context.passwordEnv} in the environment`,
    });
    if (connection.database !== undefined) fields.push({ key: 'database', code: js(connection.database) });
    const tls = nodeTls(connection, transport.kind === 'tcp', 1);
    if (tls.field) dialectOptions.push(tls.field);
    fields.push({ key: 'dialectOptions', code: jsObject(dialectOptions, 1), note: 'passed to mysql2' });
    fields.push({
      key: 'pool',
      code: jsObject(
        [
          { key: 'max', code: js(settings.max) },
          { key: 'min', code: '0', note: 'idle connections are released only above min' },
          { key: 'idle', code: js(settings.idle), note: `ms: ${rule.idleTimeout} s` },
          { key: 'evict', code: js(settings.evict), note: 'ms between idle checks' },
          { key: 'acquire', code: js(settings.acquire) },
        ],
        1,
      ),
    });
    const lines = comment('// ', [
      ...header('sequelize', context, {
        uses: [`pool.idle = ${settings.idle} ms (${rule.idleTimeout} s): ${idleReason(rule)}.`],
        traps: [
          'Sequelize has no lifetime option (maxUses counts queries, not seconds), and its validation does not ping: the idle timeout must act before the server does.',
          'Keep pool.min at 0: sequelize-pool never releases connections below min.',
          TCP_KEEPALIVE_TRAP,
          ...tls.notes,
        ],
      }),
    ]);
    lines.push('');
    if (tls.readsFiles) lines.push("import { readFileSync } from 'node:fs';");
    lines.push("import { Sequelize } from 'sequelize';", '');
    lines.push(`export const sequelize = new Sequelize(${jsObject(fields)});`, '');
    return { settings, code: lines.join('\n'), warnings: [] };
  },
};
