/**
 * The servers of a fleet run: `--targets FILE` lines and repeated `--url`s, each turned into the
 * connection settings that name that server. Pure: the caller reads the file.
 */
import { type ConnectionSettings, parsePort, type SettingsLayer } from '../connection/settings.ts';
import { isMysqlUrl, parseConnectionUrl } from '../connection/url.ts';

export interface FleetTarget {
  /** How the server is named in rows and metrics: the line as written, a URL without its password. */
  name: string;
  /** Where it was named: "targets.txt line 4", "--url #2". */
  origin: string;
  /** The settings the line itself gives; they outrank every other source for this server. */
  layer: SettingsLayer;
}

export interface TargetProblem {
  origin: string;
  message: string;
}

/**
 * One target a line: a `mysql://` (or `mariadb://`) URL, `host`, `host:port`, `[v6]:port` or a
 * socket path starting with `/`. `#` starts a comment; blank lines are skipped.
 */
export function parseTargetsText(
  text: string,
  fileName: string,
): { targets: FleetTarget[]; problems: TargetProblem[] } {
  const targets: FleetTarget[] = [];
  const problems: TargetProblem[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = stripComment(raw).trim();
    if (line === '') return;
    const origin = `${fileName} line ${index + 1}`;
    const parsed = parseTarget(line, origin);
    if ('message' in parsed) problems.push({ origin, message: parsed.message });
    else targets.push(parsed);
  });
  return { targets, problems };
}

/** `#` starts a comment at the start of a line or after white space (a URL may hold `#`-free text only). */
function stripComment(line: string): string {
  const at = line.search(/(^|\s)#/);
  return at === -1 ? line : line.slice(0, at);
}

const MAX_HOST_NAME = 253;

export function parseTarget(text: string, origin: string): FleetTarget | TargetProblem {
  const source = `target (${origin})`;
  if (/\s/.test(text)) {
    return { origin, message: `"${quoted(text)}" has white space inside; give one server a line.` };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    if (!isMysqlUrl(text)) {
      return { origin, message: `"${quoted(text)}" is not a mysql:// or mariadb:// URL.` };
    }
    try {
      const settings = parseConnectionUrl(text, `on ${origin}`);
      if (settings.host === undefined && settings.socket === undefined) {
        return { origin, message: `the URL "${quoted(text)}" names no host or socket.` };
      }
      return { name: redactUrl(text), origin, layer: { source, settings } };
    } catch (err) {
      return { origin, message: (err as Error).message };
    }
  }
  if (text.startsWith('/')) {
    return { name: text, origin, layer: { source, settings: { socket: text, protocol: 'SOCKET' } } };
  }
  const hostPort = /^\[([^\]]+)\](?::(.*))?$/.exec(text) ?? /^([^:]+)(?::(.*))?$/.exec(text);
  // A bare IPv6 address (two or more colons, no brackets) has no port.
  const [host, port] = hostPort ? [hostPort[1], hostPort[2]] : text.split(':').length > 2 ? [text] : [];
  if (!host) return { origin, message: `"${quoted(text)}" is not a URL, host[:port] or socket path.` };
  // RFC 1035: a name of 253 characters at most; longer is a pasted mistake, not a server.
  if (host.length > MAX_HOST_NAME) {
    return {
      origin,
      message: `"${text.slice(0, 40)}…" names a host of ${host.length} characters; a host name has at most ${MAX_HOST_NAME}.`,
    };
  }
  const settings: ConnectionSettings = { host };
  if (port !== undefined) {
    try {
      settings.port = parsePort(port, `on ${origin}`);
    } catch (err) {
      return { origin, message: (err as Error).message };
    }
  }
  return { name: text, origin, layer: { source, settings } };
}

/**
 * A bad line as a message quotes it. Its password may be one the URL rules cannot delimit (an
 * unescaped `@`, `/`, `#` or space in it), so everything from the first `:` after the user name up
 * to the line's last `@` is hidden. (redactUrl, for a URL that parsed, hides only the password.)
 */
function quoted(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*):.*@/i, '$1:***@');
}

/** A URL as it may be shown: the password replaced. */
export function redactUrl(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}
