/** Status lists: choosing a credential's entry, pointing at it, and publishing the lists. */
export * from './allocate';
export * from './encode';
export * from './publish';
export * from './urls';
