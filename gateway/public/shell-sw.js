/* global self, caches, fetch, Response, URL */
/**
 * What the wallet's and the verifier page's service workers share (each loads it with
 * `importScripts` from beside itself): the page's own files are kept as last fetched in one
 * cache, network first, so the page opens with no signal and is always the gateway's current
 * one online. Nothing else is kept.
 *
 * @param {{ cache: string, files: RegExp, first?: string[] }} shell the cache's name, the
 *   paths kept (same origin only), and those kept at install already
 */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- called by the worker that imports this file
function keepShell({ cache, files, first = [] }) {
  self.addEventListener('install', (event) => {
    if (first.length === 0) return void self.skipWaiting();
    // Kept at install, so the first visit already works offline afterwards.
    event.waitUntil(
      caches
        .open(cache)
        .then((c) => c.addAll(first))
        .catch(() => undefined)
        .then(() => self.skipWaiting()),
    );
  });
  self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

  self.addEventListener('fetch', (event) => {
    const url = new URL(event.request.url);
    if (event.request.method !== 'GET' || url.origin !== self.location.origin || !files.test(url.pathname)) return;
    // Kept without query and fragment: a work-card, offer or request link (#…) is never stored.
    const key = url.origin + url.pathname;
    event.respondWith(
      fetch(event.request).then(
        (res) => {
          if (res.ok) {
            const copy = res.clone();
            event.waitUntil(caches.open(cache).then((c) => c.put(key, copy)));
          }
          return res;
        },
        () =>
          caches
            .open(cache)
            .then((c) => c.match(key))
            .then((kept) => kept || Response.error()),
      ),
    );
  });
}
