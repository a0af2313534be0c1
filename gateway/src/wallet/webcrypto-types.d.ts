/**
 * The DOM's names of the WebCrypto types the wallet's protocol modules use, for the Node
 * build; the browser build has the DOM's own (this file is not part of it).
 */
declare global {
  type JsonWebKey = import('node:crypto').webcrypto.JsonWebKey;
  type CryptoKeyPair = import('node:crypto').webcrypto.CryptoKeyPair;
}
export {};
