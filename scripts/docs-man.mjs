// Man pages from the docs' Markdown, with marked-man (run by `npm run build`, so `npm install -g .`
// puts them on MANPATH through package.json's "man" field): README.md is dbcache(1), a command's
// page docs/<command>.md is dbcache-<command>(1), every other page docs/<topic>.md is
// dbcache-<topic>(7). Usage: node scripts/docs-man.mjs [output directory, default man/]
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Marked } from 'marked';
import markedMan from 'marked-man';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = process.argv[2] ?? join(root, 'man');
const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
const commands = new Set(
  (await readdir(join(root, 'src/commands'), { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name),
);

/** [source, man name, section] for every page. */
async function pages() {
  const list = [[join(root, 'README.md'), 'dbcache', '1']];
  const docs = join(root, 'docs');
  if (existsSync(docs)) {
    for (const file of (await readdir(docs)).filter((name) => name.endsWith('.md')).sort()) {
      const topic = basename(file, '.md');
      list.push([join(docs, file), `dbcache-${topic}`, commands.has(topic) ? '1' : '7']);
    }
  }
  return list;
}

const cells = (row) =>
  row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replace(/\\\|/g, '|'));

/**
 * A Markdown table as a list, one item a row: tbl lays wide tables out badly in 80 columns (text
 * blocks overflow, and groff warns), while a list wraps. `a | b` rows become "a: b"; with more
 * columns the other cells are named by their headers.
 */
function tablesAsLists(lines) {
  const out = [];
  for (let index = 0; index < lines.length; index++) {
    const isTable =
      /^\s*\|/.test(lines[index]) &&
      /^\s*\|?\s*:?-{3,}/.test(lines[index + 1] ?? '') &&
      lines[index + 1].includes('|');
    if (!isTable) {
      out.push(lines[index]);
      continue;
    }
    const headers = cells(lines[index]);
    index += 2;
    for (; index < lines.length && /^\s*\|/.test(lines[index]); index++) {
      const [first, ...rest] = cells(lines[index]);
      const named = rest
        .map((cell, column) =>
          cell === '' ? null : rest.length === 1 ? cell : `${headers[column + 1]}: ${cell}`,
        )
        .filter((cell) => cell !== null);
      out.push(
        `- **${first.replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')}**${named.length ? `: ${named.join('; ')}` : ''}`,
      );
    }
    index--;
  }
  return out;
}

/** The page's own title becomes the man page's NAME line; example markers go; tables become lists. */
function prepare(markdown, name, section) {
  const lines = tablesAsLists(
    manLinks(markdown)
      .replace(/<!--[\s\S]*?-->\n?/g, '')
      .split('\n'),
  );
  const titleAt = lines.findIndex((line) => line.startsWith('# '));
  const title = titleAt === -1 ? name : lines[titleAt].slice(2).replace(/`/g, '').trim();
  const description = title === name ? 'make MySQL/MariaDB wait_timeout and connection pools agree' : title;
  if (titleAt !== -1) lines.splice(titleAt, 1);
  return `# ${name}(${section}) -- ${description}\n\n${lines.join('\n')}`;
}

/**
 * What marked-man leaves for the linters (mandoc -T lint, groff -ww) to complain about, fixed:
 * tables need tbl (the `'\" t` line tells man to run it); the date in the ISO form man pages
 * use; no paragraph macro right after a heading; no justification, which long literal words
 * (paths, URLs) cannot take; non-ASCII characters as \[uXXXX] escapes, so the page needs no
 * input encoding.
 */
function tidy(roff, isoDate) {
  let out = roff
    .replace(/^(\.TH "[^"]*" "[^"]*" )"[^"]*"/m, `$1"${isoDate}"`)
    .replace(/^(\.S[HS] .*\n)\.P\n/gm, '$1')
    .replace(/^(\.TH .*\n)/m, '$1.ad l\n.nh\n')
    .replace(/[\u0080-\u{10FFFF}]/gu, (char) => {
      const code = char.codePointAt(0).toString(16).toUpperCase().padStart(4, '0');
      return `\\[u${code}]`;
    });
  out = breakLongWords(
    out
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&'),
  );
  if (/^\.TS$/m.test(out)) out = `'\\" t\n${out}`;
  return out;
}

/** A path or name too long for a line may break after a slash (filled text only, not examples). */
function breakLongWords(roff) {
  let filled = true;
  return roff
    .split('\n')
    .map((line) => {
      if (line === '.nf') filled = false;
      if (line === '.fi') filled = true;
      if (!filled || line.startsWith('.')) return line;
      return line.replace(/\S{40,}/g, (word) => word.replace(/\//g, '/\\:'));
    })
    .join('\n');
}

/** Links between pages name the man page instead: "see fleet.md" reads "see dbcache-fleet(7)". */
function manLinks(markdown) {
  return markdown.replace(
    /\[([^\]]+)\]\(((?:\.\.\/)?(?:docs\/)?([\w.-]+)\.md)(#[\w-]+)?\)/g,
    (_, text, target, page) => {
      const man =
        page === 'README'
          ? 'dbcache(1)'
          : page === 'CONTRIBUTING'
            ? 'CONTRIBUTING.md in the source'
            : `dbcache-${page}(${commands.has(page) ? 1 : 7})`;
      const plain = text.replace(/`/g, '');
      return plain === basename(target) || plain === target ? man : `${text} (${man})`;
    },
  );
}

const date = process.env.SOURCE_DATE_EPOCH ? Number(process.env.SOURCE_DATE_EPOCH) * 1000 : Date.now();
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
const written = [];
for (const [source, name, section] of await pages()) {
  const marked = new Marked(markedMan);
  const roff = marked.parse(prepare(await readFile(source, 'utf8'), name, section), {
    breaks: false,
    manVersion: `dbcache ${version}`,
    manual: 'dbcache manual',
    date,
  });
  const file = join(out, `${name}.${section}`);
  await writeFile(file, tidy(roff, new Date(date).toISOString().slice(0, 10)));
  written.push(file);
}
console.log(`man pages: ${written.map((file) => basename(file)).join(', ')}`);
