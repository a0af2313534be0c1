/**
 * issuerAuthorizedForType: the issuer's kind may issue the type; the issuer may now, or the
 * ledger anchored it while it could; and the subject names the issuer by its registered USCC.
 * An SD-JWT holder may withhold the member that names it: the report says so instead of
 * failing. Judged only for an issuer in good standing. Then, for any issuer: whom a platform
 * issued on behalf of.
 */
import {
  ON_BEHALF_OF_MEMBER,
  SUBJECT_ISSUER_MEMBER,
  SUBJECT_MEMBER,
  typesOutsideKind,
  type CredentialType,
} from '@anxin/schemas';
import type { Context, Fragment } from '../context';
import type { AuthorityJudgement, NamedIssuerOutcome, OnBehalfOf } from '../report';

function judgeType(c: Context, type: CredentialType, authority: AuthorityJudgement): void {
  const { r, issuer } = c;
  if (typesOutsideKind(issuer.kind, [type]).length) {
    authority.typeRule = 'not_for_kind';
    return r.fail(
      'issuerAuthorizedForType',
      'type_not_for_kind',
      `an issuer of kind ${issuer.kind} may never issue ${type}`,
    );
  }
  if (issuer.allowedTypes.includes(type)) authority.typeRule = 'allowed';
  else if (c.proof !== undefined) authority.typeRule = 'allowed_when_anchored';
  else {
    authority.typeRule = 'not_allowed';
    return r.fail(
      'issuerAuthorizedForType',
      'type_not_allowed',
      `issuer ${issuer.id} may not issue ${type}, and no anchor shows it could when this was issued (rule not_allowed)`,
    );
  }
  judgeNamedIssuer(c, type, authority);
}

/** The subject names its issuer by the USCC the registry has for it. */
function judgeNamedIssuer({ r, issuer, facts, parsed }: Context, type: CredentialType, authority: AuthorityJudgement) {
  const member = SUBJECT_ISSUER_MEMBER[type][issuer.kind]!;
  const subject = facts.disclosed[SUBJECT_MEMBER[type]] as Record<string, unknown> | undefined;
  const field = `/${SUBJECT_MEMBER[type]}/${member}/uscc`;
  let outcome: NamedIssuerOutcome;
  if (parsed.format === 'dc+sd-jwt' && !(subject && member in subject)) outcome = 'undisclosed';
  else {
    const uscc = (subject?.[member] as { uscc?: unknown } | undefined)?.uscc;
    outcome = uscc === undefined ? 'missing' : uscc === issuer.uscc ? 'matches' : 'mismatch';
  }
  authority.namedIssuer = { field, outcome };
  if (outcome === 'missing' || outcome === 'mismatch') {
    return r.fail(
      'issuerAuthorizedForType',
      'subject_issuer_mismatch',
      outcome === 'missing'
        ? `the subject does not name its issuer: ${member}.uscc is absent (${issuer.id} is ${issuer.uscc})`
        : `the subject's ${member}.uscc is not the USCC of its issuer ${issuer.id} (${issuer.uscc})`,
      field,
    );
  }
  r.pass('issuerAuthorizedForType');
}

/** Code-point order of ids: the same on every machine, unlike a locale's collation (`localeCompare`). */
function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Whom a platform issued a labor contract on behalf of: the employer as written, and whether it is registered. */
function onBehalfOf({ issuer, facts, parsed, deps }: Context): OnBehalfOf | undefined {
  if (!facts.type || facts.issuerId !== issuer.id) return undefined;
  const member = ON_BEHALF_OF_MEMBER[facts.type][issuer.kind];
  if (!member) return undefined;
  const subject = facts.disclosed[SUBJECT_MEMBER[facts.type]] as Record<string, unknown> | undefined;
  const org = subject?.[member] as { name?: unknown; uscc?: unknown } | undefined;
  if (!org) return { member, disclosed: parsed.format === 'vc+jwt' };
  const uscc = typeof org.uscc === 'string' ? org.uscc : undefined;
  return {
    member,
    disclosed: true,
    ...(typeof org.name === 'string' ? { name: org.name } : {}),
    ...(uscc ? { uscc } : {}),
    ...(uscc && deps.issuersByUscc
      ? {
          registeredAs: deps
            .issuersByUscc(uscc)
            .map((i) => ({ id: i.id, name: i.name, kind: i.kind, status: i.status }))
            .sort(byId),
        }
      : {}),
  };
}

export const issuerType: Fragment = (c) => {
  if (c.r.ok('issuerTrusted')) judgeType(c, c.facts.type!, c.authority!);
  const behalf = onBehalfOf(c);
  if (behalf) c.facts.onBehalfOf = behalf;
};
