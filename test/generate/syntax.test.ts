/**
 * Every target's output is valid in its language, for every variant (timeouts from tiny to
 * capped, socket and TCP, TLS, quotes in names, framework versions). Python and JavaScript are
 * parsed by their own interpreters, Java is compiled by javac against signature stubs of
 * HikariCP, Rails' YAML is loaded by PyYAML after ERB; Go has no toolchain here, so its output
 * gets a structural check.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Generated, Language } from '../../src/generate/context.ts';
import { TARGETS } from '../../src/generate/targets.ts';
import { contextFor, VARIANTS } from './contexts.ts';

const run = promisify(execFile);
/** Debian's interpreter has PyYAML (and Django/SQLAlchemy); a pyenv python3 first on PATH may not. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

interface Sample extends Generated {
  target: string;
  variant: string;
  language: Language;
}

const samples: Sample[] = VARIANTS.flatMap(({ label, options }) =>
  TARGETS.map((target) => {
    const generated = target.generate(contextFor(options));
    return {
      ...generated,
      target: target.name,
      variant: label,
      language: generated.language ?? target.language,
    };
  }),
);
const of = (language: Language) => samples.filter((sample) => sample.language === language);

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dbcache-generate-syntax-'));
});
after(() => rm(dir, { recursive: true, force: true }));

test('every language is covered', () => {
  for (const language of ['python', 'javascript', 'go', 'java', 'yaml', 'dotenv'] as const)
    assert.ok(of(language).length > 0, language);
});

test('Python targets parse (ast.parse)', () => {
  const script = [
    'import ast, json, sys',
    'for item in json.load(sys.stdin):',
    '    try:',
    '        ast.parse(item["code"])',
    '    except SyntaxError as error:',
    '        print(item["name"], error)',
  ].join('\n');
  const input = JSON.stringify(
    of('python').map((sample) => ({ name: `${sample.target} (${sample.variant})`, code: sample.code })),
  );
  const errors = execFileSync(PYTHON, ['-c', script], { input, encoding: 'utf8' });
  assert.equal(errors, '');
});

test('Python parsing catches a broken file (the check above can fail)', () => {
  const script =
    'import ast, sys\ntry:\n    ast.parse(sys.stdin.read())\nexcept SyntaxError:\n    print("bad")';
  assert.equal(
    execFileSync(PYTHON, ['-c', script], { input: 'DATABASES = {"a": 1,,}', encoding: 'utf8' }).trim(),
    'bad',
  );
});

test('JavaScript targets parse as ES modules (node --check)', async () => {
  const files = of('javascript');
  await Promise.all(
    files.map(async (sample, index) => {
      const file = join(dir, `js-${index}.mjs`);
      await writeFile(file, sample.code);
      await run(process.execPath, ['--check', file]).catch((error: { stderr?: string }) => {
        assert.fail(`${sample.target} (${sample.variant}) does not parse:\n${error.stderr}`);
      });
    }),
  );
  const broken = join(dir, 'broken.mjs');
  await writeFile(broken, 'export const pool = createPool({ a: 1,, });');
  await assert.rejects(run(process.execPath, ['--check', broken]));
});

test('Java (HikariCP) compiles with javac against HikariCP signature stubs', async () => {
  const stubs = fileURLToPath(new URL('./fixtures/hikari-stubs/com/zaxxer/hikari/', import.meta.url));
  const sources = [join(stubs, 'HikariConfig.java'), join(stubs, 'HikariDataSource.java')];
  for (const [index, sample] of of('java').entries()) {
    const packageDir = join(dir, 'java', `v${index}`);
    await mkdir(packageDir, { recursive: true });
    const file = join(packageDir, 'DatabasePool.java');
    await writeFile(file, `package v${index};\n${sample.code}`);
    sources.push(file);
  }
  await run('javac', ['-Xlint:all', '-Werror', '-d', join(dir, 'classes'), ...sources]).catch(
    (error: { stderr?: string }) => assert.fail(`javac refused the generated Java:\n${error.stderr}`),
  );
});

test("Rails' database.yml loads as YAML after ERB, with the keys Rails reads and the names as given", () => {
  // ERB as Rails applies it: "<%%" prints "<%", a "<%= ... %>" tag is replaced by its value, and
  // any other "<%" would run Ruby, which must not happen.
  const script = [
    'import json, re, sys, yaml',
    'out = []',
    'for item in json.load(sys.stdin):',
    '    text = item.replace("<%%", "\\0")',
    '    text = re.sub(r"<%=.*?%>", "from-erb", text)',
    '    if "<%" in text: raise SystemExit("ERB would run Ruby in: " + text)',
    '    out.append(yaml.safe_load(text.replace("\\0", "<%")))',
    'print(json.dumps(out))',
  ].join('\n');
  const yamls = of('yaml');
  const loaded = JSON.parse(
    execFileSync(PYTHON, ['-c', script], {
      input: JSON.stringify(yamls.map((sample) => sample.code)),
      encoding: 'utf8',
    }),
  ) as Array<{
    production: Record<string, unknown>;
  }>;
  for (const [index, document] of loaded.entries()) {
    const { production } = document;
    const sample = yamls[index];
    const settings = sample?.settings ?? {};
    assert.equal(production.adapter, 'mysql2');
    assert.equal(production.encoding, 'utf8mb4');
    assert.equal(production.password, 'from-erb');
    assert.equal(production.idle_timeout, settings.idle_timeout);
    assert.equal(production.reaping_frequency, settings.reaping_frequency);
    assert.equal(production.wait_timeout, settings.wait_timeout ?? undefined);
    assert.ok(production.pool === settings.pool || production.max_connections === settings.pool);
    const options = VARIANTS.find((variant) => variant.label === sample?.variant)?.options ?? {};
    if (options.database !== undefined) assert.equal(production.database, options.database, sample?.variant);
    if (options.socket !== undefined) assert.equal(production.socket, options.socket, sample?.variant);
    if (options.ssl?.ca && options.ssl.mode !== 'PREFERRED')
      assert.equal(production.sslca, options.ssl.ca, sample?.variant);
  }
  const erb = yamls.flatMap((sample) => sample.code.match(/<%(?!%).*?%>/g) ?? []);
  assert.ok(
    erb.every((tag) => tag === '<%= ENV.fetch("DB_PASSWORD", "") %>'),
    `the only ERB is the password lookup: ${erb.join(', ')}`,
  );
  assert.ok(
    yamls.some((sample) => sample.code.includes('<%%=')),
    'a variant has ERB syntax in a name (the check above can fail)',
  );
});

test('Go is well-formed (structural: no Go toolchain on this machine)', () => {
  for (const sample of of('go')) {
    const name = `${sample.target} (${sample.variant})`;
    const code = sample.code.replace(/^\/\/.*$/gm, '').replace(/"(?:[^"\\]|\\.)*"/g, '""');
    assert.match(sample.code, /^package db$/m, name);
    for (const [open, close] of [
      ['{', '}'],
      ['(', ')'],
      ['[', ']'],
    ] as const) {
      assert.equal(code.split(open).length, code.split(close).length, `${name}: balanced ${open}${close}`);
    }
    const imports = /import \(([^)]*)\)/.exec(sample.code)?.[1] ?? '';
    for (const path of imports.match(/"[^"]+"/g) ?? []) {
      const packageName = JSON.parse(path).split('/').pop();
      assert.match(
        code,
        new RegExp(`\\b${packageName}\\.`),
        `${name}: import ${path} is used (Go refuses unused imports)`,
      );
    }
    assert.doesNotMatch(sample.code.replace(/^\/\/.*$/gm, ''), /^ +\S/m, `${name}: gofmt indents with tabs`);
    assert.match(sample.code, /func Open\(\) \(\*sql\.DB, error\) \{/);
  }
});

test('the Prisma 6 .env line is valid shell, and expands to a URL with the password from the environment', () => {
  for (const sample of of('dotenv')) {
    execFileSync('sh', ['-n', '-c', sample.code]);
    const url = execFileSync('sh', ['-c', `${sample.code}\nprintf %s "$DATABASE_URL"`], {
      env: { PATH: process.env.PATH, DB_PASSWORD: 's3cret' },
      encoding: 'utf8',
    });
    const parsed = new URL(url);
    assert.equal(parsed.protocol, 'mysql:');
    assert.equal(parsed.password, 's3cret');
    assert.ok(parsed.searchParams.get('max_connection_lifetime'), sample.variant);
  }
});
