/** Every HTTP API body schema, for registration with the shared ajv instance. */
export const API_SCHEMAS: readonly { $id: string }[] = [];
