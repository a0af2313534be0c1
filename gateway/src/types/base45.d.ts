/** @digitalbazaar/base45 ships JavaScript only: RFC 9285 Base45, bytes to text and back. */
declare module '@digitalbazaar/base45' {
  export function encode(input: Uint8Array): string;
  /** Throws RangeError on a character outside the alphabet, a bad length or a value out of range. */
  export function decode(input: string): Uint8Array;
}
