/**
 * What to do about a server's wait_timeout, in words that fit this server and in the order that
 * is safe to follow. Shared by check-timeout's findings and set-timeout's notes. Pure.
 *
 * The order matters when the timeout goes down: a pool that keeps connections idle longer than
 * the new value gets "MySQL server has gone away" from the moment the server closes them. So
 * the pools change first (they keep working under the old, longer limit), the server second.
 * Raising the timeout is safe in either order.
 */
import { hasSetPersist, type ServerIdentity } from './identity.ts';

/** What advice needs to know about the server. */
export interface AdviceContext {
  identity: ServerIdentity;
  /**
   * The option files the server says its settings came from: empty when none (started with
   * --no-defaults), null or absent when it cannot say.
   */
  configFiles?: string[] | null | undefined;
  /** False when the server is not on this machine (patch-config must run where its files are). */
  local?: boolean | null | undefined;
}

/** True when the server says it took no setting from any option file. */
export const readsNoOptionFile = (server: AdviceContext): boolean =>
  Array.isArray(server.configFiles) && server.configFiles.length === 0;

/**
 * How to make `seconds` last across the server's restarts: a phrase that follows "keep it
 * across restarts with". Never patch-config for a server that reads no option file
 * (patch-config refuses it).
 */
export function keepAcrossRestarts(seconds: number, server: AdviceContext): string {
  const { identity } = server;
  if (identity.managed) return `wait_timeout = ${seconds} set in ${identity.managed.settingsLiveIn}`;
  const persist = hasSetPersist(identity) ? `dbcache set-timeout ${seconds} --persist (SET PERSIST)` : null;
  if (readsNoOptionFile(server)) {
    const startup = `--wait-timeout=${seconds} on the command that starts the server (its service unit or start script: it reads no option file, as when started with --no-defaults, so dbcache patch-config cannot keep it)`;
    return persist ? `${persist}, or ${startup}` : startup;
  }
  const where = server.local === false ? ", run on the server's machine" : '';
  const patch = `dbcache patch-config --wait-timeout ${seconds}${where}`;
  return persist ? `${persist}, or ${patch}` : patch;
}

/**
 * The condition to put before any step that lowers the server's timeout to `seconds` (applying
 * a file's lower value, restarting into it): "once every pool retires ...".
 */
export const oncePoolsRetireBefore = (seconds: number): string =>
  `once every pool retires idle connections before ${seconds} s (dbcache generate <framework> --timeout ${seconds})`;

/** Lowering the server's timeout to `seconds`, pools first. `lead` names the move. */
export function lowerPoolsFirst(
  seconds: number,
  server: AdviceContext,
  lead = 'Lower it to minutes',
): string {
  const apply = server.identity.managed
    ? `set wait_timeout = ${seconds} in ${server.identity.managed.settingsLiveIn}`
    : `lower the server's timeout with dbcache set-timeout ${seconds} and keep it across restarts with ${keepAcrossRestarts(seconds, server)}`;
  return (
    `${lead}, pools first: 1. make every application's pool retire idle connections before ${seconds} s ` +
    `(dbcache generate <framework> --timeout ${seconds}), deploy that, and check with dbcache watch-connections that each client is stable ` +
    `(the same connection ids from tick to tick; old ones recycled, none closed by wait_timeout); 2. only then ${apply}. ` +
    `The other way round, pools that still keep connections idle longer than ${seconds} s get "MySQL server has gone away".`
  );
}

/** The warning for a change that lowers the timeout: which pools it breaks, and the way back. */
export function poolsBeforeLowering(seconds: number, before: number, done: boolean): string {
  const ready = `dbcache generate <framework> --timeout ${seconds}, deployed, and dbcache watch-connections showing each client stable`;
  return done
    ? `This lowered wait_timeout from ${before} s to ${seconds} s: a pool that keeps connections idle longer than ${seconds} s now gets "MySQL server has gone away". ` +
        `If any pool was not set up for ${seconds} s first (${ready}), put the old value back (the undo below) until it is.`
    : `This lowers wait_timeout from ${before} s to ${seconds} s: a pool that keeps connections idle longer than ${seconds} s would get "MySQL server has gone away". ` +
        `Pools come first: ${ready}, before you run this.`;
}
