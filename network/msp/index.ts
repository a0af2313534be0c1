export * from './ecdsa';
export * from './x509';
export * from './identity';
export * from './generate';
