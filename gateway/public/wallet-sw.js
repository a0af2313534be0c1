/* global importScripts, keepShell */
/**
 * The wallet's service worker: the page, its script and parts, style sheet, manifest, icons
 * and the verification core's bundle (which reads status lists) are kept as last fetched,
 * so the wallet opens with no signal; the cards themselves are in IndexedDB, written by the
 * page. Network first: online, the wallet is always the gateway's current one. Nothing but
 * these files is kept: an offer, a request or a status list goes to the network (status
 * lists are kept by the page itself, with the time they are as of).
 */
importScripts('shell-sw.js');

keepShell({
  cache: 'anxin-wallet-shell-v1',
  files: /^\/wallet(\/[A-Za-z0-9._-]+)?$|^\/verify\/verify-core\.js$/,
  first: [
    '/wallet',
    '/wallet/wallet.js',
    '/wallet/wallet.css',
    '/wallet/manifest.webmanifest',
    '/wallet/icon.svg',
    '/wallet/icon-192.png',
  ],
});
