/**
 * Loads the built CLI (dist/*.cjs, written by scripts/build.mjs) with a V8 code cache.
 *
 * Node 20 compiles ES modules and CommonJS files from source on every start; only `vm.Script`
 * accepts a code cache. So the build packs the CLI into a few CommonJS "groups" and this loader
 * compiles each one with the cache V8 made on an earlier run, which skips parsing and compiling
 * what that run used. The cache is written at exit, so it also holds the functions the run
 * compiled lazily, under `$XDG_CACHE_HOME/dbcache` or `~/.cache/dbcache`.
 *
 * A cache grows with use. The first run to load a group writes its cache, and that run may have
 * used little of it (`--help` before any command, a connection refused before any query); every
 * later run would then compile the rest from source, each time (check-timeout ~15% slower after a
 * `--help`). So a cache remembers which kinds of run made it (the groups the run loaded, on-demand
 * ones included, and whether it succeeded), and a run of another kind writes it again at exit: V8
 * then serializes what the cache gave and what this run compiled besides. Not always all of what
 * the cache gave: V8 drops the bytecode of functions a long run has not used for several full
 * collections (seen in minutes-long runs), so a new cache smaller than the one loaded is not
 * written; the old one is kept and only notes the new kind. Each kind adds itself once; a cache that many kinds made
 * stays as it is.
 * A cache that cannot be read, written or trusted is skipped without a word: it only saves time.
 * V8 checks a cache's header (its version, flags, the source's length) but, in release builds,
 * not a checksum of its data, and a checksum here would cost more than the cache saves (hashing
 * a megabyte in JavaScript at start-up, or loading zlib). So a cache is written whole under a
 * temporary name and renamed, and only files of this user that nobody else may write are read.
 * (Not synced to disk: on this machine that doubled a first run's time. A cache torn by a power
 * failure right after it was written is most likely empty or zeros, which the length and V8's
 * header checks reject.)
 *
 * The same files hold small texts a run can give again (`TextCache`: the help, src/help-cache.ts),
 * with the same checks, keyed on every group's hash besides the caller's key.
 *
 * Kept small and free of dependencies: this file itself is compiled without a cache.
 */
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { isBuiltin } from 'node:module';
import { isAbsolute, join } from 'node:path';
import { Script } from 'node:vm';
import type { Tracer } from './trace.ts';

/** Group root chunk -> its file and a hash of its text; written in by scripts/build.mjs. */
declare const DBCACHE_GROUPS: Record<string, { file: string; hash: string }>;

type ChunkBody = (
  exports: unknown,
  require: (specifier: string) => unknown,
  module: { exports: unknown },
  filename: string,
) => void;

/**
 * Node built-ins whose loading costs milliseconds and that many runs never use: `net` only when
 * a command connects (not for help or generate), the others rarely.
 */
const LAZY_BUILTINS = new Set(
  ['net', 'tls', 'crypto', 'child_process', 'zlib', 'readline'].flatMap((name) => [name, `node:${name}`]),
);

/**
 * Cache file layout: magic, then the lengths of the key, the note and the data, then the key, the
 * note (the kinds of run that made a code cache, a line each) and the data.
 */
const MAGIC = 'dbcache-v8-2';
/** The same layout for a text (the help cache; its note is empty); the same length, so one header size. */
const TEXT_MAGIC = 'dbcache-tx-2';
const HEADER = MAGIC.length + 12;
/** A code cache made by this many kinds of run is not written again. */
const MAX_RUN_KINDS = 16;
/** Entries of other keys (older builds, other Node versions) kept per group; older ones are removed. */
const KEEP_OTHERS = 2;
/** Texts kept per name (help: a command and a width each); older ones are removed. */
const KEEP_TEXTS = 64;

/**
 * Texts a run can give again without computing them (the help: src/help-cache.ts), kept beside the
 * code caches under the same rules. A text is valid for the code that made it and the key given.
 */
export interface TextCache {
  read(name: string, key: string): string | undefined;
  write(name: string, key: string, text: string): void;
}

