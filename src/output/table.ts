import Table from 'cli-table3';

/**
 * A cli-table3 table without its built-in header colors: colors are ours to decide
 * (see style.ts), so a table printed to a pipe has no escape codes.
 */
export function plainTable(head?: string[]): Table.Table {
  return new Table({
    ...(head ? { head } : {}),
    style: { head: [], border: [], compact: true },
    wordWrap: true,
  });
}

/** Renders rows of [label, value, note?] as a two- or three-column table. */
export function keyValueTable(rows: Array<[string, string, string?]>, head?: string[]): string {
  const table = plainTable(head);
  const width = Math.max(...rows.map((row) => row.length));
  for (const row of rows) table.push(width === 3 ? [row[0], row[1], row[2] ?? ''] : [row[0], row[1]]);
  return table.toString();
}
