/** The patch cannot be made safely; nothing is written. `kind: 'usage'` means a flag would help. */
export class PatchRefused extends Error {
  readonly kind: 'file' | 'usage';
  constructor(message: string, kind: 'file' | 'usage' = 'file') {
    super(message);
    this.name = 'PatchRefused';
    this.kind = kind;
  }
}
