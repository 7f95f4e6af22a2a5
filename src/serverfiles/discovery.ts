/**
 * Which option files the server reads at its next start: one answer for patch-config and for
 * check-timeout's drift, so that the two never disagree about the same server.
 */
import { resolve } from 'node:path';
import type { Flavor, OptionFileRef, OptionFileSystem } from '../optionfile/index.ts';
import type { ChainSource } from './chain.ts';
import { filesFromStartup, type ServerStartup } from './running-server.ts';
import { defaultServerFiles, type ServerProgram } from './server-program.ts';

export interface DiscoveryInput {
  platform: NodeJS.Platform;
  /** dbcache's environment: MYSQL_HOME / MARIADB_HOME add a file, %WINDIR% places my.ini. */
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  flavor: Flavor;
  fs: OptionFileSystem;
  /** The current directory: `--file` and relative paths in files not read from a running server. */
  cwd: string;
  /** `--file`: only this file (and what it includes). */
  file?: string;
  /** The running server's command line, when it could be read. */
  startup: ServerStartup | null;
  /** The installed server program; asked only when the default files are needed. */
  program(): ServerProgram | null;
  /** The default files, when given (tests): then the program is not asked. */
  defaultFiles?: readonly OptionFileRef[];
}

interface ServerFiles {
  source: ChainSource;
  /** `--defaults-group-suffix` on the server's command line. */
  groupSuffix: string | null;
  /** The server was started with `--no-defaults`: it reads no file. */
  noDefaults: boolean;
}

export function serverFiles(input: DiscoveryInput): ServerFiles {
  const base = { fs: input.fs, platform: input.platform, home: input.home };
  if (input.file !== undefined) {
    return {
      source: { ...base, files: [{ path: resolve(input.cwd, input.file), required: true }], cwd: input.cwd },
      groupSuffix: null,
      noDefaults: false,
    };
  }
  const defaults = () => {
    if (input.defaultFiles) return [...input.defaultFiles];
    const program = input.program();
    return defaultServerFiles({
      platform: input.platform,
      env: input.env,
      home: input.home,
      flavor: input.flavor,
      program: program !== null && program.flavor === input.flavor ? program : null,
    });
  };
  if (input.startup === null) {
    return { source: { ...base, files: defaults(), cwd: input.cwd }, groupSuffix: null, noDefaults: false };
  }
  const started = filesFromStartup(input.startup, defaults);
  // The server resolved relative paths (a relative --defaults-file, a relative !include) against
  // the directory it was started from; it has moved to its data directory since, and where it
  // was started is not recorded anywhere: a relative path cannot be followed.
  return {
    source: { ...base, files: started.files, cwd: null },
    groupSuffix: started.groupSuffix,
    noDefaults: started.noDefaults,
  };
}
