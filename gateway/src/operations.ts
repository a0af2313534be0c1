/**
 * `@anxin/gateway/operations`: what an operator runs beside the gateway — the KEK rotation.
 *
 * @example
 * import { rotateKek } from '@anxin/gateway/operations';
 * const r = await rotateKek(store, './data/kek.key');
 */
export {
  rotateKek,
  type KekRotationPoint,
  type KekRotationResult,
  type RotateKekOptions,
} from './services/operations/kek-rotation';
export { KekError, type KekErrorCode } from './crypto/kek';
