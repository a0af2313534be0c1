/** Free TCP ports on the loopback interface. */
import { createServer } from 'node:net';

/** Whether `port` can be bound on `host` right now. */
export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolveFree) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolveFree(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolveFree(true)));
  });
}

/**
 * `count` free ports, scanning upward from `base` (default 27050: below Linux's ephemeral
 * range, so outgoing connections do not take them between now and the moment a node binds).
 * `avoid` lists ports already promised to something else.
 */
export async function findFreePorts(count: number, base = 27050, avoid: Iterable<number> = []): Promise<number[]> {
  const skip = new Set(avoid);
  const out: number[] = [];
  for (let p = base; out.length < count; p++) {
    if (p > 65535) throw new Error(`not enough free ports from ${base}`);
    if (skip.has(p)) continue;
    if (await portFree(p)) out.push(p);
  }
  return out;
}
