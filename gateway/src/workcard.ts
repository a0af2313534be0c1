/**
 * `@anxin/gateway/workcard`: the worker's card — a presentation of an SD-JWT VC chosen
 * member by member, the holder's proof over it, its QR text and rendering, and the
 * printable card. Used by the gateway's routes and by `anxin card`.
 *
 * @example
 * import { presentCredential, workCardText } from '@anxin/gateway/workcard';
 */
export * from './services/workcard/present';
export * from './services/workcard/errors';
export * from './services/workcard/proof';
export * from './services/workcard/qr';
export * from './services/workcard/card';
