/** Which server this is, from what it says about itself. Pure: tested on captured values. */
export type Flavor = 'MariaDB' | 'MySQL' | 'Percona Server';

export interface ManagedService {
  provider: 'Amazon RDS' | 'Amazon Aurora' | 'Google Cloud SQL' | 'Azure Database for MySQL';
  /** Where the server's settings live instead of SET GLOBAL / my.cnf. */
  settingsLiveIn: string;
}

export interface ServerIdentity {
  flavor: Flavor;
  /** The numeric version, e.g. "10.11.19" (the full string is in `versionString`). */
  version: string;
  versionString: string;
  versionComment: string;
  major: number;
  minor: number;
  /** The OS the server was built for (`version_compile_os`): Windows servers have a lower timeout ceiling. */
  compileOs: string;
  managed: ManagedService | null;
}

/** Variables that identify the server; read together with the rest in one query. */
export const IDENTITY_VARIABLES = [
  'version',
  'version_comment',
  'version_compile_os',
  'basedir',
  'aurora_version',
];

export function identifyServer(variables: Record<string, string | undefined>): ServerIdentity {
  const versionString = variables.version ?? '';
  const versionComment = variables.version_comment ?? '';
  const numeric = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(versionString);
  const major = numeric ? Number(numeric[1]) : 0;
  const minor = numeric ? Number(numeric[2]) : 0;
  let flavor: Flavor = 'MySQL';
  if (/mariadb/i.test(versionString) || /mariadb/i.test(versionComment)) flavor = 'MariaDB';
  else if (/percona/i.test(versionComment) || /percona/i.test(versionString)) flavor = 'Percona Server';
  return {
    flavor,
    version: numeric ? numeric[0] : versionString,
    versionString,
    versionComment,
    major,
    minor,
    compileOs: variables.version_compile_os ?? '',
    managed: detectManaged(variables),
  };
}

function detectManaged(variables: Record<string, string | undefined>): ManagedService | null {
  const basedir = variables.basedir ?? '';
  if (variables.aurora_version !== undefined) {
    return {
      provider: 'Amazon Aurora',
      settingsLiveIn: 'the DB cluster parameter group (or the DB parameter group)',
    };
  }
  if (basedir.startsWith('/rdsdbbin')) {
    return { provider: 'Amazon RDS', settingsLiveIn: 'the DB parameter group attached to the instance' };
  }
  if (/google/i.test(variables.version_comment ?? '')) {
    return {
      provider: 'Google Cloud SQL',
      settingsLiveIn: 'the instance database flags (gcloud sql instances patch --database-flags)',
    };
  }
  // Only what the service itself says: a host name with "azure" in it may be anyone's VM.
  if (/azure/i.test(variables.version_comment ?? '')) {
    return {
      provider: 'Azure Database for MySQL',
      settingsLiveIn: 'the server parameters in the Azure portal or `az mysql flexible-server parameter set`',
    };
  }
  return null;
}

/** True on servers built for Windows, where timeouts stop at 2147483 s. */
export const isWindowsServer = (identity: ServerIdentity): boolean => /^win/i.test(identity.compileOs);

/** MySQL 8.0+ has SET PERSIST and performance_schema.variables_info; MariaDB and Percona 5.x do not. */
export const hasSetPersist = (identity: ServerIdentity): boolean =>
  identity.flavor !== 'MariaDB' && identity.major >= 8;
