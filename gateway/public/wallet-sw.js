/* global self, caches, fetch, Response, URL */
/**
 * The wallet's service worker: the page, its script and parts, style sheet, manifest, icons
 * and the verification core's bundle (which reads status lists) are kept as last fetched,
 * so the wallet opens with no signal; the cards themselves are in IndexedDB, written by the
 * page. Network first: online, the wallet is always the gateway's current one. Nothing but
 * these files is kept: an offer, a request or a status list goes to the network (status
 * lists are kept by the page itself, with the time they are as of).
 */
const SHELL = 'anxin-wallet-shell-v1';
const FILES = /^\/wallet(\/[A-Za-z0-9._-]+)?$|^\/verify\/verify-core\.js$/;
/** Kept at install, so the first visit already works offline afterwards. */
const FIRST = [
  '/wallet',
  '/wallet/wallet.js',
  '/wallet/wallet.css',
  '/wallet/manifest.webmanifest',
  '/wallet/icon.svg',
  '/wallet/icon-192.png',
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((c) => c.addAll(FIRST))
      .catch(() => undefined)
      .then(() => self.skipWaiting()),
  );
});
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin || !FILES.test(url.pathname)) return;
  // Kept without query and fragment: an offer or request link (#…) is never stored.
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
