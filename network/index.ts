export * from './msp';
