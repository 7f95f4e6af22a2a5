import type { IO } from '../io.ts';
import { UserError } from '../output/errors.ts';
import { ExitCode } from '../output/exit-codes.ts';

/**
 * Asks for the password without echo at a terminal. From a pipe it reads one line, so
 * `printf '%s\n' "$PW" | dbcache check-timeout -p` works in scripts.
 */
export function promptPassword(io: IO, prompt = 'Enter password: '): Promise<string> {
  const { stdin } = io;
  return new Promise((resolve, reject) => {
    let typed = '';
    const raw = stdin.isTTY === true && typeof stdin.setRawMode === 'function';
    if (raw) {
      io.stderr.write(prompt);
      stdin.setRawMode?.(true);
    }
    const finish = (error?: Error) => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      if (raw) {
        stdin.setRawMode?.(false);
        io.stderr.write('\n');
      }
      stdin.pause();
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003')
          return finish(new UserError('Password entry was cancelled.', ExitCode.interrupted));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    const onEnd = () => finish();
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.resume();
  });
}
