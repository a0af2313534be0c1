/**
 * The worker's wallet (/wallet): receive a credential from the issuer's offer QR code and
 * PIN (OpenID4VCI, ./oid4vci.ts), keep it on this phone (IndexedDB, ./ui-store.ts) bound to a
 * device key made here (./ui-key.ts), see its status and when it runs out, and show it —
 * to an employer's request QR code (OpenID4VP, ./oid4vp.ts), after saying who asks and for
 * what, or offline as a static QR code renewed before its 5-minute key binding runs out —
 * and see who checked it (receipts, signed for with the device key).
 *
 * Built by scripts/bundle.mjs into dist/public/wallet/wallet.js (an ES module; the QR
 * decoder and encoder are chunks of their own, loaded when first needed).
 */
import { FIELDS, TYPES, VALUES, LEVELS, word, type Lang } from '../page/words';
import { deviceKey } from './ui-key';
import { mountScanner, type Scanner } from './ui-scan';
import { signJws } from './jws';
import { readCredential, showable, type Held } from './ui-sdjwt';
import { readStatus } from './ui-status';
import { allCards, get, put, putCard, remove, type Card } from './ui-store';
import { MORE_FIELDS, WALLET_TEXT, type WalletTextKey } from './ui-words';
import type { Asked, ReceiveFailure } from './ui-protocols';

/**
 * The protocols and the work-card encoder, each a chunk of its own: the first screen (the
 * cards) opens without them, and a phone on a poor signal loads them when the worker asks.
 */
const protocols = () => import('./ui-protocols.js');
const workcard = () => import('./workcard.js');

type View = 'cards' | 'receive' | 'card' | 'qr' | 'request' | 'receipts';

const DAY = 86_400_000;
/** The static QR code is renewed this long after it was made: before verifiers' 5 minutes run out. */
const QR_RENEW_MS = 4 * 60_000;
const RECEIPTS_EVERY_MS = 5_000;

const LANG_STORE = 'anxin.wallet.lang';

function $<T extends HTMLElement = HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

