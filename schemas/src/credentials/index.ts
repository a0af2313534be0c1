export * from './vc';
export * from './public-ids';
export * from './context';
export * from './type-metadata';
