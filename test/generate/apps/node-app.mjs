/**
 * A small application on a real Node.js library, run twice at once: with the pool that dbcache
 * generated (imported from the generated module) and with the library's defaults (the control).
 * Each side runs bursts of concurrent queries, so the pool opens several connections, then idles
 * past the server's wait_timeout, several times. It prints one JSON line: the errors each side saw.
 *
 * node node-app.mjs '{"kind":"knex","module":"/tmp/x/db.mjs","control":{...},"gaps":3,"gapSeconds":11,"concurrency":3}'
 */
import { pathToFileURL } from 'node:url';

const config = JSON.parse(process.argv[2]);
const { kind, control } = config;
const QUERY = 'SELECT SLEEP(0.3) AS slept';

/** The library's own client, from the generated module or built with its defaults. */
async function open(side) {
  const generated = side === 'generated' ? await import(pathToFileURL(config.module).href) : undefined;
  const { host, port, user, password, database } = control;
  switch (kind) {
    case 'mysql2': {
      const mysql = (await import('mysql2/promise')).default;
      const pool = generated?.pool ?? mysql.createPool({ host, port, user, password, database });
      return { query: (sql) => pool.query(sql), close: () => pool.end() };
    }
    case 'mariadb': {
      const mariadb = (await import(config.mariadbModule ?? 'mariadb')).default;
      const pool = generated?.pool ?? mariadb.createPool({ host, port, user, password, database });
      return { query: (sql) => pool.query(sql), close: () => pool.end() };
    }
    case 'knex': {
      const knex = (await import('knex')).default;
      const db =
        generated?.db ?? knex({ client: 'mysql2', connection: { host, port, user, password, database } });
      return { query: (sql) => db.raw(sql), close: () => db.destroy() };
    }
    case 'sequelize': {
      const { Sequelize } = await import('sequelize');
      const sequelize =
        generated?.sequelize ??
        new Sequelize({ dialect: 'mysql', host, port, username: user, password, database, logging: false });
      if (generated) sequelize.options.logging = false;
      return { query: (sql) => sequelize.query(sql), close: () => sequelize.close() };
    }
    case 'typeorm': {
      const { DataSource } = await import('typeorm');
      const dataSource =
        generated?.dataSource ??
        new DataSource({ type: 'mysql', host, port, username: user, password, database, entities: [] });
      await dataSource.initialize();
      return { query: (sql) => dataSource.query(sql), close: () => dataSource.destroy() };
    }
    case 'prisma': {
      const { PrismaMariaDb } = await import('@prisma/adapter-mariadb');
      const { PrismaClient } = await import(pathToFileURL(config.prismaClient).href);
      const adapter = generated?.adapter ?? new PrismaMariaDb({ host, port, user, password, database });
      const client = new PrismaClient({ adapter });
      return { query: (sql) => client.$queryRawUnsafe(sql), close: () => client.$disconnect() };
    }
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

async function scenario(side) {
  const errors = [];
  let queries = 0;
  const client = await open(side);
  const burst = async () => {
    await Promise.all(
      Array.from({ length: config.concurrency }, async () => {
        try {
          await client.query(QUERY);
          queries++;
        } catch (error) {
          errors.push(String(error?.message ?? error).split('\n')[0]);
        }
      }),
    );
  };
  try {
    await burst();
    for (let gap = 0; gap < config.gaps; gap++) {
      await sleep(config.gapSeconds);
      await burst();
    }
  } finally {
    await client.close();
  }
  return { errors, queries };
}

const [generated, defaults] = await Promise.all([scenario('generated'), scenario('control')]);
console.log(JSON.stringify({ generated, control: defaults }));
