import { homedir } from 'node:os';
import type { IO } from '../io.ts';
import {
  applyDefaultsFlags,
  CLIENT_GROUPS,
  clientOptionFiles,
  nodeFs,
  OptionFileError,
  readOptions,
} from '../optionfile/index.ts';
import { UserError } from '../output/errors.ts';
import { ExitCode } from '../output/exit-codes.ts';
import type { ClientOption, ConnectionFlags } from './sources.ts';

/**
 * The client groups of the standard option files, read with the same option-file model that
 * patch-config edits, so that dbcache sees exactly what the mysql client sees.
 */
export function readClientOptions(flags: ConnectionFlags, io: IO): ClientOption[] {
  const home = homedir();
  const files = applyDefaultsFlags(
    {
      noDefaults: flags.noDefaults === true,
      ...(flags.defaultsFile !== undefined ? { defaultsFile: flags.defaultsFile } : {}),
      ...(flags.defaultsExtraFile !== undefined ? { defaultsExtraFile: flags.defaultsExtraFile } : {}),
    },
    clientOptionFiles({ platform: process.platform, env: io.env, home, flavor: 'mariadb' }),
  );
  try {
    const { options, warnings } = readOptions({
      files,
      groups: CLIENT_GROUPS,
      fs: nodeFs,
      cwd: io.cwd,
      platform: process.platform,
      home,
    });
    // The client prints these too: a skipped world-writable ~/.my.cnf otherwise surfaces only
    // as a puzzling "access denied".
    for (const warning of warnings) io.stderr.write(`dbcache: warning: ${warning}\n`);
    return options.map((option) => ({
      name: option.name,
      value: option.value,
      file: option.file,
      line: option.line,
    }));
  } catch (err) {
    if (err instanceof OptionFileError) throw new UserError(err.message, ExitCode.file, { cause: err });
    throw err;
  }
}
