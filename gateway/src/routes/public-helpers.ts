import { blockToJson, decodeBlock } from '@anxin/network';
import { HttpError } from '../http/problem-types';
export { ALL_SCHEMAS, SCHEMA_BASE } from '@anxin/schemas';

export function blockToJsonSafe(bytes: Uint8Array): object {
  try {
    return blockToJson(decodeBlock(bytes));
  } catch (e) {
    throw new HttpError('internal', `the block does not decode: ${(e as Error).message}`);
  }
}
