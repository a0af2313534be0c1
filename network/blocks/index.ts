export * from './der';
export * from './codes';
export * from './tx';
export * from './config';
export * from './block';
export * from './decode';
export * from './transactions';
export * from './json';
