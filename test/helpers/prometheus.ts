/**
 * The real Prometheus tools the OpenMetrics output is proven with (Debian's `prometheus` and
 * `prometheus-node-exporter`, installed by .ci/run): promtool's checks, and node_exporter's
 * textfile collector scraped on 127.0.0.1.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { freePort } from './server.ts';

export const promtool = (args: string[], input?: string) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile('promtool', args, { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input ?? '');
  });

/**
 * What node_exporter exports with its textfile collector pointed at `directory` (and nothing
 * else): its /metrics page once it mentions `expected`, or the last page seen after 5 s.
 */
export async function scrapeTextfiles(directory: string, expected: string): Promise<string> {
  const port = await freePort();
  const exporter: ChildProcess = spawn(
    'prometheus-node-exporter',
    [
      `--web.listen-address=127.0.0.1:${port}`,
      '--collector.disable-defaults',
      '--collector.textfile',
      `--collector.textfile.directory=${directory}`,
    ],
    { stdio: 'ignore' },
  );
  try {
    let scraped = '';
    for (let attempt = 0; attempt < 50 && !scraped.includes(expected); attempt++) {
      scraped = await fetch(`http://127.0.0.1:${port}/metrics`)
        .then((response) => response.text())
        .catch(() => '');
      if (!scraped.includes(expected)) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return scraped;
  } finally {
    exporter.kill();
  }
}
