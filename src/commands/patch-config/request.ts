import { formatDuration, MAX_TIMEOUT, MIN_TIMEOUT, parseDuration } from '../../duration.ts';
import { usageError } from '../../output/errors.ts';
import type { SettingName } from '../../patch/occurrences.ts';
import type { SettingRequest } from '../../patch/plan.ts';
import type { PatchConfigOptions } from './index.ts';

/** Below this a pool cannot keep a connection between ordinary requests; it takes --force. */
export const FORCE_BELOW = 10;

const NOTHING = 'Nothing was written.';

/** The seconds asked for with `--wait-timeout` / `--interactive-timeout`, checked before any file is read. */
export function parseSettingValue(name: SettingName, raw: unknown, force: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const flag = `--${name.replace('_', '-')}`;
  const text = String(raw);
  const seconds = parseDuration(text);
  if (seconds instanceof Error) throw usageError(`${flag}: ${seconds.message} ${NOTHING}`);
  if (seconds < MIN_TIMEOUT || seconds > MAX_TIMEOUT) {
    throw usageError(
      `${flag}: ${name} goes from ${MIN_TIMEOUT} to ${MAX_TIMEOUT} s (${formatDuration(MAX_TIMEOUT)}), and ${text} is ${seconds} s. ${NOTHING}`,
    );
  }
  if (seconds < FORCE_BELOW && !force) {
    throw usageError(
      `${flag}: ${seconds} s makes pooled applications reconnect constantly, since the server would close every connection idle for ${seconds} s. If that is what you want, add --force. ${NOTHING}`,
    );
  }
  return seconds;
}

/** The settings asked for, within the ceiling of the server at hand (lower on Windows). */
export function requestedSettings(options: PatchConfigOptions, maxSeconds: number): SettingRequest[] {
  const settings: SettingRequest[] = [];
  const add = (name: SettingName, seconds: number | undefined) => {
    if (seconds === undefined) return;
    if (seconds > maxSeconds) {
      throw usageError(
        `${name}: ${seconds} s is more than this server allows on Windows: ${maxSeconds} s (${formatDuration(maxSeconds)}). Nothing was written.`,
      );
    }
    settings.push({ name, seconds });
  };
  add('wait_timeout', options.waitTimeout);
  add('interactive_timeout', options.interactiveTimeout);
  return settings;
}
