export const SSL_MODES = ['DISABLED', 'PREFERRED', 'REQUIRED', 'VERIFY_CA', 'VERIFY_IDENTITY'] as const;
export type SslMode = (typeof SSL_MODES)[number];

const PROTOCOLS = ['TCP', 'SOCKET'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/**
 * Where to connect, as each source (flags, URL, environment, option files) states it. Every
 * field is optional: `resolve.ts` merges the layers, first one that sets a field wins.
 */
export interface ConnectionSettings {
  host?: string;
  port?: number;
  user?: string;
  /** `null` means "ask for it": `-p` with no value, or a bare `password` line in an option file. */
  password?: string | null;
  socket?: string;
  database?: string;
  protocol?: Protocol;
  connectTimeout?: number;
  statementTimeout?: number;
  sslMode?: SslMode;
  sslCa?: string;
  sslCert?: string;
  sslKey?: string;
}

export type SettingName = keyof ConnectionSettings;

/** One source of settings and the words we use for it in messages ("from the environment"). */
export interface SettingsLayer {
  source: string;
  settings: ConnectionSettings;
  /** A finer source for some fields, e.g. the option file and line that set them. */
  fieldSources?: Partial<Record<SettingName, string>>;
}

export function parsePort(text: string, where: string): number {
  const port = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`The port ${JSON.stringify(text)} ${where} is not a number from 1 to 65535.`);
  }
  return port;
}

export function parseSslMode(text: string, where: string): SslMode {
  const mode = text.trim().toUpperCase().replace(/-/g, '_');
  if ((SSL_MODES as readonly string[]).includes(mode)) return mode as SslMode;
  throw new Error(`The ssl-mode ${JSON.stringify(text)} ${where} is not one of ${SSL_MODES.join(', ')}.`);
}

export function parseProtocol(text: string, where: string): Protocol {
  const protocol = text.trim().toUpperCase();
  if ((PROTOCOLS as readonly string[]).includes(protocol)) return protocol as Protocol;
  throw new Error(`The protocol ${JSON.stringify(text)} ${where} is not TCP or SOCKET.`);
}

/** Node's timers stop at 2^31-1 ms; a longer connect timeout would fire at once. */
const MAX_CONNECT_TIMEOUT = 2_147_483;

export function parseSeconds(text: string, where: string): number {
  const seconds = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_CONNECT_TIMEOUT) {
    throw new Error(
      `The timeout ${JSON.stringify(text)} ${where} is not a whole number of seconds from 1 to ${MAX_CONNECT_TIMEOUT}.`,
    );
  }
  return seconds;
}