interface LoaderOptions {
  /** Where the group files are (dist/). */
  dir: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Set by `DBCACHE_STARTUP_TRACE`: records phase times for `npm run bench -- startup`. */
  tracer?: Tracer | undefined;
}

/** A group this run loaded, and what its cache file holds. */
interface LoadedGroup {
  script: Script;
  /** The cache file. */
  path: string;
  key: string;
  group: string;
  /** The cache this run used, and the kinds of run that made it; null when it used none. */
  cache: { data: Buffer; madeBy: string[] } | null;
}

export class Loader implements TextCache {
  readonly #definitions = new Map<string, { body: ChunkBody; filename: string }>();
  readonly #instances = new Map<string, { exports: unknown }>();
  readonly #lazy = new Map<string, unknown>();
  readonly #loaded: LoadedGroup[] = [];
  readonly #options: LoaderOptions;
  readonly #cacheDir: string | null;
  #cacheDirTrusted: boolean | undefined;
  readonly #require = (specifier: string): unknown =>
    specifier.startsWith('./') || specifier.startsWith('dbcache-group:')
      ? this.chunk(specifier.replace(/^\.\/|\.js$/g, ''))
      : this.#builtin(specifier);

  constructor(options: LoaderOptions) {
    this.#options = options;
    this.#cacheDir = cacheDirectory(options.env);
  }

  /** The exports of a built chunk (`cli`, or a chunk another chunk imports). */
  chunk(id: string): unknown {
    const loaded = this.#instances.get(id);
    if (loaded) return loaded.exports;
    if (!this.#definitions.has(id)) this.#loadGroup(id);
    const definition = this.#definitions.get(id);
    if (!definition) throw new Error(`dbcache: the built file for ${id} is missing; run npm run build`);
    const module = { exports: {} };
    this.#instances.set(id, module);
    const trace = id in DBCACHE_GROUPS ? this.#options.tracer?.begin(`run ${id}`) : undefined;
    definition.body.call(module.exports, module.exports, this.#require, module, definition.filename);
    trace?.end();
    return module.exports;
  }

  /**
   * Writes the caches this run found missing, or made by other kinds of run (call once, at exit,
   * with whether the run succeeded). Never throws.
   */
  saveCaches(succeeded: boolean): void {
    const dir = this.#cacheDir;
    const kind = `${this.#loaded
      .map((loaded) => loaded.group)
      .sort()
      .join(' ')}: ${succeeded ? 'succeeded' : 'failed'}`;
    const stale = this.#loaded.splice(0).filter(({ cache }) => !cache || worthAdding(cache.madeBy, kind));
    if (!dir || stale.length === 0) return;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (!trustworthy(statSync(dir))) return;
    } catch {
      return;
    }
    for (const { script, path, key, group, cache } of stale) {
      try {
        const note = [...(cache?.madeBy ?? []), kind].join('\n');
        const made = script.createCachedData();
        writeFile(dir, path, MAGIC, key, note, cache && cache.data.length > made.length ? cache.data : made);
        prune(dir, { path, group, suffix: '.v8', keep: KEEP_OTHERS });
      } catch {
        // A full disk, a read-only home: the next run compiles from source, as this one did.
      }
    }
  }

  read(name: string, key: string): string | undefined {
    const path = this.#textPath(name, key);
    if (!path || !this.#readable()) return undefined;
    return readCache(path, textKey(key), TEXT_MAGIC)?.data.toString('utf8');
  }

  /** Writes at once (a help text is a few kilobytes). Never throws. */
  write(name: string, key: string, text: string): void {
    const dir = this.#cacheDir;
    const path = this.#textPath(name, key);
    if (!dir || !path) return;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (!trustworthy(statSync(dir))) return;
      writeFile(dir, path, TEXT_MAGIC, textKey(key), '', Buffer.from(text, 'utf8'));
      prune(dir, { path, group: name, suffix: '.txt', keep: KEEP_TEXTS });
    } catch {
      // As with the code caches: the next run computes the text again.
    }
  }

  #textPath(name: string, key: string): string | null {
    return this.#cacheDir ? join(this.#cacheDir, `${name}.${fnv1a(textKey(key))}.txt`) : null;
  }

