/**
 * Rewrites mysql-client-style short options into the long form yargs understands, so people can
 * type what they type for `mysql`:
 * - `-uapp -hdb1 -P3307 -S/tmp/my.sock -Dshop`: value glued to the letter;
 * - `-p` / `--password` with no value: ask for the password without echo;
 * - `-psecret`: the password, glued (a separate word after `-p` is NOT the password, as in mysql).
 */
const GLUED: Record<string, string> = { u: 'user', h: 'host', P: 'port', S: 'socket', D: 'database' };

export function normalizeArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (arg === '-p' || arg === '--password') {
      out.push('--password-prompt');
    } else if (arg.startsWith('-p') && !arg.startsWith('--')) {
      out.push(`--password=${arg.slice(2)}`);
    } else if (arg === '-?') {
      out.push('--help');
    } else if (arg === '--targets' && argv[i + 1] === '-') {
      // yargs reads a lone `-` as a positional word; `--targets -` means standard input.
      out.push('--targets=-');
      i++;
    } else {
      const glued = /^-([uhPSD])(.+)$/.exec(arg);
      out.push(glued ? `--${GLUED[glued[1] as string]}=${glued[2]}` : arg);
    }
  }
  return out;
}

/** True when the password was typed on the command line, which other users of the machine can see. */
export function passwordOnCommandLine(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some(
    (arg) =>
      arg.startsWith('--password=') || (arg.startsWith('-p') && arg.length > 2 && !arg.startsWith('--')),
  );
}

/**
 * The word typed right after a bare `-p` / `--password`, if any, and which of the two it followed.
 * In the mysql client that word is never the password, but people type `-p secret` anyway: error
 * messages must not repeat it.
 */
export function wordAfterBarePassword(
  argv: readonly string[],
): { flag: '-p' | '--password'; word: string } | undefined {
  const end = argv.indexOf('--');
  const options = end === -1 ? argv : argv.slice(0, end);
  const at = options.findIndex((arg) => arg === '-p' || arg === '--password');
  const next = at === -1 ? undefined : options[at + 1];
  if (next === undefined || next.startsWith('-')) return undefined;
  return { flag: options[at] as '-p' | '--password', word: next };
}

const SHORT: Record<string, string> = Object.fromEntries(
  Object.entries(GLUED).map(([letter, long]) => [long, letter]),
);

/**
 * How the user typed a long option on this command line: `-h` or `--host` (the last one typed,
 * since the last one wins), so that a message names what the user wrote.
 */
export function typedFlag(argv: readonly string[], long: string): string {
  const end = argv.indexOf('--');
  const options = end === -1 ? argv : argv.slice(0, end);
  const short = SHORT[long];
  for (let i = options.length - 1; i >= 0; i--) {
    const arg = options[i] as string;
    if (arg === `--${long}` || arg.startsWith(`--${long}=`)) return `--${long}`;
    if (short !== undefined && arg.startsWith(`-${short}`) && !arg.startsWith('--')) return `-${short}`;
  }
  return `--${long}`;
}
