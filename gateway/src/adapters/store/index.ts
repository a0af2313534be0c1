/**
 * The Store's adapters: SQLite (sqlite/, the embedded default) and MongoDB (mongo/), side
 * by side, each one folder with a file per aggregate of the port (gateway/src/ports/store).
 * `openStore` chooses one from configuration.
 */
export * from './open';
