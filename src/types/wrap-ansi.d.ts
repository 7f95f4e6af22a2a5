// wrap-ansi 7 (the version yargs' help layout already uses) ships no types.
declare module 'wrap-ansi' {
  interface Options {
    hard?: boolean;
    wordWrap?: boolean;
    trim?: boolean;
  }
  export default function wrapAnsi(text: string, columns: number, options?: Options): string;
}
