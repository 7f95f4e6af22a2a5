import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { printReport } from '../../src/output/print.ts';
import { memoryIO } from '../helpers/io.ts';

test('printReport: --json prints the model and never loads the human view', async () => {
  const { io, captured } = memoryIO();
  await printReport(io, { b: 1, a: [2] }, true, () => assert.fail('the view was loaded for --json'));
  assert.equal(captured.stdout, '{\n  "b": 1,\n  "a": [\n    2\n  ]\n}\n');
});

test("printReport: the human view is drawn with the stream's colors and width, text or bytes", async () => {
  const { io, captured } = memoryIO({ COLUMNS: '72', FORCE_COLOR: '1' });
  await printReport(
    io,
    { n: 3 },
    false,
    async () => (report, color, width) => `${color.bold(String(report.n))} ${width}\n`,
  );
  assert.equal(captured.stdout, '\u001b[1m3\u001b[22m 72\n');
  const plain = memoryIO();
  await printReport(
    plain.io,
    'é',
    false,
    async () => (report) => Buffer.from(report, 'latin1'),
    plain.io.stderr,
  );
  assert.equal(plain.captured.stderr, Buffer.from('é', 'latin1').toString('utf8'));
});

test('every command prints its report through printReport, the one printer seam', () => {
  const commands = join(import.meta.dirname, '../../src/commands');
  const seen: string[] = [];
  for (const name of readdirSync(commands)) {
    // A live view that redraws tick by tick (src/watch), not one report printed once.
    if (name === 'watch-connections') continue;
    let source: string;
    try {
      source = readFileSync(join(commands, name, 'index.ts'), 'utf8');
    } catch {
      continue;
    }
    // The report's renderer is loaded by the printer, never imported and called here.
    assert.doesNotMatch(source, /import \{[^}]*render\w*[^}]*\} from '\.\/render\.ts'/, name);
    assert.doesNotMatch(source, /colorFor\(io\.stdout/, name);
    if (/print(Report|Formatted)\(/.test(source)) seen.push(name);
  }
  assert.deepEqual(seen.sort(), [
    'bench',
    'check-timeout',
    'generate',
    'patch-config',
    'probe-idle',
    'set-timeout',
  ]);
});