  #loadGroup(root: string): void {
    const group = DBCACHE_GROUPS[root];
    if (!group) return;
    const trace = this.#options.tracer?.begin(`load ${group.file}`);
    const filename = join(this.#options.dir, group.file);
    // The build writes ASCII only (esbuild's charset option), so latin1 reads it exactly and fast.
    const source = readFileSync(filename, 'latin1');
    const key = cacheKey(group.hash, source.length, this.#options.env);
    const name = group.file.replace(/\.cjs$/, '');
    const path = this.#cacheDir ? join(this.#cacheDir, `${name}.${fnv1a(key)}.v8`) : null;
    const cache = path && this.#readable() ? readCache(path, key, MAGIC) : undefined;
    const cachedData = cache?.data;
    const script = new Script(source, { filename, ...(cachedData ? { cachedData } : {}) });
    const define = (id: string, body: ChunkBody) => {
      if (!this.#definitions.has(id)) this.#definitions.set(id, { body, filename });
    };
    (script.runInThisContext() as (define: (id: string, body: ChunkBody) => void) => void)(define);
    const hit = cache !== undefined && !script.cachedDataRejected;
    if (path) {
      this.#loaded.push({
        script,
        path,
        key,
        group: name,
        cache: hit ? { data: cache.data, madeBy: cache.note.split('\n') } : null,
      });
    }
    trace?.end(hit ? 'cached' : cachedData ? 'cache rejected' : 'no cache');
  }

  /** Whether the cache directory may be read: it exists, and only this user may change it. */
  #readable(): boolean {
    if (this.#cacheDirTrusted === undefined) {
      try {
        this.#cacheDirTrusted = trustworthy(statSync(this.#cacheDir as string));
      } catch {
        this.#cacheDirTrusted = false;
      }
    }
    return this.#cacheDirTrusted;
  }

  /** Built-ins that are rarely used load on first use: a property read loads the real module. */
  #builtin(specifier: string): unknown {
    if (!isBuiltin(specifier)) {
      // Everything else is bundled (the build checks), so this is an optional module a
      // dependency tries (mysql2: `cardinal`, for colored debug output): not installed.
      throw Object.assign(new Error(`Cannot find module '${specifier}'`), { code: 'MODULE_NOT_FOUND' });
    }
    if (!LAZY_BUILTINS.has(specifier)) return require(specifier);
    let proxy = this.#lazy.get(specifier);
    if (!proxy) {
      proxy = lazyModule(() => require(specifier) as object);
      this.#lazy.set(specifier, proxy);
    }
    return proxy;
  }
}

/** Whether a run of this kind should write a cache these kinds of run made. */
function worthAdding(madeBy: readonly string[], kind: string): boolean {
  return !madeBy.includes(kind) && madeBy.length < MAX_RUN_KINDS;
}

/** An object that stands for a module and loads it on first use of any property. */
function lazyModule(load: () => object): object {
  let real: object | undefined;
  const target = () => {
    real ??= load();
    return real;
  };
  return new Proxy(Object.create(null) as object, {
    get: (_, property) => Reflect.get(target(), property),
    set: (_, property, value) => Reflect.set(target(), property, value),
    has: (_, property) => Reflect.has(target(), property),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_, property) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(target(), property);
      // A proxy may not report a property its (empty) target lacks as non-configurable.
      return descriptor && { ...descriptor, configurable: true };
    },
    defineProperty: (_, property, descriptor) => Reflect.defineProperty(target(), property, descriptor),
    deleteProperty: (_, property) => Reflect.deleteProperty(target(), property),
    getPrototypeOf: () => Reflect.getPrototypeOf(target()),
  });
}

/**
 * `$XDG_CACHE_HOME/dbcache`, else `~/.cache/dbcache` (the XDG base directory rules: a relative
 * XDG_CACHE_HOME is ignored); null without a home.
 */
function cacheDirectory(env: Readonly<Record<string, string | undefined>>): string | null {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'dbcache');
  const home = env.HOME || (process.platform === 'win32' ? env.LOCALAPPDATA : undefined);
  return home && isAbsolute(home) ? join(home, '.cache', 'dbcache') : null;
}

