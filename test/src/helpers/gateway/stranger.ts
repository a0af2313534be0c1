/**
 * What a verifier that knows nothing of Anxin's code uses to check its credentials: public
 * documents fetched over plain HTTP, and an independent Bitstring Status List reader.
 */
import { expect } from 'chai';

/**
 * GET `url` as a stranger's verifier does (an `accept` header if given), asserting it is
 * served: the response, to read as JSON, text or bytes.
 *
 * @example const md = (await (await fetchPublic(url, 'application/json')).json()) as Metadata;
 */
export async function fetchPublic(url: string, accept?: string): Promise<Response> {
  const res = await fetch(url, accept ? { headers: { accept } } : {});
  expect(res.status, `${url} fetched`).to.equal(200);
  return res;
}

/** A Bitstring Status List as @digitalbazaar/vc-bitstring-status-list decodes it. */
export interface BitstringList {
  length: number;
  getStatus(index: number): boolean;
}

/**
 * Decodes a Bitstring Status List's `encodedList` with the independent reader (an ES module,
 * loaded as one).
 *
 * @example (await decodeBitstring(subject.encodedList)).getStatus(42);
 */
export async function decodeBitstring(encodedList: string): Promise<BitstringList> {
  const spec = '@digitalbazaar/vc-bitstring-status-list';
  const mod = (await import(spec)) as { decodeList(o: { encodedList: string }): Promise<BitstringList> };
  return mod.decodeList({ encodedList });
}
