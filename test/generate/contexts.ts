/** Contexts for the target tests: built the way the command builds them, from a resolved connection. */
import type { ResolvedConnection } from '../../src/connection/resolve.ts';
import {
  connectionFacts,
  type FrameworkVersion,
  type GenerateContext,
  parseFrameworkVersion,
} from '../../src/generate/context.ts';
import { derivePoolRule } from '../../src/generate/rule.ts';

export const SECRET = 'Pa55:w@rd/with%chars';

/** Names that would change what a URL or an ERB template means if written out unescaped. */
export const HOSTILE = {
  database: 'shop?allowLoadLocalInfile=true&x=<%= `id` %>',
  socket: '/tmp/my sock&allowLocalInfile=true#<%= 1 %>.sock',
  ca: '/etc/ssl/ca&trustServerCertificate=true<%= 2 %>.pem',
};

export interface ContextOptions {
  waitTimeout?: number;
  socket?: string;
  ssl?: ResolvedConnection['ssl'];
  database?: string;
  frameworkVersion?: string;
  poolSize?: number;
  measured?: boolean;
}

export function resolvedConnection(options: ContextOptions = {}): ResolvedConnection {
  return {
    transport: options.socket
      ? { kind: 'socket', path: options.socket }
      : { kind: 'tcp', host: 'db1.example.internal', port: 3307 },
    user: 'app',
    password: SECRET,
    database: options.database,
    connectTimeout: 10,
    statementTimeout: 10,
    ssl: options.ssl ?? { mode: 'DISABLED' },
    sources: {},
  };
}

export function contextFor(options: ContextOptions = {}): GenerateContext {
  const waitTimeout = options.waitTimeout ?? 600;
  const version =
    options.frameworkVersion === undefined
      ? undefined
      : (parseFrameworkVersion(options.frameworkVersion) as FrameworkVersion);
  return {
    rule: derivePoolRule(waitTimeout),
    timeout: {
      waitTimeout,
      measured:
        options.measured === false
          ? null
          : {
              address: 'db1.example.internal:3307',
              flavor: 'MariaDB',
              version: '10.11.19',
              globalWaitTimeout: waitTimeout,
              interactiveTimeout: 28800,
              maxConnections: 151,
            },
    },
    connection: connectionFacts(resolvedConnection(options)),
    poolSize: options.poolSize,
    frameworkVersion: version,
    passwordEnv: 'DB_PASSWORD',
  };
}

/** The variety every target must turn into valid code. */
export const VARIANTS: Array<{ label: string; options: ContextOptions }> = [
  { label: 'W 600 over TCP', options: { waitTimeout: 600, database: 'shop' } },
  { label: 'W 28800 (capped)', options: { waitTimeout: 28800, database: 'shop' } },
  { label: 'W 3 (tiny)', options: { waitTimeout: 3 } },
  {
    label: 'W 20, socket, no database, offline',
    options: { waitTimeout: 20, socket: '/run/mysqld/mysqld.sock', measured: false },
  },
  {
    label: 'W 60, TLS VERIFY_CA with files, old framework versions',
    options: {
      waitTimeout: 60,
      database: 'o\'brien "db"',
      ssl: {
        mode: 'VERIFY_CA',
        ca: '/etc/ssl/ca.pem',
        cert: '/etc/ssl/client.pem',
        key: '/etc/ssl/client.key',
      },
      frameworkVersion: '0.3',
    },
  },
  {
    label: 'W 900, TLS REQUIRED, new framework versions, pool 1',
    options: {
      waitTimeout: 900,
      database: 'shop',
      ssl: { mode: 'REQUIRED' },
      frameworkVersion: '9.0',
      poolSize: 1,
    },
  },
  {
    label: 'W 300, Django 3.2 / Rails 7.1 era',
    options: { waitTimeout: 300, database: 'shop', frameworkVersion: '3.2' },
  },
  {
    label: 'W 300, Prisma 6 / Rails 8.1 era',
    options: { waitTimeout: 300, database: 'shop', frameworkVersion: '6.19' },
  },
  {
    label: 'URL and ERB syntax in the database name and CA path, MariaDB',
    options: { waitTimeout: 600, database: HOSTILE.database, ssl: { mode: 'VERIFY_CA', ca: HOSTILE.ca } },
  },
  {
    label: 'URL and ERB syntax in the socket path, MySQL (offline)',
    options: { waitTimeout: 600, database: HOSTILE.database, socket: HOSTILE.socket, measured: false },
  },
  {
    label: 'URL and ERB syntax in the socket path, MariaDB',
    options: { waitTimeout: 600, socket: HOSTILE.socket },
  },
];
