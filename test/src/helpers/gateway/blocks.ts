/**
 * What the ledger's blocks say, read over HTTP (GET /v1/ledger/…): the height, and the
 * valid transactions that wrote anchors.
 */
import { expect } from 'chai';
import type { ApiOptions, ApiResponse, Loose } from './http';

type Api = (method: string, path: string, opts?: ApiOptions) => Promise<ApiResponse>;

/** Ledger height (GET /v1/ledger/info). */
export async function ledgerHeight(api: Api): Promise<number> {
  const res = await api('GET', '/v1/ledger/info');
  expect(res.status).to.equal(200);
  return res.body.height as number;
}

/** The keys of the anchors that valid `anchor` transactions wrote, from block `from` on, in ledger order. */
export async function anchorWriteKeys(api: Api, from = 0): Promise<string[]> {
  const height = await ledgerHeight(api);
  const keys: string[] = [];
  for (let b = from; b < height; b++) {
    const res = await api('GET', `/v1/ledger/blocks/${b}?format=json`);
    expect(res.status).to.equal(200);
    for (const tx of res.body.transactions as Array<{ validation: string; actions: Loose[] }>) {
      if (tx.validation !== 'VALID') continue;
      for (const a of tx.actions) {
        if (a.function !== 'anchor') continue;
        for (const s of a.rwsets) for (const w of s.writes) if (/^\/anchor\//.test(w.key)) keys.push(w.key);
      }
    }
  }
  return keys;
}
