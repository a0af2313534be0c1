/* global importScripts, keepShell */
/**
 * The verifier page's service worker: the page, its script, style sheet and the verification
 * core's bundle are kept as last fetched, so the page opens without a network and verifies
 * from the trust list and status lists it kept (Cache Storage, written by the page itself).
 * Network first: online, the page is always the gateway's current one.
 */
importScripts('shell-sw.js');

keepShell({
  cache: 'anxin-verifier-shell-v1',
  files: /^\/verify(\/(verify\.js|verify-core\.js|verify\.css))?$/,
});
