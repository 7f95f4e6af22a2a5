/**
 * The one rule every target shares: from the idle limit W a pooled connection gets, derive how
 * long a pool may keep a connection (lifetime), how long it may leave one unused (idle timeout)
 * and how often it should touch idle ones (keepalive). Pure; the reasoning is in the README (dbcache generate).
 */

/** Sub-5-second idle limits leave no room for a lifetime below them: keep nothing idle instead. */
const TINY_TIMEOUT = 5;
/** HikariCP's default maxLifetime: long-lived connections delay rebalancing and failover. */
export const LIFETIME_CAP = 1800;
/** The idle default of Rails (idle_timeout) and Prisma 6 (max_idle_connection_lifetime). */
export const IDLE_CAP = 300;
const KEEPALIVE_CAP = 600;
const MARGIN_MIN = 2;
const MARGIN_MAX = 60;

type RuleMode = 'tiny' | 'normal' | 'capped';

export interface PoolRule {
  /** W: seconds of inactivity after which the server closes the connection. */
  timeout: number;
  /** δ: safety margin, 10 % of W, at least 2 s (reaper ticks, whole-second rounding), at most 60 s. */
  margin: number;
  /** B = W − δ: the longest a pooled connection may go without talking to the server. */
  budget: number;
  /** L: the longest a pool may keep a connection at all (age since connect). */
  lifetime: number;
  /** I for a pool whose reaper checks every second (mysql2, tarn, sequelize-pool, mariadb, Go). */
  idleTimeout: number;
  /** K: how often to ping an idle connection, where the framework can. */
  keepalive: number;
  mode: RuleMode;
}

export function derivePoolRule(timeout: number): PoolRule {
  if (!Number.isInteger(timeout) || timeout < 1)
    throw new RangeError(`A timeout must be a whole number of seconds, 1 or more (got ${timeout}).`);
  const margin = Math.min(MARGIN_MAX, Math.max(MARGIN_MIN, Math.ceil(timeout / 10)));
  const budget = timeout - margin;
  if (timeout <= TINY_TIMEOUT) {
    // Nothing may stay idle long enough to matter: every target keeps no idle connection and
    // checks each one before use; these numbers are the floor the frameworks accept.
    return {
      timeout,
      margin,
      budget: Math.max(budget, 0),
      lifetime: 1,
      idleTimeout: 1,
      keepalive: 1,
      mode: 'tiny',
    };
  }
  return {
    timeout,
    margin,
    budget,
    lifetime: Math.min(budget, LIFETIME_CAP),
    idleTimeout: idleTimeoutFor(budget, 1),
    keepalive: Math.max(1, Math.min(Math.floor(budget / 2), KEEPALIVE_CAP)),
    mode: budget > LIFETIME_CAP ? 'capped' : 'normal',
  };
}

/**
 * A reaper that runs every `reaperSeconds` may leave a connection up to one period past its idle
 * timeout before closing it, so the period comes off the budget.
 */
export function idleTimeoutFor(budget: number, reaperSeconds: number): number {
  return Math.max(1, Math.min(Math.floor(budget - reaperSeconds), IDLE_CAP));
}

/** Sentences about the timeout itself, for every target's comment block and for stderr. */
export function ruleWarnings(rule: PoolRule): string[] {
  if (rule.mode === 'tiny') {
    return [
      `wait_timeout is ${rule.timeout} s: that is almost certainly a mistake for a server that pooled applications use. ` +
        'No pool can keep an idle connection that briefly, so these settings keep no idle connections and check each one before use, ' +
        'which costs a reconnect per burst of work. Raise wait_timeout to a few minutes (dbcache set-timeout 300) and generate again.',
    ];
  }
  if (rule.mode === 'capped') {
    return [
      `wait_timeout is ${rule.timeout} s, far longer than a pool needs: lifetimes are capped at ${LIFETIME_CAP} s and idle timeouts at ${IDLE_CAP} s, ` +
        'because long-lived connections delay rebalancing and failover and some proxies and NAT gateways drop idle connections after 5 minutes. ' +
        'A lower wait_timeout (a few minutes) also frees the server from clients that leak connections.',
    ];
  }
  return [];
}
