/**
 * The webhook transport: one HTTP(S) POST of a signed notice to an address already judged
 * by `resolveTarget`. Kept out of the services so that they never speak HTTP themselves.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pinnedLookup, type Target } from '../../services/webhook-target';

/**
 * POST `body` (a compact JWT) to `target`; undefined when the receiver answered 2xx, else why not.
 *
 * @example
 * const why = await postNotice(target, { id: n.id, body: n.body }, 5_000); // undefined, 'timed out', 'HTTP 500', …
 */
export function postNotice(
  target: Target,
  notice: { id: string; body: string },
  timeoutMs: number,
): Promise<string | undefined> {
  const signal = AbortSignal.timeout(timeoutMs);
  const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(
      target.url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/jwt',
          'content-length': Buffer.byteLength(notice.body),
          'user-agent': 'anxin-gateway',
          'x-anxin-notification': notice.id,
        },
        // A fresh connection each time: a pooled one could have been opened to an address judged earlier.
        agent: false,
        lookup: pinnedLookup(target.addresses),
        signal,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        res.on('error', () => undefined);
        res.on('close', () => {
          if (!res.complete) resolve(signal.aborted ? 'timed out' : 'the answer was cut short');
          else resolve(status >= 200 && status <= 299 ? undefined : `HTTP ${status}`);
        });
      },
    );
    req.on('error', (e) => resolve(signal.aborted ? 'timed out' : e.message));
    req.end(notice.body);
  });
}