function el(tag: string, text?: string, cls?: string): HTMLElement {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function clear(e: HTMLElement): void {
  while (e.firstChild) e.removeChild(e.firstChild);
}

function stored(k: string): string | null {
  try {
    return localStorage.getItem(k);
  } catch {
    return null;
  }
}

const asked = new URLSearchParams(location.search).get('lang');
let lang: Lang =
  asked === 'en' || asked === 'zh'
    ? asked
    : (stored(LANG_STORE) as Lang | null) || (/^zh/i.test(navigator.language || 'zh') ? 'zh' : 'en');
const say = (k: WalletTextKey): string => WALLET_TEXT[lang][k];

let cards: Card[] = [];
let current: Card | undefined;
let view: View = 'cards';
let qrTimer: number | undefined;
let receiptsTimer: number | undefined;
let pendingOffer: string | undefined;
let pendingRequest: Asked | undefined;
const scanners: Scanner[] = [];

// ---------------------------------------------------------------- dates and words

function day(iso: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

function when(iso: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${day(iso)} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Punctuation as each language writes it. */
const colon = (): string => (lang === 'zh' ? '：' : ': ');
const stop = (): string => (lang === 'zh' ? '。' : '. ');
const paren = (t: string): string => (lang === 'zh' ? `（${t}）` : ` (${t})`);

function typeName(type: string): string {
  return word(TYPES, type, lang) ?? type;
}

function valueWords(path: string, v: unknown): string {
  if (Array.isArray(v)) return v.map((x) => valueWords(path, x)).join(lang === 'zh' ? '、' : ', ');
  if (typeof v === 'number' && path.endsWith('level')) return word(LEVELS, String(v), lang) ?? String(v);
  if (typeof v === 'number' && path.endsWith('amountFen'))
    return `${(v / 100).toFixed(2)} ${lang === 'zh' ? '元' : 'CNY'}`;
  if (typeof v === 'string') return word(VALUES, v, lang) ?? v;
  return JSON.stringify(v);
}

/** Every member as label and words, nested objects flattened (`validity.until`). */
function fieldLines(held: Held): Array<{ label: string; value: string }> {
  const out: Array<{ label: string; value: string }> = [];
  const add = (key: string, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) add(`${key}.${k}`, x);
      return;
    }
    if (key === 'idNumber' && typeof v === 'string') v = `${'*'.repeat(Math.max(0, v.length - 4))}${v.slice(-4)}`;
    out.push({ label: word(FIELDS, key, lang) ?? word(MORE_FIELDS, key, lang) ?? key, value: valueWords(key, v) });
  };
  for (const d of showable(held)) add(d.path.slice(d.path.indexOf('.') + 1), d.value);
  return out;
}

/** The state a card is in now: its status, and its validity against the clock. */
function stateOf(card: Card, now: number): { tone: 'good' | 'warn' | 'bad'; text: string; daysLeft?: number } {
  const s = card.status?.status;
  if (s === 'revoked') return { tone: 'bad', text: say('statusRevoked') };
  if (s === 'suspended') return { tone: 'bad', text: say('statusSuspended') };
  if (card.validUntil) {
    const left = Math.ceil((Date.parse(card.validUntil) - now) / DAY);
    if (Date.parse(card.validUntil) <= now) return { tone: 'bad', text: say('statusExpired'), daysLeft: 0 };
    if (left <= 30)
      return {
        tone: 'warn',
        text:
          left <= 1
            ? say('expiresToday')
            : lang === 'zh'
              ? `${left} ${say('expiresIn')}`
              : `${left} ${say('expiresIn')}`,
        daysLeft: left,
      };
  }
  if (s === 'active') return { tone: 'good', text: say('statusActive') };
  return { tone: 'warn', text: say('statusUnknown') };
}

function asOfLine(card: Card): string | undefined {
  return card.status?.asOf ? `${say('statusAsOf')} ${when(card.status.asOf)}` : undefined;
}

// ---------------------------------------------------------------- banners and reminders

/** Reminders: 30 and 7 days before a card runs out, when it has, and on suspension or revocation. */
function banners(): void {
  const box = $('banners');
  clear(box);
  const now = Date.now();
  for (const c of cards) {
    const st = stateOf(c, now);
    const name = `${typeName(c.type)}${paren(c.issuer.name ?? c.issuer.id)}`;
    let text: string | undefined;
    let tone = 'warn';
    let mark: string | undefined;
    if (c.status?.status === 'revoked') [text, tone, mark] = [say('revokedBanner') + name, 'bad', 'revoked'];
    else if (c.status?.status === 'suspended') [text, tone, mark] = [say('suspendedBanner') + name, 'bad', 'suspended'];
    else if (st.daysLeft === 0)
      [text, tone, mark] = [`${say('expiredBanner')}${name}${stop()}${say('renewHint')}`, 'bad', 'expired'];
    else if (st.daysLeft !== undefined && st.daysLeft <= 30) {
      text = `${say('expiringBanner')}${name} — ${st.text}${stop()}${say('renewHint')}`;
      mark = st.daysLeft <= 7 ? '7' : '30';
    }
    if (!text) continue;
    const b = el('p', text, `banner ${tone}`);
    b.dataset.card = c.id;
    b.dataset.reminder = mark;
    box.appendChild(b);
    if (mark) void notifyOnce(c, mark, text);
  }
}

/** A system notification, once per card and reminder, where the worker allowed them. */
async function notifyOnce(card: Card, mark: string, text: string): Promise<void> {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const key = `notified:${card.id}:${mark}`;
  if (await get('settings', key)) return;
  await put('settings', key, new Date().toISOString());
  try {
    const reg = await navigator.serviceWorker?.getRegistration('/wallet');
    if (reg) await reg.showNotification(say('title'), { body: text, tag: key, icon: '/wallet/icon-192.png' });
    else new Notification(say('title'), { body: text, tag: key });
  } catch {
    /* notifications are a courtesy: the banner stays */
  }
}

// ---------------------------------------------------------------- views

/** The scanner of a view, shown while there is something to scan, hidden once it was read. */
function scannerShown(v: 'receive' | 'request', shown: boolean): void {
  (document.querySelector(`#view-${v} .scanner`) as HTMLElement).hidden = !shown;
}

function show(v: View): void {
  view = v;
  $('loading').hidden = true;
  for (const s of ['cards', 'receive', 'card', 'qr', 'request', 'receipts'] as View[]) $(`view-${s}`).hidden = s !== v;
  if (v !== 'qr' && qrTimer) window.clearTimeout(qrTimer);
  if (v !== 'receipts' && receiptsTimer) window.clearTimeout(receiptsTimer);
  if (v !== 'receive' && v !== 'request') scanners.forEach((s) => s.stop());
  document.body.dataset.view = v;
  window.scrollTo(0, 0);
}

function renderCards(): void {
  const list = $('cards');
  clear(list);
  const now = Date.now();
  $('no-cards').hidden = cards.length > 0;
  for (const c of cards) {
    const st = stateOf(c, now);
    const li = el('li', undefined, st.tone);
    li.dataset.card = c.id;
    li.dataset.type = c.type;
    li.dataset.state = c.status?.status ?? 'unknown';
    const b = el('button');
    (b as HTMLButtonElement).type = 'button';
    b.appendChild(el('span', typeName(c.type), 'card-type'));
    b.appendChild(el('span', `${say('issuer')}${colon()}${c.issuer.name ?? c.issuer.id}`, 'card-line'));
    if (c.validUntil) b.appendChild(el('span', `${say('validUntil')}${colon()}${day(c.validUntil)}`, 'card-line'));
    b.appendChild(el('span', st.text, `state ${st.tone}`));
    const asOf = asOfLine(c);
    if (asOf) b.appendChild(el('span', asOf, 'card-line note as-of'));
    b.addEventListener('click', () => void openCard(c));
    li.appendChild(b);
    list.appendChild(li);
  }
  banners();
}

async function openCard(c: Card): Promise<void> {
  current = c;
  const held = await readCredential(c.credential);
  const st = stateOf(c, Date.now());
  const head = $('card-head');
  head.className = `card-head ${st.tone}`;
  head.dataset.card = c.id;
  head.dataset.state = c.status?.status ?? 'unknown';
  if (c.validUntil) head.dataset.until = c.validUntil;
  clear(head);
  head.appendChild(el('span', typeName(c.type), 'card-type'));
  head.appendChild(el('span', `${say('issuer')}${colon()}${c.issuer.name ?? c.issuer.id}`, 'card-line'));
  head.appendChild(el('span', st.text, `state ${st.tone}`));
  const asOf = asOfLine(c);
  if (asOf) head.appendChild(el('span', asOf, 'card-line note as-of'));
  const dl = $('card-fields');
  clear(dl);
  const lines = [
    ...(c.validFrom ? [{ label: say('validFrom'), value: day(c.validFrom) }] : []),
    ...(c.validUntil ? [{ label: say('validUntil'), value: day(c.validUntil) }] : []),
    ...fieldLines(held),
  ];
  for (const f of lines) {
    dl.appendChild(el('dt', f.label));
    dl.appendChild(el('dd', f.value));
  }
  show('card');
}

// ---------------------------------------------------------------- the static QR code

/** Job presets: the members a kind of job needs, by credential type. */
function jobs(held: Held): Array<{ key: WalletTextKey; paths: string[] }> {
  const all = showable(held).map((d) => d.path);
  const has = (p: string) => all.includes(p);
  const pick = (ps: string[]) => ps.filter(has);
  const out: Array<{ key: WalletTextKey; paths: string[] }> = [];
  if (held.type === 'HealthCertificate')
    out.push({
      key: 'jobFood',
      paths: pick([
        'holder.name',
        'healthCertificate.categories',
        'healthCertificate.result',
        'healthCertificate.validity',
      ]),
    });
  out.push({ key: 'jobBasic', paths: pick(['holder.name', ...all.filter((p) => /\.(validity|expiryDate)$/.test(p))]) });
  out.push({ key: 'jobAll', paths: all.filter((p) => p !== 'holder.idNumber') });
  return out;
}

async function openQr(): Promise<void> {
  if (!current) return;
  const held = await readCredential(current.credential);
  const select = $<HTMLSelectElement>('qr-job');
  clear(select);
  for (const [i, j] of jobs(held).entries()) {
    const o = el('option', say(j.key)) as HTMLOptionElement;
    o.value = String(i);
    select.appendChild(o);
  }
  select.onchange = () => void drawQr(held).catch(qrFailed);
  show('qr');
  await drawQr(held).catch(qrFailed);
}

async function drawQr(held: Held): Promise<void> {
  if (qrTimer) window.clearTimeout(qrTimer);
  const job = jobs(held)[Number($<HTMLSelectElement>('qr-job').value) || 0]!;
  const key = await deviceKey();
  const { presentForQr } = await workcard();
  // The compact text alone (not a link): the smallest code, which a cheap camera reads in a
  // doorway; the employer scans it with the verifier page.
  const qr = await presentForQr({ credential: held.credential, disclose: job.paths, key });
  const QRCode = (await import('qrcode')).default;
  const url = await QRCode.toDataURL(qr.text, {
    errorCorrectionLevel: qr.ecLevel,
    version: qr.version,
    margin: 4,
    scale: 4,
  });
  const img = $<HTMLImageElement>('qr-img');
  img.src = url;
  img.dataset.text = qr.text;
  img.dataset.version = String(qr.version);
  img.dataset.ec = qr.ecLevel;
  img.dataset.expires = qr.expiresAt;
  img.dataset.made = new Date().toISOString();
  const chips = $('qr-fields');
  clear(chips);
  for (const p of job.paths) {
    const member = p.slice(p.indexOf('.') + 1);
    const label = word(FIELDS, member, lang) ?? word(MORE_FIELDS, member, lang) ?? member;
    chips.appendChild(el('li', label));
  }
  const made = new Date();
  $('qr-note').textContent = `${say('qrNote')} ${say('qrUpdated')} ${when(made.toISOString())}`;
  if (view === 'qr') qrTimer = window.setTimeout(() => void drawQr(held).catch(qrFailed), QR_RENEW_MS);
}

function qrFailed(): void {
  $<HTMLImageElement>('qr-img').removeAttribute('src');
  $('qr-note').textContent = say('qrTooBig');
}

// ---------------------------------------------------------------- receiving

function receiveError(k: WalletTextKey | undefined): void {
  const e = $('receive-error');
  e.hidden = !k;
  e.textContent = k ? say(k) : '';
  if (k) e.dataset.code = k;
  else delete e.dataset.code;
}

async function openOffer(text: string): Promise<void> {
  show('receive');
  receiveError(undefined);
  $('pin-form').hidden = true;
  if (!(await protocols()).isOffer(text)) return receiveError('notOffer');
  pendingOffer = text;
  scannerShown('receive', false);
  $('pin-form').hidden = false;
  $<HTMLInputElement>('pin').value = '';
  $<HTMLInputElement>('pin').focus();
}

const FAILURE_WORDS: Record<ReceiveFailure, WalletTextKey> = {
  wrong_pin: 'wrongPin',
  pin_limited: 'pinLimited',
  offer_gone: 'offerGone',
  offline: 'offline',
  not_offer: 'notOffer',
  failed: 'receiveFailed',
};

async function submitPin(): Promise<void> {
  if (!pendingOffer) return;
  const pin = $<HTMLInputElement>('pin').value.trim();
  receiveError(undefined);
  $('receive-busy').hidden = false;
  $<HTMLButtonElement>('receive-go').disabled = true;
  try {
    const r = await (await protocols()).receiveOffer(pendingOffer, pin, await deviceKey());
    if ('failure' in r) return receiveError(FAILURE_WORDS[r.failure]);
    pendingOffer = undefined;
    $('pin-form').hidden = true;
    const card = await keep(r.credential);
    await refresh();
    await openCard(card);
  } finally {
    $('receive-busy').hidden = true;
    $<HTMLButtonElement>('receive-go').disabled = false;
  }
}

/** Keep a credential received; a renewal that names a card held replaces it. */
async function keep(credential: string): Promise<Card> {
  const held = await readCredential(credential);
  const card: Card = {
    id: held.id,
    credential,
    type: held.type,
    issuer: held.issuer,
    ...(held.validFrom ? { validFrom: held.validFrom } : {}),
    ...(held.validUntil ? { validUntil: held.validUntil } : {}),
    receivedAt: new Date().toISOString(),
  };
  card.status = await readStatus(card, new Date());
  await putCard(card);
  const replaces = typeof held.payload.replaces === 'string' ? held.payload.replaces : await replacedOf(card.id);
  if (replaces && replaces !== card.id && cards.some((c) => c.id === replaces)) await remove('cards', replaces);
  return card;
}

/**
 * What a credential replaces, from its public status (the renewal chain on the ledger). Asked
 * once, as it is received (the gateway issued it just now: this tells it nothing new); a
 * credential not yet in the gateway's view of the ledger is asked again shortly.
 */
async function replacedOf(id: string): Promise<string | undefined> {
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      const res = await fetch(`/v1/credentials/${encodeURIComponent(id)}/status`, {
        credentials: 'omit',
        cache: 'no-store',
      });
      if (res.ok) {
        const body = (await res.json()) as { replaces?: unknown };
        return typeof body.replaces === 'string' ? body.replaces : undefined;
      }
      if (res.status !== 404) return undefined;
    } catch {
      return undefined; // no network: the old card stays until she deletes it
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return undefined;
}

// ---------------------------------------------------------------- showing to a request

function requestState(what: 'busy' | 'ok' | 'fail' | 'info' | 'none', text = ''): void {
  $('request-busy').hidden = what !== 'busy';
  $('request-busy').textContent = what === 'busy' ? text : '';
  const done = $('request-done');
  done.hidden = what === 'busy' || what === 'none';
  done.className = `done ${what === 'ok' ? 'ok' : what === 'fail' ? 'fail' : ''}`;
  done.dataset.result = what;
  done.textContent = what === 'busy' ? '' : text;
}

async function openRequest(text: string): Promise<void> {
  show('request');
  scannerShown('request', false);
  $('consent').hidden = true;
  requestState('busy', say('loading'));
  const r = await (await protocols()).loadRequest(text, cards);
  if ('failure' in r) {
    pendingRequest = undefined;
    const words: Record<typeof r.failure, WalletTextKey> = {
      no_match: 'noMatch',
      offline: 'offline',
      expired: 'requestExpired',
      bad: 'requestBad',
    };
    requestState('fail', say(words[r.failure]));
    $('request-done').dataset.code = r.failure;
    return;
  }
  pendingRequest = r;
  requestState('none');
  $('asker').textContent = r.verifierName;
  $('asked-job').textContent = r.job ? (lang === 'zh' ? r.job.zh : r.job.en) : '';
  const list = $('asked');
  clear(list);
  for (const f of r.fields) list.appendChild(el('li', lang === 'zh' ? f.zh : f.en));
  $('asked-card').textContent =
    `${say('fromCard')}${colon()}${typeName(r.card.type)}${paren(r.card.issuer.name ?? r.card.issuer.id)}`;
  $('consent').hidden = false;
}

async function agree(): Promise<void> {
  if (!pendingRequest) return;
  const r = pendingRequest;
  pendingRequest = undefined;
  $('consent').hidden = true;
  requestState('busy', say('sending'));
  const ok = await (await protocols()).answerRequest(r, await deviceKey());
  requestState(ok ? 'ok' : 'fail', say(ok ? 'sent' : 'sendFailed'));
}

// ---------------------------------------------------------------- receipts

interface Receipt {
  credentialId: string;
  type?: string;
  verifier?: { name?: string };
  checkedAt: string;
  verified: boolean;
}

async function loadReceipts(): Promise<void> {
  if (receiptsTimer) window.clearTimeout(receiptsTimer);
  const note = $('receipts-note');
  try {
    const key = await deviceKey();
    const ch = await fetch('/v1/holder/challenge', { method: 'POST', credentials: 'omit', cache: 'no-store' });
    if (!ch.ok) throw new Error(String(ch.status));
    const { nonce, aud } = (await ch.json()) as { nonce: string; aud: string };
    const proof = await signJws(
      key,
      { typ: 'anxin-holder+jwt', jwk: key.publicJwk },
      { aud, nonce, iat: Math.floor(Date.now() / 1000) },
    );
    const res = await fetch('/v1/holder/receipts', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ proof }),
      credentials: 'omit',
      cache: 'no-store',
    });
    if (!res.ok) throw new Error(String(res.status));
    const { receipts } = (await res.json()) as { receipts: Receipt[] };
    const list = $('receipts');
    clear(list);
    for (const r of receipts) {
      const card = cards.find((c) => c.id === r.credentialId);
      const li = el('li', undefined, r.verified ? 'ok' : 'fail');
      li.dataset.credential = r.credentialId;
      li.dataset.verified = String(r.verified);
      const who = r.verifier?.name ?? say('unknownAsker');
      li.appendChild(el('strong', who));
      li.appendChild(el('span', ` · ${typeName(r.type ?? card?.type ?? '')} · `));
      li.appendChild(el('span', say(r.verified ? 'receiptOk' : 'receiptFail'), `state ${r.verified ? 'good' : 'bad'}`));
      li.appendChild(el('span', when(r.checkedAt), 'when'));
      list.appendChild(li);
    }
    note.textContent = receipts.length
      ? `${say('receiptsAsOf')} ${when(new Date().toISOString())}`
      : say('receiptsNone');
  } catch (e) {
    note.textContent = e instanceof TypeError ? say('receiptsOffline') : say('receiptsFailed');
  }
  if (view === 'receipts') receiptsTimer = window.setTimeout(() => void loadReceipts(), RECEIPTS_EVERY_MS);
}

