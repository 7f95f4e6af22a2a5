/**
 * Where a variable is set in the options the server reads, in read order. Besides the plain
 * name in any spelling (`wait-timeout`, `Loose_Wait_Timeout`), my_getopt accepts forms that
 * dbcache does not edit: a unique prefix (`wait_tim=125`, `wait=5`) and `skip-`, `disable-`,
 * `enable-` or `autoset-` in front of the name or of a prefix (all checked with
 * `mariadbd --verbose --help`). `maximum-wait_timeout` only caps SET SESSION and is left alone.
 */
import type { Flavor, ResolvedOption } from '../optionfile/index.ts';
import { readTimeoutValue, type TimeoutReading } from './server-value.ts';

export type SettingName = 'wait_timeout' | 'interactive_timeout';

export const SETTING_NAMES: readonly SettingName[] = ['wait_timeout', 'interactive_timeout'];

export interface Occurrence {
  option: ResolvedOption;
  /** `exact`: the variable's own name; `alias`: a form the server also takes for it. */
  form: 'exact' | 'alias';
}

const FLAG_PREFIX = /^(skip|disable|enable|autoset)_/;

/** How the server would take an option name (already normalized) with respect to `setting`. */
export function formOf(name: string, setting: SettingName): Occurrence['form'] | null {
  if (name === setting) return 'exact';
  const bare = name.replace(FLAG_PREFIX, '');
  if (bare.length > 0 && setting.startsWith(bare) && (bare !== name || bare.length < setting.length)) {
    return 'alias';
  }
  return null;
}

export function occurrencesOf(options: readonly ResolvedOption[], setting: SettingName): Occurrence[] {
  return options.flatMap((option) => {
    const form = formOf(option.name, setting);
    return form === null ? [] : [{ option, form }];
  });
}

/** What the options give a setting, the one answer for the planner, the checks and drift. */
export interface SettingReading {
  /** The occurrence the server uses; undefined when no file sets it (the compiled-in default). */
  winner: Occurrence | undefined;
  /**
   * What the server gets from it; null when no file sets it, the server rejects the value (or an
   * earlier one: it stops at the first value it rejects), or dbcache cannot tell.
   */
  seconds: number | null;
  /**
   * The plain name with a value the server takes as written (`600`, `+600`, `"600"`): no alias
   * and nothing clamped. This is the form patch-config writes, and the only one it counts as set.
   */
  plain: boolean;
  /** An occurrence, in read order, whose value the server rejects or dbcache cannot read; else null. */
  unreadable: { occurrence: Occurrence; kind: 'refused' | 'unsure'; reason: string } | null;
}

const FLAG_FORM = /^(skip|disable|enable)_/;

/** What the server makes of one occurrence. `skip-wait-timeout` and friends set 0 (raised to 1) or 1. */
export function readOccurrence(
  occurrence: Occurrence,
  maxSeconds: number,
  flavor: Flavor | null,
): TimeoutReading {
  const flag = occurrence.form === 'alias' && FLAG_FORM.test(occurrence.option.name);
  return readTimeoutValue(flag ? '1' : occurrence.option.value, maxSeconds, flavor);
}

/**
 * `flavor`: whose number rules apply (null: not known, then only values both flavors read alike
 * have a reading). The server reads every occurrence, in order, and refuses to start at the
 * first value it rejects, even one a later line overrides.
 */
export function settingReading(
  options: readonly ResolvedOption[],
  setting: SettingName,
  maxSeconds: number,
  flavor: Flavor | null,
): SettingReading {
  const occurrences = occurrencesOf(options, setting);
  const winner = occurrences.at(-1);
  if (winner === undefined) return { winner, seconds: null, plain: false, unreadable: null };
  let unreadable: SettingReading['unreadable'] = null;
  for (const occurrence of occurrences) {
    const reading = readOccurrence(occurrence, maxSeconds, flavor);
    if (!reading.ok) {
      unreadable = { occurrence, kind: reading.kind, reason: reading.reason };
      break;
    }
  }
  const reading = readOccurrence(winner, maxSeconds, flavor);
  const usable = reading.ok && unreadable === null;
  return {
    winner,
    seconds: usable ? reading.seconds : null,
    plain: usable && winner.form === 'exact' && reading.adjusted === null,
    unreadable,
  };
}

/** The files give exactly `seconds`, written the way patch-config writes it. */
export function givesExactly(reading: SettingReading, seconds: number): boolean {
  return reading.plain && reading.seconds === seconds;
}
