import { Chalk, type ChalkInstance, supportsColor } from 'chalk';
import type { IO, Output } from '../io.ts';

/**
 * Colors only for a person at a terminal: never in pipes, files or CI logs, never with
 * NO_COLOR set (https://no-color.org), always with FORCE_COLOR.
 */
export function colorFor(stream: Output, env: IO['env']): ChalkInstance {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return new Chalk({ level: 0 });
  const forced = env.FORCE_COLOR;
  if (forced !== undefined && forced !== '' && forced !== '0' && forced !== 'false') {
    return new Chalk({ level: 1 });
  }
  if (!stream.isTTY) return new Chalk({ level: 0 });
  return new Chalk({ level: supportsColor ? supportsColor.level : 0 });
}

export type Severity = 'ok' | 'info' | 'warning' | 'critical';

export function paintSeverity(color: ChalkInstance, severity: Severity): string {
  switch (severity) {
    case 'ok':
      return color.green('ok');
    case 'info':
      return color.cyan('info');
    case 'warning':
      return color.yellow('warning');
    case 'critical':
      return color.red.bold('critical');
  }
}
