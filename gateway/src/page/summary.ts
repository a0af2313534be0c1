/**
 * What the verifier page shows for a verification report: pure functions of the report and
 * a language, tested in Node. Everything taken from a report stays a plain string, which the
 * page puts on screen as text (textContent), never as HTML: a forged credential's fields are
 * attacker-written.
 */
import type { VerificationReport } from '../verify';
import { AUTHORITY, CHECKS, FIELDS, LEVELS, REASONS, TEXT, TYPES, VALUES, word, type Lang } from './words';

/**
 * A report as the page may receive it — from the gateway, but read as if any member could be
 * missing — or as a printed work card makes it (what a credential says, nothing checked).
 */
export type ShownReport = Partial<Omit<VerificationReport, 'credential'>> & {
  credential?: Partial<NonNullable<VerificationReport['credential']>>;
};

export interface Summary {
  ok: boolean;
  /**
   * green: verified; amber: not verified only because what the status was read from is past
   * its `exp` (never green, but not a finding against the credential); red: anything else.
   */
  tone: 'ok' | 'warn' | 'fail';
  headline: string;
  subline: string;
  facts: Array<{ label: string; value: string }>;
  reasons: Array<{ text: string; detail: string }>;
  checks: Array<{ name: string; label: string; outcome: string }>;
  /** How a credential bound to a device key was shown, or null. */
  binding: 'challenge' | 'static' | null;
}

/** Reasons that say only that what the status was read from is too old to lean on. */
const STALE: readonly string[] = ['status_list_expired', 'trust_list_expired'];

function langOf(lang: string): Lang {
  return lang === 'en' || lang === 'zh' ? lang : 'zh';
}

function value(path: string, v: unknown, lang: Lang): string {
  if (Array.isArray(v)) return v.map((x) => value(path, x, lang)).join(lang === 'zh' ? '、' : ', ');
  if (path === 'pay.amountFen' && typeof v === 'number') return `${(v / 100).toFixed(2)} ${TEXT[lang].yuan}`;
  if (path === 'level' && typeof v === 'number') return word(LEVELS, String(v), lang) || String(v);
  if (typeof v === 'string') return word(VALUES, v, lang) || v;
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v as number | boolean);
}

/** [path, value] for every leaf of a disclosed group, nested objects as dotted paths. */
function leaves(obj: Record<string, unknown>, prefix: string, out: Array<[string, unknown]>): Array<[string, unknown]> {
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    const p = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) leaves(v as Record<string, unknown>, p, out);
    else out.push([p, v]);
  }
  return out;
}

const pad = (n: number) => (n < 10 ? '0' : '') + n;

/**
 * An instant in the device's own time zone: `YYYY-MM-DD HH:MM:SS`, or `HH:MM` alone.
 *
 * @example localTime('2026-06-30T01:02:03Z', false); // '09:02' in Beijing
 */
