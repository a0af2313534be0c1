export * from './config';
export * from './errors';
export * from './http/problem-types';
export * from './gateway';
export * from './ports/store';
export { verifyCredential, maskIdNumber } from './services/verify/verify';
export * from './services/verify/report';
export { parseCredential, unwrapQr } from './services/verify/parse';
export { ROUTES, openApiDocument } from './openapi';
