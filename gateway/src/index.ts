export * from './config';
export * from './errors';
export * from './gateway';
export * from './ports/store';
export { verifyCredential, maskIdNumber } from './services/verify/verify';
export * from './verify/report';
export { parseCredential, unwrapQr } from './verify/parse';
export { ROUTES, openApiDocument } from './openapi';
