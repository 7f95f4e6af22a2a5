/** The MySQL/MariaDB option-file model: parse losslessly, serialize, resolve effective values. */
export { byteStringToBytes, byteStringToText, bytesToByteString, textToByteString } from './bytes.ts';
export type {
  BlankLine,
  CommentLine,
  DirectiveLine,
  GroupLine,
  LineEnding,
  MalformedGroupLine,
  OptionFileDoc,
  OptionFileLine,
  OptionFileProblem,
  OptionLine,
  ProblemCode,
  Span,
} from './doc.ts';
export { formatOptionValue, insertOptionLine, setOptionValue } from './edit.ts';
export { OptionFileError, type OptionFileErrorKind } from './errors.ts';
export { nodeFs, type OptionFileStat, type OptionFileSystem, realPathOrNull } from './fs.ts';
export { groupMatches, isGroupIn, type NormalizedOptionName, normalizeOptionName } from './names.ts';
export { parseOptionFile, SERVER_LINE_LIMIT } from './parse.ts';
export {
  effectiveValue,
  type FileRecord,
  type FileStatus,
  MAX_INCLUDE_DEPTH,
  type OptionFileRef,
  type ReadLine,
  type ReadOptionsRequest,
  type ReadOptionsResult,
  type ResolvedOption,
  readOptions,
} from './resolve.ts';
export {
  applyDefaultsFlags,
  CLIENT_GROUPS,
  clientOptionFiles,
  type DefaultsFlags,
  type Flavor,
  type SearchPathContext,
  type SearchPathEntry,
  serverGroups,
  serverOptionFiles,
} from './search-path.ts';
export { serialize } from './serialize.ts';
