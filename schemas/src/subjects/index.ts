/** Every credential-subject schema, for registration with the shared ajv instance. */
export const SUBJECT_SCHEMAS: readonly { $id: string }[] = [];
