/**
 * Writing, with the checks around it: the plan made again right before (another program may
 * have changed a file meanwhile), and the files read back after, as the server reads them.
 */
import { OptionFileError, type ReadOptionsResult } from '../../optionfile/index.ts';
import { UserError } from '../../output/errors.ts';
import { ExitCode } from '../../output/exit-codes.ts';
import { givesExactly, settingReading } from '../../patch/occurrences.ts';
import {
  type PatchPlan,
  PatchRefused,
  refuseUnreadable,
  type SettingRequest,
  valueFlavor,
} from '../../patch/plan.ts';
import { type WriteHooks, type WrittenFile, writeChanges } from '../../patch/write.ts';
import { type ChainSource, firstDifference, readChain } from '../../serverfiles/chain.ts';
import { planOrExplain } from './explain.ts';
import type { ServerChoice } from './report.ts';

interface WriteRequest {
  plan: PatchPlan;
  source: ChainSource;
  choice: ServerChoice;
  settings: SettingRequest[];
  force: boolean;
  maxSeconds: number;
}

/** Plans again, writes, reads back: the files give the requested values, or the command fails saying how to restore. */
export function writeSafely(request: WriteRequest, now: Date, hooks?: WriteHooks): WrittenFile[] {
  const { plan, source, choice, settings, force, maxSeconds } = request;
  replanOrAbort(plan, source, choice, settings, force, maxSeconds);
  const written = writeChanges(plan.changes, now, hooks);
  confirmOnDisk(source, choice, settings, written, maxSeconds);
  return written;
}

/**
 * Right before writing, every file of the chain is read again and the plan made again: while
 * the question waited (or since the first read) another program may have changed any file,
 * also one that is not edited but would override the edit.
 */
function replanOrAbort(
  plan: PatchPlan,
  source: ChainSource,
  choice: ServerChoice,
  settings: SettingRequest[],
  force: boolean,
  maxSeconds: number,
): void {
  const again = planOrExplain(source, choice, settings, force, maxSeconds);
  const changed =
    firstDifference(plan.chain, again.chain) ??
    (samePlan(plan, again) ? null : (plan.changes[0]?.path ?? 'an option file'));
  if (changed !== null) {
    throw new UserError(
      `${changed} changed since dbcache read it, so the change shown may no longer be the right one. Run dbcache again to see it against what the files hold now. Nothing was written.`,
      ExitCode.file,
    );
  }
}

function samePlan(a: PatchPlan, b: PatchPlan): boolean {
  const key = (plan: PatchPlan) =>
    JSON.stringify([
      plan.changes.map((change) => [
        change.realPath,
        change.before.toString('hex'),
        change.after.toString('hex'),
      ]),
      plan.settings,
    ]);
  return key(a) === key(b);
}

/**
 * The files on disk, read as the server reads them, now give the requested values: every file
 * of the chain readable by dbcache, and the winning line exactly what was planned.
 */
function confirmOnDisk(
  source: ChainSource,
  choice: ServerChoice,
  settings: readonly SettingRequest[],
  written: readonly WrittenFile[],
  maxSeconds: number,
): void {
  const backups = written.map((file) => `${file.realPath} from ${file.backup}`).join(', ');
  const failure = (why: string) =>
    new UserError(`After writing, ${why}. Restore ${backups} if needed.`, ExitCode.file);
  for (const view of choice.views) {
    let chain: ReadOptionsResult;
    try {
      chain = readChain(source, view);
      refuseUnreadable(chain);
    } catch (err) {
      if (!(err instanceof OptionFileError || err instanceof PatchRefused)) throw err;
      throw failure(
        `the files cannot be read back as the server reads them (${err.message.replace(/\.?( Nothing was written\.)?$/, '')})`,
      );
    }
    for (const setting of settings) {
      if (
        !givesExactly(
          settingReading(chain.options, setting.name, maxSeconds, valueFlavor(choice.views)),
          setting.seconds,
        )
      ) {
        throw failure(
          `the files do not give ${setting.name} = ${setting.seconds} when read back (another program may have changed them)`,
        );
      }
    }
  }
}
