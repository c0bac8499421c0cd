export { NpyFormatError } from './npy-format-error';
export {
  assertNpyDtypeFamily,
  npyDtypeFamily,
  parseNpyDtype,
  type NpyDtype,
  type NpyDtypeFamily,
  type NpyDtypeName,
} from './npy-dtype';
export {
  assertNpyShape,
  formatNpyShape,
  npyDataByteLength,
  npyElementCount,
  parseNpyHeader,
  tryParseNpyHeader,
  type NpyHeader,
} from './parse-npy-header';
export { float16BitsToNumber } from './float16';
export type { NpyValues } from './decode-npy-elements';
export { decodeNpy, type DecodedNpy } from './decode-npy';
export { NpyStreamDecoder, type NpyRowBatch, type NpyStreamDecoderOptions } from './npy-stream-decoder';
export { createNpzStream, decodeNpz, INFLATE_STEP_OUTPUT, listNpz, type NpzEntry, type NpzEntryHandler, type NpzStream } from './npz';