export function localTime(iso: string, withDate: boolean): string {
  const d = new Date(iso);
  if (isNaN(d.getTime())) return String(iso);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (!withDate) return hm;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}:${pad(d.getSeconds())}`;
}

function day(iso: unknown): string {
  return typeof iso === 'string' ? iso.slice(0, 10) : '';
}

/** The disclosed facts, each labelled in `lang`, then the validity end unless a fact already says it. */
function disclosedFacts(report: ShownReport, lang: Lang): Summary['facts'] {
  const t = TEXT[lang];
  const c = report.credential;
  const facts: Summary['facts'] = [];
  const disclosed: Record<string, unknown> = c?.disclosed ?? {};
  for (const group of Object.keys(disclosed)) {
    const g = disclosed[group];
    if (!g || typeof g !== 'object' || Array.isArray(g)) continue;
    for (const [path, v] of leaves(g as Record<string, unknown>, '', [])) {
      facts.push({ label: word(FIELDS, path, lang) || path, value: value(path, v, lang) });
    }
  }
  const until = day(c?.validUntil);
  if (until && !facts.some((f) => f.label === t.validUntil && f.value === until))
    facts.push({ label: t.validUntil, value: until });
  return facts;
}

/** What the report says beyond the credential's contents: on whose behalf, authority, anchor, binding, when. */
function reportFacts(report: ShownReport, lang: Lang, binding: Summary['binding']): Summary['facts'] {
  const t = TEXT[lang];
  const facts: Summary['facts'] = [];
  const behalf = report.credential?.issuer?.onBehalfOf;
  if (behalf) {
    let who = behalf.disclosed ? behalf.name || behalf.uscc || '' : t.withheld;
    if (behalf.disclosed && behalf.registeredAs)
      who += ` · ${behalf.registeredAs.length ? t.registered : t.notRegistered}`;
    facts.push({ label: t.onBehalfOf, value: who });
  }
  const a = report.authority;
  const said = a && (word(AUTHORITY, a.rule, lang) || (a.typeRule && word(AUTHORITY, a.typeRule, lang)));
  if (said) facts.push({ label: t.authority, value: said });
  if (report.anchor)
    facts.push({ label: t.anchored, value: `${t.block} ${report.anchor.block} · ${day(report.anchor.anchoredAt)}` });
  if (report.statusList)
    facts.push({
      label: t.statusAsOf,
      value: `${localTime(report.statusList.asOf, true)} · ${word(VALUES, report.statusList.status, lang) || report.statusList.status}`,
    });
  if (binding) facts.push({ label: t.binding, value: binding === 'challenge' ? t.bindingChallenge : t.bindingStatic });
  if (report.checkedAt) facts.push({ label: t.checkedAt, value: localTime(report.checkedAt, true) });
  return facts;
}

/**
 * What the page shows for a report: all plain strings.
 *
 * @example
 * const s = summarize(report, 'zh');
 * s.headline; // '✓ 通过核验'
 */
export function summarize(report: ShownReport, language: string): Summary {
  const lang = langOf(language);
  const t = TEXT[lang];
  const c = report.credential;
  const sub: string[] = [];
  if (c?.type) sub.push(word(TYPES, c.type, lang) || c.type);
  if (c?.issuer) sub.push(c.issuer.name || c.issuer.id);
  const shown = report.presentation?.binding;
  const binding = shown === 'challenge' || shown === 'static' ? shown : null;
  const checks = report.checks ?? ({} as Partial<VerificationReport['checks']>);
  const reasons = report.reasons ?? [];
  const tone =
    report.verified === true ? 'ok' : reasons.length && reasons.every((r) => STALE.includes(r.code)) ? 'warn' : 'fail';
  return {
    ok: report.verified === true,
    tone,
    headline: tone === 'ok' ? t.ok : tone === 'warn' ? t.warn : t.fail,
    subline: sub.join(' · '),
    facts: [...disclosedFacts(report, lang), ...reportFacts(report, lang, binding)],
    reasons: (report.reasons ?? []).map((r) => ({
      text: word(REASONS, r.code, lang) || r.code,
      detail: r.detail || '',
    })),
    checks: (Object.keys(CHECKS) as Array<keyof typeof CHECKS>).map((name) => ({
      name,
      label: CHECKS[name][lang],
      outcome: checks[name] || 'skipped',
    })),
    binding,
  };
}

/**
 * One line for the list of this session's checks (a job may need a health certificate and a
 * contract: each QR code is one credential): verdict, type, the holder's name when disclosed,
 * the first reason, the time.
 */
export function historyLine(
  report: ShownReport,
  language: string,
): { ok: boolean; tone: Summary['tone']; text: string } {
  const lang = langOf(language);
  const s = summarize(report, lang);
  const c = report.credential;
  const holder = c?.disclosed?.holder as { name?: unknown } | undefined;
  // An answer that is only stale (amber) is not a failure: it is marked as the headline marks it.
  const mark = s.tone === 'ok' ? '✓ ' : s.tone === 'warn' ? '⚠ ' : '✗ ';
  const parts = [mark + ((c?.type && word(TYPES, c.type, lang)) || TEXT[lang].unknownType)];
  if (typeof holder?.name === 'string') parts.push(holder.name);
  if (!s.ok && s.reasons.length) parts.push(s.reasons[0]!.text);
  if (report.checkedAt) parts.push(localTime(report.checkedAt, false));
  return { ok: s.ok, tone: s.tone, text: parts.join(' · ') };
}
