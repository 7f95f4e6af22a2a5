import type { ResolvedConnection, Transport } from '../connection/resolve.ts';
import type { SslMode } from '../connection/settings.ts';
import type { Flavor } from '../server/identity.ts';
import type { PoolRule } from './rule.ts';

/** Where the generated code connects: everything from the resolved connection except the password. */
export interface ConnectionFacts {
  transport: Transport;
  user: string;
  database: string | undefined;
  ssl: { mode: SslMode; ca?: string; cert?: string; key?: string };
}

/** host:port for a URL or a driver's address, with an IPv6 host in brackets ([::1]:3306). */
export const hostAndPort = (host: string, port: number): string =>
  `${host.includes(':') ? `[${host}]` : host}:${port}`;

export function connectionFacts(resolved: ResolvedConnection): ConnectionFacts {
  return {
    transport: resolved.transport,
    user: resolved.user,
    database: resolved.database,
    ssl: { ...resolved.ssl },
  };
}

/** The timeout the settings are derived from, and where it came from. */
export interface TimeoutSource {
  /** W: the session wait_timeout of a non-interactive connection, or --timeout. */
  waitTimeout: number;
  /** Null when given with --timeout (nothing was measured). */
  measured: {
    address: string;
    flavor: Flavor;
    version: string;
    globalWaitTimeout: number;
    interactiveTimeout: number;
    maxConnections: number | null;
  } | null;
}

export interface FrameworkVersion {
  major: number;
  minor: number;
  text: string;
}

export function parseFrameworkVersion(text: string): FrameworkVersion | Error {
  const match = /^\s*v?(\d+)(?:\.(\d+))?(?:\.\d+)*\s*$/.exec(text);
  if (!match) return new Error(`"${text}" is not a version number: give it as 4.2 or 8.1.`);
  return { major: Number(match[1]), minor: Number(match[2] ?? 0), text: text.trim() };
}

/** True when the version is known and at least major.minor; false when older; undefined when unknown. */
export function versionAtLeast(
  version: FrameworkVersion | undefined,
  major: number,
  minor = 0,
): boolean | undefined {
  if (!version) return undefined;
  return version.major > major || (version.major === major && version.minor >= minor);
}

/**
 * The version a target writes for: the one given with --framework-version, or else `current`,
 * the newest release line dbcache knows (the output then says which it assumed).
 */
export function targetVersion(context: { frameworkVersion: FrameworkVersion | undefined }, current: string) {
  const given = context.frameworkVersion;
  return given ?? (parseFrameworkVersion(current) as FrameworkVersion);
}

/** The comment sentence that says which version the code is for, and how to ask for another. */
export function writtenFor(
  framework: string,
  context: { frameworkVersion: FrameworkVersion | undefined },
  current: string,
  other: string,
): string {
  return context.frameworkVersion
    ? `Written for ${framework} ${context.frameworkVersion.text} (--framework-version).`
    : `Written for ${framework} ${current}, the current release line: for another, give its version with --framework-version (for example ${other}).`;
}

export interface GenerateContext {
  rule: PoolRule;
  timeout: TimeoutSource;
  connection: ConnectionFacts;
  /** --pool-size; undefined: each framework's own default, stated in the code. */
  poolSize: number | undefined;
  frameworkVersion: FrameworkVersion | undefined;
  /** The environment variable the generated code reads the password from. */
  passwordEnv: string;
}

export type Language = 'python' | 'javascript' | 'go' | 'java' | 'yaml' | 'dotenv';

/** What a target produces: the numbers in the framework's own names and units, and the code. */
export interface Generated {
  settings: Record<string, unknown>;
  code: string;
  /** Target-specific warnings (the timeout's own are added by the caller). */
  warnings: string[];
  /** When the framework version changes what kind of text this is (Prisma 6: a .env line). */
  language?: Language;
  fileName?: string;
  /** The framework version the code was written for, where the output depends on it ("Rails 8.1"). */
  writtenFor?: string;
}

export interface Target {
  name: string;
  /** One line for `dbcache generate --list`. */
  summary: string;
  language: Language;
  /** A file name that fits what the code is, for messages and --out examples. */
  fileName: string;
  generate(context: GenerateContext): Generated;
}