// ---------------------------------------------------------------- start

function applyLang(): void {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = say('title');
  document.querySelectorAll('[data-t]').forEach((n) => {
    n.textContent = say(n.getAttribute('data-t') as WalletTextKey);
  });
  $('lang').textContent = say('other');
  scanners.forEach((s) => s.relabel(lang));
  renderCards();
  if (view === 'card' && current) void openCard(current);
}

/** Read every card again, and the status lists (when there is a network). */
async function refresh(): Promise<void> {
  cards = await allCards();
  renderCards();
  const now = new Date();
  const updated = await Promise.all(
    cards.map(async (c) => {
      const status = await readStatus(c, now);
      if (status && JSON.stringify(status) !== JSON.stringify(c.status)) {
        c.status = status;
        await putCard(c);
      }
      return c;
    }),
  );
  cards = updated;
  renderCards();
}

/** An offer or request link opens the wallet with it in the fragment; taken, then dropped from the address bar. */
function fromFragment(): void {
  const h = location.hash.slice(1);
  if (!h) return;
  history.replaceState(null, '', location.pathname + location.search);
  const params = new URLSearchParams(h);
  if (params.has('offer')) void openOffer(`${location.origin}${location.pathname}#${h}`);
  else if (params.has('request')) void openRequest(`${location.origin}${location.pathname}#${h}`);
}

