/* global self, caches, fetch, Response, URL */
/**
 * The verifier page's service worker: the page, its script, style sheet and the verification
 * core's bundle are kept as last fetched, so the page opens without a network and verifies
 * from the trust list and status lists it kept (Cache Storage, written by the page itself).
 * Network first: online, the page is always the gateway's current one.
 */
const SHELL = 'anxin-verifier-shell-v1';
const PAGE_FILES = /^\/verify(\/(verify\.js|verify-core\.js|verify\.css))?$/;

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin || !PAGE_FILES.test(url.pathname)) return;
  // The page is kept without its query and fragment: a work-card link (#…) is never stored.
  const key = url.origin + url.pathname;
  event.respondWith(
    fetch(event.request).then(
      (res) => {
        if (res.ok) {
          const copy = res.clone();
          event.waitUntil(caches.open(SHELL).then((c) => c.put(key, copy)));
        }
        return res;
      },
      () =>
        caches
          .open(SHELL)
          .then((c) => c.match(key))
          .then((kept) => kept || Response.error()),
    ),
  );
});
