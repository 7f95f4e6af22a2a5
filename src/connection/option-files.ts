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
  const files = applyDefaultsFlags(
    {
      noDefaults: flags.noDefaults === true,
      ...(flags.defaultsFile !== undefined ? { defaultsFile: flags.defaultsFile } : {}),
      ...(flags.defaultsExtraFile !== undefined ? { defaultsExtraFile: flags.defaultsExtraFile } : {}),
    },
    clientOptionFiles({ platform: process.platform, env: io.env, home: homedir(), flavor: 'mariadb' }),
  );
  try {
    const { options } = readOptions({
      files,
      groups: CLIENT_GROUPS,
      fs: nodeFs,
      cwd: io.cwd,
      platform: process.platform,
    });
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
