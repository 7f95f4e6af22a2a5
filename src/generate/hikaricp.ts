import {
  type GenerateContext,
  type Generated,
  hostAndPort,
  type Target,
  targetVersion,
  versionAtLeast,
  writtenFor,
} from './context.ts';
import { comment, header, ms, quote } from './text.ts';

/** HikariConfig refuses values below these (it resets maxLifetime to 30 min, disables keepalive). */
const HIKARI_MIN_LIFETIME = 30;
const HIKARI_MIN_KEEPALIVE = 30;
const HIKARI_MIN_IDLE_TIMEOUT = 10;
/** The newest release line; keepaliveTime exists from 4.0.0 on (Debian 12 ships 2.7.9). */
const CURRENT = '6.3';

function hikariSettings(context: GenerateContext) {
  const { rule } = context;
  const maximumPoolSize = context.poolSize ?? 10;
  if (rule.mode === 'tiny' || rule.lifetime < HIKARI_MIN_LIFETIME) {
    return {
      maximumPoolSize,
      minimumIdle: 0,
      idleTimeout: ms(HIKARI_MIN_IDLE_TIMEOUT),
      maxLifetime: ms(HIKARI_MIN_LIFETIME),
      keepaliveTime: null,
      honoursTimeout: false,
    };
  }
  const hasKeepalive = versionAtLeast(targetVersion(context, CURRENT), 4) === true;
  const keepalive =
    hasKeepalive && rule.keepalive >= HIKARI_MIN_KEEPALIVE && rule.keepalive < rule.lifetime
      ? ms(rule.keepalive)
      : null;
  return {
    maximumPoolSize,
    minimumIdle: null,
    idleTimeout: null,
    maxLifetime: ms(rule.lifetime),
    keepaliveTime: keepalive,
    honoursTimeout: true,
  };
}

/**
 * The JDBC URL, and what must not go into it. MySQL Connector/J percent-decodes the URL, so the
 * database is encoded there. MariaDB Connector/J decodes nothing: a value is taken as written, so
 * the file paths go to the driver as data source properties instead (no URL syntax to break out
 * of), and a database name with a "?" (which would start the parameters) as the catalog.
 */
function jdbcUrl(context: GenerateContext): {
  url: string;
  properties: Array<[string, string]>;
  catalog: string | null;
  notes: string[];
} {
  const { connection, timeout } = context;
  const mariadb = timeout.measured?.flavor === 'MariaDB';
  const { transport, ssl } = connection;
  const params: string[] = [];
  const properties: Array<[string, string]> = [];
  const notes: string[] = [];
  const database = connection.database ?? '';
  let path = mariadb ? database : encodeURIComponent(database);
  let catalog: string | null = null;
  if (mariadb && database.includes('?')) {
    path = '';
    catalog = database;
  }
  let authority: string;
  if (transport.kind === 'socket') {
    authority = 'localhost';
    if (mariadb) properties.push(['localSocket', transport.path]);
    else {
      authority = 'localhost:3306';
      notes.push(
        `Connector/J cannot use the Unix socket ${transport.path} by itself: add junixsocket and socketFactory=org.newsclub.net.mysql.AFUNIXDatabaseSocketFactory&junixsocket.file=${transport.path}, or connect over TCP.`,
      );
    }
  } else {
    authority = hostAndPort(transport.host, transport.port);
  }
  if (mariadb) {
    const mode = {
      DISABLED: 'disable',
      PREFERRED: null,
      REQUIRED: 'trust',
      VERIFY_CA: 'verify-ca',
      VERIFY_IDENTITY: 'verify-full',
    }[ssl.mode];
    if (mode) params.push(`sslMode=${mode}`);
    if (ssl.ca && mode && mode !== 'disable') properties.push(['serverSslCert', ssl.ca]);
  } else {
    params.push('characterEncoding=UTF-8');
    params.push(`sslMode=${ssl.mode}`);
    if (ssl.ca)
      notes.push(
        `TLS: Connector/J reads the CA from a trust store: import ${ssl.ca} with keytool and set trustCertificateKeyStoreUrl.`,
      );
  }
  const scheme = mariadb ? 'jdbc:mariadb' : 'jdbc:mysql';
  if (!mariadb)
    notes.push(
      'The URL is for MySQL Connector/J (it also connects to MariaDB). With MariaDB Connector/J use jdbc:mariadb://.',
    );
  const query = params.length ? `?${params.join('&')}` : '';
  return { url: `${scheme}://${authority}/${path}${query}`, properties, catalog, notes };
}

