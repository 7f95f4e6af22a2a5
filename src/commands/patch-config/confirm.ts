import type { IO } from '../../io.ts';

/**
 * Asks a yes/no question at the terminal; anything but y or yes (or end of input) is no. The
 * question goes to stderr: stdout may be a file (`> log`) or a pipe, where nobody would see it.
 */
export function confirm(io: IO, question: string): Promise<boolean> {
  const { stdin } = io;
  io.stderr.write(question);
  return new Promise((resolve) => {
    let typed = '';
    const finish = () => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', finish);
      stdin.pause();
      resolve(/^\s*y(es)?\s*$/i.test(typed));
    };
    const onData = (chunk: Buffer | string) => {
      typed += chunk.toString();
      if (typed.includes('\n') || typed.includes('\r')) {
        typed = typed.split(/[\r\n]/)[0] ?? '';
        finish();
      }
    };
    stdin.on('data', onData);
    stdin.on('end', finish);
    stdin.resume();
  });
}
