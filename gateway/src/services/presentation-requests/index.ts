export * from './client-id';
export * from './presets';
export * from './requests';
export * from './answer';
