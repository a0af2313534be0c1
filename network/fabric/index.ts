export * from './crypto';
export * from './configtx';
export * from './config';
export * from './ports';
export * from './network';
export * from './adapter';