/**
 * What a cache is valid for: this code, this Node and V8, this architecture and these flags.
 * V8 itself checks only its version, its flags and the source's length.
 */
function cacheKey(
  codeHash: string,
  length: number,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const flags = [...process.execArgv, env.NODE_OPTIONS ?? ''].join(' ');
  return [codeHash, length, process.version, process.versions.v8, process.arch, flags].join('|');
}

/** A text is valid for the code that made it (every group's hash) and the caller's key. */
function textKey(key: string): string {
  return `${Object.values(DBCACHE_GROUPS)
    .map((group) => group.hash)
    .join(',')}|${key}`;
}

/** A short, stable file-name hash (not a security measure: ownership checks are). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

/**
 * Only files and directories this user owns and nobody else may write are used: a code cache
 * is code, and V8 trusts it.
 */
function trustworthy(stats: { uid: number; mode: number }): boolean {
  const uid = process.getuid?.();
  return (uid === undefined || stats.uid === uid) && (stats.mode & 0o022) === 0;
}

/** A cache file's note and data, or undefined when it is missing, foreign, damaged or for another key. */
function readCache(path: string, key: string, magic: string): { note: string; data: Buffer } | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || !trustworthy(stats) || stats.size < HEADER) return undefined;
    const bytes = Buffer.allocUnsafe(stats.size);
    if (readSync(fd, bytes, 0, stats.size, 0) !== stats.size) return undefined;
    if (bytes.toString('latin1', 0, magic.length) !== magic) return undefined;
    const keyLength = bytes.readUInt32LE(magic.length);
    const noteLength = bytes.readUInt32LE(magic.length + 4);
    const dataLength = bytes.readUInt32LE(magic.length + 8);
    const dataStart = HEADER + keyLength + noteLength;
    if (dataStart + dataLength !== stats.size) return undefined;
    if (bytes.toString('latin1', HEADER, HEADER + keyLength) !== key) return undefined;
    return { note: bytes.toString('latin1', HEADER + keyLength, dataStart), data: bytes.subarray(dataStart) };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function writeFile(dir: string, path: string, magic: string, key: string, note: string, data: Buffer): void {
  const header = Buffer.alloc(HEADER);
  header.write(magic, 0, 'latin1');
  header.writeUInt32LE(Buffer.byteLength(key, 'latin1'), magic.length);
  header.writeUInt32LE(Buffer.byteLength(note, 'latin1'), magic.length + 4);
  header.writeUInt32LE(data.length, magic.length + 8);
  // Written under a name of its own, then renamed: a reader sees the old file or the whole new one.
  const temporary = join(dir, `.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    for (const part of [header, Buffer.from(key, 'latin1'), Buffer.from(note, 'latin1'), data]) {
      let written = 0;
      while (written < part.length) written += writeSync(fd, part, written);
    }
  } catch (err) {
    closeSync(fd);
    unlinkSync(temporary);
    throw err;
  }
  closeSync(fd);
  renameSync(temporary, path);
}

/** Removes a group's (or a text's) other entries beyond the newest `keep`, and leftovers of interrupted writes. */
function prune(
  dir: string,
  { path, group, suffix, keep }: { path: string; group: string; suffix: string; keep: number },
): void {
  const others: { path: string; time: number }[] = [];
  const hourAgo = Date.now() - 3600_000;
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    const ours = name.startsWith(`${group}.`) && name.endsWith(suffix);
    const leftover = name.startsWith('.') && name.endsWith('.tmp');
    if ((!ours && !leftover) || file === path) continue;
    try {
      const time = statSync(file).mtimeMs;
      if (leftover) {
        if (time < hourAgo) unlinkSync(file);
      } else others.push({ path: file, time });
    } catch {
      // Removed by another run meanwhile.
    }
  }
  others.sort((a, b) => b.time - a.time);
  for (const stale of others.slice(keep)) {
    try {
      unlinkSync(stale.path);
    } catch {
      // Removed by another run meanwhile.
    }
  }
}
