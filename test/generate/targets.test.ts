import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildGenerateReport } from '../../src/generate/index.ts';
import { TARGET_NAMES, TARGETS } from '../../src/generate/targets.ts';
import { contextFor, HOSTILE, SECRET, VARIANTS } from './contexts.ts';

const generate = (name: string, options: Parameters<typeof contextFor>[0] = {}) => {
  const target = TARGETS.find((each) => each.name === name);
  assert.ok(target, name);
  return target.generate(contextFor(options));
};

test('the issue names at least these targets', () => {
  for (const name of [
    'django',
    'django-pool',
    'sqlalchemy',
    'mysql2',
    'mariadb',
    'knex',
    'sequelize',
    'typeorm',
    'prisma',
    'go',
    'hikaricp',
    'rails',
  ]) {
    assert.ok(TARGET_NAMES.includes(name), name);
  }
  for (const target of TARGETS)
    assert.ok(target.summary.length > 20 && !target.summary.includes('\n'), target.name);
});

test('no target ever writes the password; every one names the variable it reads it from', () => {
  for (const { label, options } of VARIANTS) {
    for (const target of TARGETS) {
      const { code } = target.generate(contextFor(options));
      assert.ok(
        !code.includes(SECRET) && !code.includes(encodeURIComponent(SECRET)),
        `${target.name}, ${label}`,
      );
      assert.match(code, /DB_PASSWORD/, `${target.name}, ${label}`);
    }
  }
});

test('every comment block states the measured timeout and the margin', () => {
  for (const target of TARGETS) {
    const { code } = target.generate(contextFor({ waitTimeout: 600 }));
    assert.match(code, /wait_timeout = 600 s/, target.name);
    assert.match(code, /Margin 60 s/, target.name);
    assert.match(code, /interactive_timeout is 28800 s/, target.name);
  }
});

