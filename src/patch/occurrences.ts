/**
 * Where a variable is set in the options the server reads, in read order. Besides the plain
 * name in any spelling (`wait-timeout`, `Loose_Wait_Timeout`), my_getopt accepts forms that
 * dbcache does not edit: a unique prefix (`wait_tim=125`, `wait=5`) and `skip-`, `disable-`,
 * `enable-` or `autoset-` in front of the name or of a prefix (all checked with
 * `mariadbd --verbose --help`). `maximum-wait_timeout` only caps SET SESSION and is left alone.
 */
import type { ResolvedOption } from '../optionfile/index.ts';

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

/** The occurrence the server ends up with: the last one read, whatever its form. */
export function winningOccurrence(options: readonly ResolvedOption[], setting: SettingName) {
  return occurrencesOf(options, setting).at(-1);
}
