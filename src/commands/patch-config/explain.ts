/** The planner's and the reader's refusals as the sentences and exit codes a user gets. */
import { OptionFileError, type ReadOptionsResult } from '../../optionfile/index.ts';
import { UserError } from '../../output/errors.ts';
import { ExitCode } from '../../output/exit-codes.ts';
import {
  type PatchPlan,
  PatchRefused,
  planPatch,
  refusalFor,
  type SettingRequest,
} from '../../patch/plan.ts';
import { type ChainSource, readChain } from '../../serverfiles/chain.ts';
import { serverReader } from '../../serverfiles/reader.ts';
import type { ServerChoice } from './report.ts';

export function readOrExplain(source: ChainSource, choice: ServerChoice): ReadOptionsResult {
  try {
    return readChain(source, choice.views[0] ?? serverReader('mariadb', null));
  } catch (err) {
    if (err instanceof OptionFileError) {
      const refusal = refusalFor(err);
      const message =
        err.kind === 'refused'
          ? `${err.message} The server itself would not start with this file.`
          : refusal.message.replace(/ Nothing was written\.$/, '');
      throw new UserError(message, refusal.kind === 'usage' ? ExitCode.usage : ExitCode.file, { cause: err });
    }
    throw err;
  }
}

export function planOrExplain(
  source: ChainSource,
  choice: ServerChoice,
  settings: SettingRequest[],
  force: boolean,
  maxSeconds: number,
): PatchPlan {
  try {
    return planPatch({ source, views: choice.views, settings, force, maxSeconds });
  } catch (err) {
    if (err instanceof PatchRefused) {
      throw new UserError(err.message, err.kind === 'usage' ? ExitCode.usage : ExitCode.file, { cause: err });
    }
    throw err;
  }
}
