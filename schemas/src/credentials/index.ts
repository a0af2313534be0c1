export * from './vc';
