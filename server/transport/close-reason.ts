// Close reasons as WebSocket allows them: at most 123 bytes of UTF-8.
/**
 * A close reason may hold at most 123 bytes of UTF-8 (ws throws on more, and the connection would
 * be cut without a close frame). Reasons can quote client data, so cut by bytes, between characters.
 */
export function closeReason(reason: string): string {
  if (Buffer.byteLength(reason) <= 123) return reason
  let cut = reason.slice(0, 123)
  while (Buffer.byteLength(cut) > 123) cut = cut.slice(0, -1)
  const last = cut.charCodeAt(cut.length - 1)
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut
}
