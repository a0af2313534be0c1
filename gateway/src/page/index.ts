/** The verifier page's words and report summary: what runs the same in Node and in the page. */
export * from './words';
export * from './summary';
