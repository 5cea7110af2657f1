// Types for msgpackr's unpacker bundle without native string extraction of its own (the decoder
// installs a guarded extractor; see decoder.ts). Same unpacker as 'msgpackr'.
declare module 'msgpackr/unpack-no-eval' {
  export { C1, Unpackr, addExtension } from 'msgpackr'
  /** Install a native string extractor (msgpackr-extract's extractStrings). */
  export function setExtractor(extractStrings: (start: number, end: number, buffer: ArrayBufferLike) => unknown): void
}