export const hikaricpTarget: Target = {
  name: 'hikaricp',
  summary:
    'Java HikariCP: a DatabasePool class building a HikariDataSource with maxLifetime and keepaliveTime',
  language: 'java',
  fileName: 'DatabasePool.java',
  generate(context: GenerateContext): Generated {
    const settings = hikariSettings(context);
    const { rule } = context;
    const version = targetVersion(context, CURRENT);
    const url = jdbcUrl(context);
    const warnings = settings.honoursTimeout
      ? []
      : [
          `HikariCP cannot keep connections shorter than ${HIKARI_MIN_LIFETIME} s (a smaller maxLifetime is replaced by 30 min), so it cannot honour wait_timeout ${rule.timeout} s: ` +
            'these settings keep no idle minimum, and rely on HikariCP testing every connection idle for more than 500 ms before handing it out.',
        ];
    const uses = settings.honoursTimeout
      ? [
          `maxLifetime = ${settings.maxLifetime} ms (${rule.lifetime} s): the budget${rule.mode === 'capped' ? ", capped at HikariCP's own 30 min default" : ''}; HikariCP asks for "several seconds shorter than any database ... imposed connection time limit".`,
          writtenFor('HikariCP', context, CURRENT, '2.7'),
          settings.keepaliveTime
            ? `keepaliveTime = ${settings.keepaliveTime} ms (${rule.keepalive} s): pings idle connections, which does reset wait_timeout.`
            : versionAtLeast(version, 4) === true
              ? `No keepaliveTime: HikariCP needs at least ${HIKARI_MIN_KEEPALIVE} s and less than maxLifetime.`
              : 'No keepaliveTime: it exists from HikariCP 4.0 on.',
          'A fixed-size pool (minimumIdle = maximumPoolSize, the default): idleTimeout does not apply, maxLifetime does the work.',
        ]
      : [
          `minimumIdle 0, idleTimeout ${settings.idleTimeout} ms and maxLifetime ${settings.maxLifetime} ms: HikariCP's floors.`,
        ];
    const lines = comment('// ', [
      ...header(
        'hikaricp',
        context,
        {
          uses,
          traps: [
            'All HikariCP times are milliseconds.',
            'idleTimeout applies only when minimumIdle < maximumPoolSize.',
            'HikariCP validates a connection idle for more than 500 ms before lending it, so a connection the server closed is replaced rather than failing.',
            ...url.notes,
          ],
        },
        warnings,
      ),
    ]);
    const body: string[] = [
      'import com.zaxxer.hikari.HikariConfig;',
      'import com.zaxxer.hikari.HikariDataSource;',
      '',
      'public final class DatabasePool {',
      '    private DatabasePool() {}',
      '',
      '    public static HikariDataSource create() {',
      '        HikariConfig config = new HikariConfig();',
      `        config.setJdbcUrl(${quote(url.url)});`,
      ...url.properties.map(
        ([name, value]) => `        config.addDataSourceProperty(${quote(name)}, ${quote(value)});`,
      ),
      ...(url.catalog === null ? [] : [`        config.setCatalog(${quote(url.catalog)});`]),
      `        config.setUsername(${quote(context.connection.user)});`,
      `        config.setPassword(System.getenv(${quote(context.passwordEnv)}));`,
      `        config.setMaximumPoolSize(${settings.maximumPoolSize});`,
    ];
    if (settings.minimumIdle !== null) body.push(`        config.setMinimumIdle(${settings.minimumIdle});`);
    if (settings.idleTimeout !== null) body.push(`        config.setIdleTimeout(${settings.idleTimeout}L);`);
    body.push(`        config.setMaxLifetime(${settings.maxLifetime}L);`);
    if (settings.keepaliveTime !== null)
      body.push(`        config.setKeepaliveTime(${settings.keepaliveTime}L);`);
    body.push('        return new HikariDataSource(config);', '    }', '}', '');
    const { honoursTimeout: _honours, ...numbers } = settings;
    const output = {
      ...numbers,
      jdbcUrl: url.url,
      ...(url.properties.length ? { dataSourceProperties: Object.fromEntries(url.properties) } : {}),
      ...(url.catalog === null ? {} : { catalog: url.catalog }),
    };
    return {
      settings: output,
      code: [...lines, '', ...body].join('\n'),
      warnings,
      writtenFor: `HikariCP ${version.text}`,
    };
  },
};