test('mysql2: the idle reaper runs (maxIdle < connectionLimit) and fires before the server does', () => {
  const { settings, code } = generate('mysql2', { waitTimeout: 600 });
  assert.deepEqual(settings, { connectionLimit: 10, maxIdle: 9, idleTimeout: 300000, enableKeepAlive: true });
  assert.match(code, /export const pool = mysql\.createPool\(/);
  assert.match(code, /maxIdle < connectionLimit/);
  assert.match(code, /does not reset wait_timeout/);
  assert.equal(generate('mysql2', { waitTimeout: 60, poolSize: 1 }).settings.maxIdle, 0);
  assert.equal(generate('mysql2', { waitTimeout: 60 }).settings.idleTimeout, 53000);
  const tiny = generate('mysql2', { waitTimeout: 3 }).settings;
  assert.equal(tiny.maxIdle, 0);
});

test('django: CONN_MAX_AGE is the lifetime, 0 when tiny; CONN_HEALTH_CHECKS follows the Django version', () => {
  const unknown = generate('django', { waitTimeout: 600 });
  assert.equal(unknown.settings.CONN_MAX_AGE, 540);
  assert.match(unknown.code, /^DATABASES = \{/m);
  assert.match(unknown.code, /if django\.VERSION >= \(4, 1\):/);
  assert.match(unknown.code, /close_old_connections\(\)/);
  const modern = generate('django', { waitTimeout: 600, frameworkVersion: '4.2' });
  assert.match(modern.code, /"CONN_HEALTH_CHECKS": True/);
  assert.doesNotMatch(modern.code, /django\.VERSION/);
  const old = generate('django', { waitTimeout: 600, frameworkVersion: '3.2' });
  assert.doesNotMatch(old.code, /"CONN_HEALTH_CHECKS"|\["CONN_HEALTH_CHECKS"\]/);
  assert.equal(generate('django', { waitTimeout: 3 }).settings.CONN_MAX_AGE, 0);
  assert.equal(generate('django', { waitTimeout: 28800 }).settings.CONN_MAX_AGE, 1800);
  const socket = generate('django', { socket: '/run/mysqld/mysqld.sock' }).code;
  assert.match(socket, /"HOST": "\/run\/mysqld\/mysqld\.sock"/, 'Django takes a socket path in HOST');
  assert.doesNotMatch(socket, /"PORT"/);
  assert.match(socket, /"charset": "utf8mb4"/);
});

test('django-pool: uppercase POOL_OPTIONS with RECYCLE = lifetime and PRE_PING, CONN_MAX_AGE 0', () => {
  const { settings, code } = generate('django-pool', { waitTimeout: 600 });
  assert.deepEqual(settings, {
    CONN_MAX_AGE: 0,
    POOL_OPTIONS: { POOL_SIZE: 10, MAX_OVERFLOW: 10, RECYCLE: 540, PRE_PING: true, TIMEOUT: 30 },
  });
  assert.match(code, /"ENGINE": "dj_db_conn_pool\.backends\.mysql"/);
  assert.match(code, /UPPERCASE/);
  assert.equal(generate('django-pool', { waitTimeout: 3 }).warnings.length, 1);
});

test('sqlalchemy: create_engine with pool_recycle and pool_pre_ping; NullPool when tiny; unix_socket in the query', () => {
  const { settings, code } = generate('sqlalchemy', { waitTimeout: 600 });
  assert.deepEqual(settings, {
    pool_recycle: 540,
    pool_pre_ping: true,
    pool_size: 5,
    max_overflow: 10,
    pool_timeout: 30,
  });
  assert.match(code, /^engine = create_engine\(/m);
  assert.doesNotMatch(code.replace(/^#.*$/gm, ''), /pool\.manage/);
  assert.match(generate('sqlalchemy', { waitTimeout: 3 }).code, /poolclass=NullPool/);
  assert.match(generate('sqlalchemy', { socket: '/tmp/my.sock' }).code, /"unix_socket": "\/tmp\/my\.sock"/);
});

test('knex: min 0, idle timeout never 0, lifetime only for knex 3.2+', () => {
  const { settings, code } = generate('knex', { waitTimeout: 60 });
  assert.equal(settings.min, 0);
  assert.equal(settings.idleTimeoutMillis, 53000);
  assert.match(code, /\/\/ knex 3\.2\+: maxConnectionLifetimeMillis: 54000/);
  assert.match(
    generate('knex', { waitTimeout: 60, frameworkVersion: '3.2' }).code,
    /^ {4}maxConnectionLifetimeMillis: 54000,/m,
  );
  assert.doesNotMatch(
    generate('knex', { waitTimeout: 60, frameworkVersion: '2.5' }).code,
    /maxConnectionLifetimeMillis/,
  );
  for (const W of [1, 3, 6, 28800])
    assert.ok((generate('knex', { waitTimeout: W }).settings.idleTimeoutMillis as number) > 0);
});

test('mariadb and prisma 7: idleTimeout in seconds; prisma 6: URL parameters in seconds', () => {
  assert.equal(generate('mariadb', { waitTimeout: 600 }).settings.idleTimeout, 300);
  assert.equal(generate('mariadb', { waitTimeout: 3 }).settings.minDelayValidation, 0);
  const seven = generate('prisma', { waitTimeout: 600 });
  assert.match(seven.code, /new PrismaMariaDb\(/);
  assert.equal(seven.settings.idleTimeout, 300);
  const six = generate('prisma', { waitTimeout: 600, frameworkVersion: '6', database: 'shop' });
  assert.equal(six.language, 'dotenv');
  const url = /^DATABASE_URL="(.*)"$/m.exec(six.code)?.[1];
  assert.ok(url);
  const parsed = new URL(url.replace(/\$\{DB_PASSWORD\}/, 'x'));
  assert.equal(parsed.searchParams.get('max_idle_connection_lifetime'), '300');
  assert.equal(parsed.searchParams.get('max_connection_lifetime'), '540');
  assert.equal(parsed.pathname, '/shop');
  assert.equal(parsed.port, '3307');
});

test('sequelize and typeorm: idle settings in milliseconds where each library reads them', () => {
  const sequelize = generate('sequelize', { waitTimeout: 600 });
  assert.deepEqual(sequelize.settings, { max: 5, min: 0, idle: 300000, evict: 1000, acquire: 60000 });
  const typeorm = generate('typeorm', { waitTimeout: 600 });
  assert.deepEqual(typeorm.settings.extra, { maxIdle: 9, idleTimeout: 300000, enableKeepAlive: true });
  assert.equal(typeorm.settings.connectorPackage, null, 'the current TypeORM (1.x) has no connectorPackage');
  assert.doesNotMatch(typeorm.code, /connectorPackage:/);
  assert.match(typeorm.code, /Written for TypeORM 1\.1, the current release line/);
  assert.equal(generate('typeorm', { frameworkVersion: '0.3' }).settings.connectorPackage, 'mysql2');
  assert.match(
    sequelize.code,
    /enableKeepAlive: true/,
    'the comment names enableKeepAlive: the code sets it',
  );
  assert.doesNotMatch(
    generate('sequelize', { socket: '/run/mysqld/mysqld.sock' }).code,
    /enableKeepAlive: true/,
    'no TCP keepalive over a socket',
  );
});

test('mariadb: minimumIdle 0 from 3.5 on (idleTimeout acts), 1 before 3.5 (0 never connects); Prisma gets a 3.5 pool', () => {
  const current = generate('mariadb', { waitTimeout: 600 });
  assert.equal(current.settings.minimumIdle, 0);
  assert.match(current.code, /minimumIdle: 0,/);
  assert.match(current.code, /Written for the mariadb connector 3\.5/);
  const old = generate('mariadb', { waitTimeout: 600, frameworkVersion: '3.4.5' });
  assert.equal(old.settings.minimumIdle, 1);
  assert.match(old.code, /minimumIdle: 1,/);
  const prisma = generate('prisma', { waitTimeout: 600 }).code;
  assert.match(prisma, /minimumIdle: 0,/, "Prisma's pool comes from the application's own mariadb 3.5+");
  assert.match(prisma, /new PrismaMariaDb\(pool, \{ disposeExternalPool: true \}\)/);
});

test('go: lifetime capped at 3 minutes as the driver recommends; no idle connections when tiny', () => {
  assert.deepEqual(generate('go', { waitTimeout: 600 }).settings, {
    SetMaxOpenConns: 10,
    SetMaxIdleConns: 10,
    SetConnMaxLifetime: 180,
    SetConnMaxIdleTime: 180,
  });
  for (const waitTimeout of [6, 8, 60, 200, 600, 28800]) {
    const { settings } = generate('go', { waitTimeout });
    assert.ok(
      (settings.SetConnMaxIdleTime as number) <= (settings.SetConnMaxLifetime as number),
      `an idle limit above the lifetime never fires (wait_timeout ${waitTimeout})`,
    );
  }
  assert.equal(generate('go', { waitTimeout: 60 }).settings.SetConnMaxLifetime, 54);
  assert.equal(generate('go', { waitTimeout: 3 }).settings.SetMaxIdleConns, 0);
  assert.match(
    generate('go', { socket: '/run/mysqld/mysqld.sock' }).code,
    /cfg\.Net = "unix"\n\tcfg\.Addr = "\/run\/mysqld\/mysqld\.sock"/,
  );
});

test('hikaricp: milliseconds, keepalive below maxLifetime, and floors it cannot go under', () => {
  const normal = generate('hikaricp', { waitTimeout: 600 });
  assert.equal(normal.settings.maxLifetime, 540000);
  assert.equal(normal.settings.keepaliveTime, 270000);
  const debian = generate('hikaricp', { waitTimeout: 600, frameworkVersion: '2.7.9' });
  assert.equal(debian.settings.keepaliveTime, null, 'keepaliveTime is new in HikariCP 4.0');
  assert.doesNotMatch(debian.code, /setKeepaliveTime/);
  assert.match(normal.settings.jdbcUrl as string, /^jdbc:mariadb:\/\/db1\.example\.internal:3307\//);
  assert.equal(
    generate('hikaricp', { waitTimeout: 60 }).settings.keepaliveTime,
    null,
    'keepalive below 30 s is refused by HikariCP',
  );
  const short = generate('hikaricp', { waitTimeout: 20 });
  assert.equal(short.settings.maxLifetime, 30000);
  assert.equal(short.settings.minimumIdle, 0);
  assert.match(short.warnings[0] ?? '', /cannot honour wait_timeout 20 s/);
  assert.match(generate('hikaricp', { measured: false }).settings.jdbcUrl as string, /^jdbc:mysql:/);
});

test('hikaricp: a name cannot add URL parameters; MySQL Connector/J gets it encoded, MariaDB Connector/J as a property', () => {
  // MySQL Connector/J percent-decodes the URL: the database is encoded, the query is only ours.
  const mysql = generate('hikaricp', { database: HOSTILE.database, measured: false });
  const mysqlUrl = new URL((mysql.settings.jdbcUrl as string).replace(/^jdbc:/, ''));
  assert.equal(decodeURIComponent(mysqlUrl.pathname.slice(1)), HOSTILE.database);
  assert.deepEqual([...mysqlUrl.searchParams.keys()], ['characterEncoding', 'sslMode']);
  // MariaDB Connector/J takes URL values as written, so paths never enter the URL.
  const mariadb = generate('hikaricp', {
    database: HOSTILE.database,
    socket: HOSTILE.socket,
    ssl: { mode: 'VERIFY_CA', ca: HOSTILE.ca },
  });
  assert.equal(mariadb.settings.jdbcUrl, 'jdbc:mariadb://localhost/?sslMode=verify-ca');
  assert.deepEqual(mariadb.settings.dataSourceProperties, {
    localSocket: HOSTILE.socket,
    serverSslCert: HOSTILE.ca,
  });
  assert.equal(mariadb.settings.catalog, HOSTILE.database, 'a "?" in the name would start the parameters');
  assert.ok(
    mariadb.code.includes(`config.addDataSourceProperty("localSocket", ${JSON.stringify(HOSTILE.socket)});`),
  );
  assert.ok(mariadb.code.includes(`config.setCatalog(${JSON.stringify(HOSTILE.database)});`));
  // Ordinary names stay where they were.
  const plain = generate('hikaricp', { database: 'shop', socket: '/run/mysqld/mysqld.sock' });
  assert.equal(plain.settings.jdbcUrl, 'jdbc:mariadb://localhost/shop?sslMode=disable');
  assert.match(plain.code, /config\.addDataSourceProperty\("localSocket", "\/run\/mysqld\/mysqld\.sock"\);/);
});

test('go, prisma and hikaricp put an IPv6 host in brackets, the same way', () => {
  const ipv6 = (name: string, frameworkVersion?: string) => {
    const target = TARGETS.find((each) => each.name === name);
    assert.ok(target);
    const context = contextFor({
      database: 'shop',
      measured: false,
      ...(frameworkVersion ? { frameworkVersion } : {}),
    });
    context.connection.transport = { kind: 'tcp', host: 'fd00::7', port: 3307 };
    return target.generate(context).code;
  };
  assert.match(ipv6('go'), /cfg\.Addr = "\[fd00::7\]:3307"/);
  assert.match(ipv6('prisma', '6'), /@\[fd00::7\]:3307\/shop\?/);
  assert.match(ipv6('hikaricp'), /jdbc:mysql:\/\/\[fd00::7\]:3307\/shop\?/);
});

test('rails: a "<%" in a name is escaped for ERB, so only the password lookup runs as Ruby', () => {
  const { code } = generate('rails', {
    database: HOSTILE.database,
    socket: HOSTILE.socket,
    ssl: { mode: 'VERIFY_CA', ca: HOSTILE.ca },
  });
  assert.ok(code.includes('database: "shop?allowLoadLocalInfile=true&x=<%%= `id` %>"'), code);
  assert.ok(code.includes('socket: "/tmp/my sock&allowLocalInfile=true#<%%= 1 %>.sock"'));
  assert.ok(code.includes('sslca: "/etc/ssl/ca&trustServerCertificate=true<%%= 2 %>.pem"'));
  assert.deepEqual(code.match(/<%(?!%)/g), ['<%'], 'one ERB tag');
  assert.match(code, /^ {2}password: <%= ENV\.fetch\("DB_PASSWORD", ""\) %>$/m);
});

test('rails: idle_timeout plus reaping_frequency stay within the budget; wait_timeout keeps the server limit', () => {
  const { settings, code } = generate('rails', { waitTimeout: 60 });
  assert.equal(settings.idle_timeout, 36);
  assert.equal(settings.reaping_frequency, 18);
  assert.ok((settings.idle_timeout as number) + (settings.reaping_frequency as number) <= 54);
  assert.equal(settings.wait_timeout, 60);
  assert.match(code, /Written for Rails 8\.1, the current release line/, 'the default says which Rails');
  assert.match(code, /^ {2}max_age: 54 /m);
  assert.match(code, /^ {2}max_connections: 5$/m);
  assert.doesNotMatch(code, /^ {2}reconnect:/m);
  const seven = generate('rails', { waitTimeout: 60, frameworkVersion: '7.2' }).code;
  assert.doesNotMatch(seven, /max_age/);
  assert.doesNotMatch(seven, /^ {2}reconnect:/m);
  const six = generate('rails', { waitTimeout: 60, frameworkVersion: '6.1' });
  assert.equal(six.settings.reconnect, true, 'Rails 6.1 reads reconnect: a held connection needs it');
  assert.match(six.code, /^ {2}reconnect: true /m);
  assert.match(six.code, /^ {2}pool: 5$/m);
  assert.equal(
    generate('rails', { waitTimeout: 3 }).settings.wait_timeout,
    null,
    'tiny: keep Rails raising the session timeout',
  );
  assert.equal(generate('rails', { waitTimeout: 28800 }).settings.idle_timeout, 300);
});

test('rails: the JSON settings are the keys and values database.yml gets, for every Rails', () => {
  for (const frameworkVersion of [undefined, '8.1', '7.2', '6.1']) {
    for (const waitTimeout of [3, 60, 28800]) {
      const { settings, code } = generate('rails', {
        waitTimeout,
        ...(frameworkVersion ? { frameworkVersion } : {}),
      });
      const written = Object.entries(settings).filter(([, value]) => value !== null);
      for (const [key, value] of written) {
        const line = new RegExp(`^ {2}${key}: ${value}( #|$)`, 'm');
        assert.match(
          code,
          line,
          `Rails ${frameworkVersion ?? 'default'}, wait_timeout ${waitTimeout}: ${key}`,
        );
      }
      const keys = [...code.matchAll(/^ {2}(\w+):/gm)].map((match) => match[1]);
      const connection = ['adapter', 'encoding', 'host', 'port', 'username', 'password', 'database'];
      assert.deepEqual(
        keys.filter((key) => !connection.includes(key as string)),
        written.map(([key]) => key),
        'nothing else is set',
      );
    }
  }
});

test('--json without a target: the derived numbers and every target, without code', () => {
  const report = buildGenerateReport(contextFor({ waitTimeout: 28800 }), TARGETS, false);
  assert.deepEqual(report.derived, {
    mode: 'capped',
    timeout: 28800,
    margin: 60,
    budget: 28740,
    lifetime: 1800,
    idle_timeout: 300,
    keepalive: 600,
  });
  assert.deepEqual(Object.keys(report.targets), [...TARGET_NAMES]);
  for (const output of Object.values(report.targets)) assert.equal(output.code, undefined);
  assert.equal(report.warnings.length, 1);
  assert.equal(report.timeout.server?.interactive_timeout, 28800);
});

test('TLS host-name checks in the names each driver reads: mysql2 verifyIdentity, mariadb checkServerIdentity', () => {
  const identity = { mode: 'VERIFY_IDENTITY' as const, ca: '/etc/ssl/ca.pem' };
  const chainOnly = { mode: 'VERIFY_CA' as const, ca: '/etc/ssl/ca.pem' };
  for (const name of ['mysql2', 'knex', 'sequelize', 'typeorm']) {
    // mysql2 checks the host name only with verifyIdentity (lib/base/connection.js).
    assert.match(generate(name, { ssl: identity }).code, /verifyIdentity: true/, name);
    assert.doesNotMatch(generate(name, { ssl: chainOnly }).code, /verifyIdentity|checkServerIdentity/, name);
  }
  for (const name of ['mariadb', 'prisma']) {
    // The mariadb connector checks it unless given its own checkServerIdentity.
    assert.doesNotMatch(generate(name, { ssl: identity }).code, /verifyIdentity|checkServerIdentity/, name);
    assert.match(generate(name, { ssl: chainOnly }).code, /checkServerIdentity: \(\) => undefined/, name);
  }
});
