/**
 * schema: a vc+jwt is the VC document its type's schema describes (and names that schema);
 * an SD-JWT's disclosed subject members each match their own part of it — what was not
 * disclosed cannot be judged, and need not be.
 */
import {
  CREDENTIAL_SCHEMA_BY_TYPE,
  SUBJECT_MEMBER,
  SUBJECT_SCHEMA_BY_TYPE,
  toIssues,
  type CredentialType,
} from '@anxin/schemas';
import type { Fragment } from '../context';
import { validatorFor } from '../validators';

type Issue = { field: string; message: string };

/** The first issue of a whole VC document against its type's schema. */
function documentIssue(type: CredentialType, payload: Record<string, unknown>): Issue | undefined {
  const cs = payload.credentialSchema as { id?: unknown } | undefined;
  const expected = CREDENTIAL_SCHEMA_BY_TYPE[type].$id;
  if (cs?.id !== expected) return { field: '/credentialSchema/id', message: `credentialSchema must be ${expected}` };
  const fn = validatorFor(expected);
  if (!fn) throw new Error(`no schema registered with id ${expected}`);
  return fn(payload) ? undefined : (toIssues(fn.errors)[0] ?? { field: '', message: 'is invalid' });
}

/** The first issue of the disclosed members of an SD-JWT subject against their own schemas. */
function memberIssue(type: CredentialType, member: Record<string, unknown>): Issue | undefined {
  const schema = SUBJECT_SCHEMA_BY_TYPE[type] as { properties: Record<string, object>; $id: string };
  const path = `/${SUBJECT_MEMBER[type]}`;
  for (const [k, v] of Object.entries(member)) {
    if (!(k in schema.properties)) return { field: `${path}/${k}`, message: 'is not a member of this credential type' };
    const fn = validatorFor(`${schema.$id}#/properties/${k}`);
    if (fn && !fn(v)) {
      const first = fn.errors?.[0];
      return { field: `${path}/${k}${first?.instancePath ?? ''}`, message: first?.message ?? 'is invalid' };
    }
  }
  return undefined;
}

export const schema: Fragment = ({ r, parsed, facts }) => {
  const type = facts.type!;
  const disclosed = facts.disclosed[SUBJECT_MEMBER[type]] as Record<string, unknown> | undefined;
  const issue =
    parsed.format === 'vc+jwt'
      ? documentIssue(type, parsed.payload)
      : disclosed
        ? memberIssue(type, disclosed)
        : undefined;
  if (issue) r.fail('schema', 'schema_invalid', issue.message, issue.field);
  else r.pass('schema');
};
