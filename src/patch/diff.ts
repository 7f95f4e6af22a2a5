/**
 * A unified diff (`diff -u` format, three lines of context) of two versions of a file, so that
 * `--dry-run` shows exactly the bytes that would change and `cd / && patch -p1` applies them.
 * Lines are compared as bytes, CR included; Myers' O(ND) algorithm, since an edit touches few
 * lines.
 */

/**
 * The names a diff of the file at `path` (absolute) carries: `a/etc/mysql/my.cnf` and
 * `b/etc/mysql/my.cnf`, git's style. GNU patch ignores absolute names as "potentially
 * dangerous"; these apply with `cd / && patch -p1`.
 */
export function diffNames(path: string): { oldName: string; newName: string } {
  const relative = path.replaceAll('\\', '/').replace(/^\/+/, '');
  return { oldName: `a/${relative}`, newName: `b/${relative}` };
}

interface Line {
  /** The line's bytes without its newline (a CR before the newline stays). */
  text: string;
  /** False for a last line without newline. */
  newline: boolean;
}

type Op = { kind: ' ' | '-' | '+'; line: Line };

/** `before`/`after` are byte strings (latin1); the result is a byte string too. */
export function unifiedDiff(
  before: string,
  after: string,
  oldName: string,
  newName: string,
  context = 3,
): string {
  const ops = diffLines(splitLines(before), splitLines(after));
  if (ops.every((op) => op.kind === ' ')) return '';
  const out = [`--- ${oldName}\n`, `+++ ${newName}\n`];
  for (const hunk of hunks(ops, context)) out.push(...hunk);
  return out.join('');
}

function splitLines(bytes: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < bytes.length) {
    const end = bytes.indexOf('\n', start);
    if (end === -1) {
      lines.push({ text: bytes.slice(start), newline: false });
      break;
    }
    lines.push({ text: bytes.slice(start, end), newline: true });
    start = end + 1;
  }
  return lines;
}

const same = (a: Line, b: Line) => a.text === b.text && a.newline === b.newline;

/** Myers: the shortest edit script, as a list of kept, removed and added lines. */
function diffLines(a: Line[], b: Line[]): Op[] {
  const max = a.length + b.length;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  outer: for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number))
          ? (v[offset + k + 1] as number)
          : (v[offset + k - 1] as number) + 1;
      let y = x - k;
      while (x < a.length && y < b.length && same(a[x] as Line, b[y] as Line)) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= a.length && y >= b.length) break outer;
    }
  }
  const ops: Op[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const previous = trace[d] as Int32Array;
    const k = x - y;
    const down =
      k === -d || (k !== d && (previous[offset + k - 1] as number) < (previous[offset + k + 1] as number));
    const prevK = down ? k + 1 : k - 1;
    const prevX = previous[offset + prevK] as number;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      ops.push({ kind: ' ', line: a[x] as Line });
    }
    if (d === 0) break;
    if (down) ops.push({ kind: '+', line: b[--y] as Line });
    else ops.push({ kind: '-', line: a[--x] as Line });
  }
  return ops.reverse();
}

function* hunks(ops: Op[], context: number): Generator<string[]> {
  const changed = ops.flatMap((op, index) => (op.kind === ' ' ? [] : [index]));
  let i = 0;
  while (i < changed.length) {
    const first = changed[i] as number;
    let last = first;
    while (i + 1 < changed.length && (changed[i + 1] as number) - last <= 2 * context + 1)
      last = changed[++i] as number;
    i++;
    const start = Math.max(0, first - context);
    const end = Math.min(ops.length, last + context + 1);
    let oldLine = 1;
    let newLine = 1;
    for (const op of ops.slice(0, start)) {
      if (op.kind !== '+') oldLine++;
      if (op.kind !== '-') newLine++;
    }
    const body = ops.slice(start, end);
    const oldCount = body.filter((op) => op.kind !== '+').length;
    const newCount = body.filter((op) => op.kind !== '-').length;
    const range = (line: number, count: number) => `${count === 0 ? line - 1 : line},${count}`;
    const lines = [`@@ -${range(oldLine, oldCount)} +${range(newLine, newCount)} @@\n`];
    for (const op of body) {
      lines.push(`${op.kind}${op.line.text}\n`);
      if (!op.line.newline) lines.push('\\ No newline at end of file\n');
    }
    yield lines;
  }
}
