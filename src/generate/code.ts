/** Renders object literals for the languages whose settings are nested maps (JavaScript, Python). */

export interface Field {
  key: string;
  /** Already a literal or an expression in the target language; may span lines. */
  code: string;
  /** Rendered as a trailing comment. */
  note?: string;
}

const pad = (depth: number) => '  '.repeat(depth);

/** `{ key: value, // note }` over several lines, indented for `depth`. */
export function jsObject(fields: Field[], depth = 0): string {
  if (fields.length === 0) return '{}';
  const lines = fields.map(
    (field) => `${pad(depth + 1)}${field.key}: ${field.code},${field.note ? ` // ${field.note}` : ''}`,
  );
  return `{\n${lines.join('\n')}\n${pad(depth)}}`;
}

/** Python dict with quoted keys; `# note` comments. */
export function pyDict(fields: Field[], depth = 0): string {
  if (fields.length === 0) return '{}';
  const pad = (level: number) => '    '.repeat(level);
  const lines = fields.map(
    (field) =>
      `${pad(depth + 1)}${JSON.stringify(field.key)}: ${field.code},${field.note ? `  # ${field.note}` : ''}`,
  );
  return `{\n${lines.join('\n')}\n${pad(depth)}}`;
}

/** A Python literal for a plain value. */
export function py(value: string | number | boolean | null): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/** A JavaScript literal for a plain value. */
export function js(value: string | number | boolean | null): string {
  if (typeof value === 'string' && /^[^'\\\n\r\u2028\u2029]*$/.test(value)) return `'${value}'`;
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}
