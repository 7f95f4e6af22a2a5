import type { Connection, RowDataPacket } from 'mysql2/promise';
import { isServerError } from '../output/errors.ts';
import type { ServerIdentity } from './identity.ts';

/** ER_SPECIFIC_ACCESS_DENIED_ERROR: "you need (at least one of) the X privilege(s)". */
const ACCESS_DENIED_FOR_OPERATION = 1227;

/**
 * The account the server matched this login to, quoted for a GRANT: 'app'@'10.0.%'. That is
 * CURRENT_USER(), not the name given at login, since the grant belongs to the matched account.
 */
export async function currentAccount(connection: Connection): Promise<string> {
  const [rows] = await connection.query<RowDataPacket[]>('SELECT CURRENT_USER() AS account');
  return quoteAccount(String(rows[0]?.account ?? ''));
}

/**
 * "app@10.0.%" → "'app'@'10.0.%'"; the host is after the last @, since user names may hold one.
 * The GRANT is pasted into someone else's session, whose sql_mode is unknown: a quote is doubled
 * (`''`), which every mode reads the same, never backslash-escaped, which NO_BACKSLASH_ESCAPES
 * reads differently. A name with a backslash, which the modes read differently inside '...',
 * is quoted as an identifier instead (`` `a\b` ``), where a backslash is always just itself.
 */
export function quoteAccount(account: string): string {
  const at = account.lastIndexOf('@');
  const user = at < 0 ? account : account.slice(0, at);
  const host = at < 0 ? '%' : account.slice(at + 1);
  return `${quoteAccountPart(user)}@${quoteAccountPart(host)}`;
}

function quoteAccountPart(text: string): string {
  if (text.includes('\\')) return `\`${text.replaceAll('`', '``')}\``;
  return `'${text.replaceAll("'", "''")}'`;
}

interface PrivilegeNeed {
  /** The privilege to grant: the current name, not a deprecated one. */
  privilege: string;
  /** How to say it in a sentence, alternatives included. */
  described: string;
}

/**
 * What changing a global variable at run time needs. MariaDB 10.11: SUPER
 * (PRIV_SET_GLOBAL_SYSTEM_VARIABLE in sql/privilege.h). MySQL 8: SYSTEM_VARIABLES_ADMIN, or the
 * deprecated SUPER; the same for SET PERSIST and RESET PERSIST of a dynamic variable.
 */
export function setGlobalPrivilege(identity: ServerIdentity): PrivilegeNeed {
  if (identity.flavor === 'MariaDB') return { privilege: 'SUPER', described: 'the SUPER privilege' };
  if (identity.major >= 8) {
    return {
      privilege: 'SYSTEM_VARIABLES_ADMIN',
      described: 'the SYSTEM_VARIABLES_ADMIN privilege (or the deprecated SUPER)',
    };
  }
  return { privilege: 'SUPER', described: 'the SUPER privilege' };
}

export const grantStatement = (privilege: string, account: string): string =>
  `GRANT ${privilege} ON *.* TO ${account};`;

/** True for the server's "you need (at least one of) the … privilege(s)" refusal. */
export const isAccessDenied = (err: unknown): boolean =>
  isServerError(err) && err.errno === ACCESS_DENIED_FOR_OPERATION;
