// The codec: the only place that knows how values become bytes and back.
export { Encoder, MAX_DEPTH, type ReferenceWriter } from './encoder'
export { Decoder, UnknownExtension, type ReferenceReader, type DecodeStats } from './decoder'
export { registerCodec, type CodecSpec } from './user-codecs'
export { isPlainObject, classOf } from './classify'
export { ExtCode, USER_EXT_MIN, USER_EXT_MAX, MSGPACKR_RESERVED, TYPED_ARRAY_KINDS } from './ext-codes'
