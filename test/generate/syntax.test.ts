/**
 * Every target's output is valid in its language, for every variant (timeouts from tiny to
 * capped, socket and TCP, TLS, quotes in names, framework versions). Python and JavaScript are
 * parsed by their own interpreters, and the JavaScript type-checked by tsc against the real
 * packages' own types (devDependencies); Java is compiled by javac -Werror against Debian's real
 * HikariCP 2.7.9 jar (and, for the keepaliveTime of 4.0+, against signature stubs); Rails' YAML
 * is run through Ruby's own ERB and YAML as Rails does; Go is checked by go vet against Debian's
 * go-sql-driver/mysql (GO111MODULE=off) and gofmt.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
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

test('Java (HikariCP 4.0+ output, with keepaliveTime) compiles with javac against signature stubs (Debian has only 2.7.9)', async () => {
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

test("Rails' database.yml through Ruby's ERB and YAML, as Rails reads it: the keys Rails reads, the names as given", () => {
  // ERB as Rails applies it, by Ruby itself: "<%%" prints "<%", "<%= ... %>" runs. A name with
  // ERB syntax in it must come out as written, which shows that no Ruby of ours ran.
  const script = [
    "require 'erb'; require 'yaml'; require 'json'",
    'out = JSON.parse(STDIN.read).map { |text| YAML.safe_load(ERB.new(text).result, aliases: true) }',
    'puts JSON.generate(out)',
  ].join('\n');
  const yamls = of('yaml');
  const loaded = JSON.parse(
    execFileSync('ruby', ['-e', script], {
      input: JSON.stringify(yamls.map((sample) => sample.code)),
      encoding: 'utf8',
      env: { PATH: process.env.PATH, DB_PASSWORD: 'from-erb' },
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

test('Go: go vet against the real go-sql-driver/mysql (Debian, GOPATH mode), and gofmt leaves it as it is', async () => {
  const gopath = join(dir, 'gopath');
  const packages: string[] = [];
  for (const [index, sample] of of('go').entries()) {
    const folder = join(gopath, 'src', `v${index}`);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'db.go'), sample.code);
    packages.push(`v${index}`);
  }
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    GO111MODULE: 'off',
    GOPATH: `${gopath}:/usr/share/gocode`,
    GOCACHE: join(dir, 'gocache'),
  };
  await run('go', ['vet', ...packages], { env, cwd: dir }).catch((error: { stderr?: string }) =>
    assert.fail(`go vet refused the generated Go:\n${error.stderr}`),
  );
  const { stdout } = await run('gofmt', ['-l', join(gopath, 'src')]);
  assert.equal(stdout, '', 'gofmt would change these files');
  // The check can fail: a call the driver does not have.
  const broken = join(gopath, 'src', 'broken');
  await mkdir(broken, { recursive: true });
  await writeFile(
    join(broken, 'db.go'),
    (of('go')[0]?.code ?? '').replace('mysql.NewConfig()', 'mysql.NewConfigX()'),
  );
  await assert.rejects(run('go', ['vet', 'broken'], { env, cwd: dir }));
});

test('JavaScript targets type-check with tsc against the real packages (TypeScript, strict)', async () => {
  const folder = join(dir, 'tsc');
  await mkdir(folder, { recursive: true });
  await symlink(fileURLToPath(new URL('../../node_modules', import.meta.url)), join(folder, 'node_modules'));
  const names: string[] = [];
  for (const [index, sample] of of('javascript').entries()) {
    // The output for TypeORM 0.3 is for 0.3's types (connectorPackage); 1.x is installed here.
    if (sample.target === 'typeorm' && sample.settings.connectorPackage) continue;
    const name = `${sample.target}-${index}.mts`;
    await writeFile(join(folder, name), sample.code);
    names.push(name);
  }
  await writeFile(
    join(folder, 'broken.mts'),
    "import { DataSource } from 'typeorm';\nexport const d = new DataSource({ type: 'mysql', connectorPackage: 'mysql2' });\n",
  );
  const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
  const options = [
    '--noEmit',
    '--strict',
    '--module',
    'nodenext',
    '--target',
    'es2022',
    '--skipLibCheck',
    '--types',
    'node',
  ];
  await run(process.execPath, [tsc, ...options, ...names], { cwd: folder }).catch(
    (error: { stdout?: string }) => assert.fail(`tsc refused the generated code:\n${error.stdout}`),
  );
  // The check can fail: TypeORM 1.x has no connectorPackage (the defect the default output had).
  await assert.rejects(
    run(process.execPath, [tsc, ...options, 'broken.mts'], { cwd: folder }),
    (error: { stdout?: string }) => /connectorPackage/.test(error.stdout ?? ''),
  );
});

test("Java (HikariCP) compiles with javac -Werror against Debian's real HikariCP 2.7.9 jar", async () => {
  const sources: string[] = [];
  for (const [index, { label, options }] of VARIANTS.entries()) {
    const code = TARGETS.find((target) => target.name === 'hikaricp')?.generate(
      contextFor({ ...options, frameworkVersion: '2.7.9' }),
    ).code;
    assert.ok(code, label);
    const packageDir = join(dir, 'java-real', `r${index}`);
    await mkdir(packageDir, { recursive: true });
    const file = join(packageDir, 'DatabasePool.java');
    await writeFile(file, `package r${index};\n${code}`);
    sources.push(file);
  }
  await run('javac', [
    '-Xlint:all',
    '-Werror',
    '-cp',
    '/usr/share/java/HikariCP.jar',
    '-d',
    join(dir, 'classes-real'),
    ...sources,
  ]).catch((error: { stderr?: string }) => assert.fail(`javac refused the generated Java:\n${error.stderr}`));
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