/** Whatever a scanner read: an offer, or a request. */
function scanned(text: string): void {
  if (/^openid4vp:|[#&?]request(_uri)?=/.test(text)) void openRequest(text);
  else if (view === 'request') void openRequest(text);
  else void openOffer(text);
}

async function boot(): Promise<void> {
  $('lang').addEventListener('click', () => {
    lang = lang === 'zh' ? 'en' : 'zh';
    try {
      localStorage.setItem(LANG_STORE, lang);
    } catch {
      /* kept for this visit only */
    }
    applyLang();
  });
  $('home').addEventListener('click', () => show('cards'));
  document.querySelectorAll('.back').forEach((b) =>
    b.addEventListener('click', () => {
      if (view === 'qr' && current) return void openCard(current);
      show('cards');
      renderCards();
    }),
  );
  $('go-receive').addEventListener('click', () => {
    scannerShown('receive', true);
    $('pin-form').hidden = true;
    receiveError(undefined);
    show('receive');
  });
  $('go-show').addEventListener('click', () => {
    scannerShown('request', true);
    $('consent').hidden = true;
    requestState('none');
    show('request');
  });
  $('go-receipts').addEventListener('click', () => {
    show('receipts');
    void loadReceipts();
  });
  $('pin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void submitPin();
  });
  $('card-qr').addEventListener('click', () => void openQr());
  $('card-delete').addEventListener('click', () => {
    if (!current || !window.confirm(say('deleteConfirm'))) return;
    void remove('cards', current.id).then(() => {
      show('cards');
      return refresh();
    });
  });
  $('agree').addEventListener('click', () => void agree());
  $('decline').addEventListener('click', () => {
    pendingRequest = undefined;
    $('consent').hidden = true;
    requestState('info', say('declined'));
  });
  document
    .querySelectorAll<HTMLElement>('.scanner')
    .forEach((box) => scanners.push(mountScanner(box, scanned, () => lang)));
  applyLang();
  cards = await allCards();
  renderCards();
  show('cards');
  document.body.dataset.ready = 'true';
  // When the first screen became usable, for measurement (bench/src/wallet).
  performance.mark('anxin-wallet-ready');
  navigator.serviceWorker?.register('/wallet/sw.js', { scope: '/wallet' }).catch(() => undefined);
  fromFragment();
  window.addEventListener('hashchange', fromFragment);
  // Ask once for reminders as system notifications, when the worker first holds a card.
  if (cards.length && typeof Notification !== 'undefined' && Notification.permission === 'default')
    void Notification.requestPermission().catch(() => undefined);
  await refresh();
  document.body.dataset.status = 'read';
}

void boot();
