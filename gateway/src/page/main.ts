/**
 * The Anxin verifier page (/verify): scan a worker's QR code (or paste its text) and show a
 * green, amber or red answer with reasons, in Chinese or English (./summary.ts says what; this
 * file puts it on the page, as text). With the employer's API key it is sent to
 * POST /v1/verify, which also records the check; without one it is verified in this browser
 * against the published keys and status lists, kept for offline use (./in-browser.ts).
 *
 * Two ways a worker's device shows a credential bound to it, and the answer says which:
 *  - static: the QR code the device made by itself (offline), good for 5 minutes;
 *  - challenge: "ask the worker's phone" gets a one-time challenge from
 *    POST /v1/verify/challenges → { nonce, aud, expiresAt }; the device signs its key-binding
 *    JWT with that nonce and aud, and the next check sends { credential, challenge: nonce }
 *    (used once, by this verifier only).
 *
 * And one way the page asks the phone itself (OpenID4VP 1.0, cross-device): "ask the worker's
 * phone" makes a presentation request for the chosen job (POST /v1/presentation-requests),
 * shows its QR code big, and polls GET /v1/presentation-requests/:id every POLL_MS until the
 * wallet has answered; the answer is shown like a scanned card.
 *
 * Built into one classic script, dist/public/verify.js (scripts/bundle.mjs).
 */
import { verifyInBrowser } from './in-browser';
import { historyLine, localTime, summarize, type ShownReport } from './summary';
import { TEXT, type Lang, type TextKey } from './words';

/** The Shape Detection API's QR reader, where a browser has one. */
interface BarcodeDetector {
  detect(source: HTMLVideoElement): Promise<Array<{ rawValue: string }>>;
}
type BarcodeDetectorClass = new (options: { formats: string[] }) => BarcodeDetector;

interface Challenge {
  nonce: string;
  aud: string;
  expiresAt: string;
}

type Shown =
  | { kind: 'report'; report: ShownReport }
  | { kind: 'message'; key: TextKey; tone?: 'idle' | 'busy' | 'fail'; extra?: string };

const KEY_STORE = 'anxin.verifyKey';
const LANG_STORE = 'anxin.lang';

function $<T extends HTMLElement = HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

const store = {
  get(k: string): string | null {
    try {
      return window.localStorage.getItem(k);
    } catch {
      return null;
    }
  },
  set(k: string, v: string | null): void {
    try {
      if (v === null) window.localStorage.removeItem(k);
      else window.localStorage.setItem(k, v);
    } catch {
      /* private mode: kept for this page only */
    }
  },
};

const query = new URLSearchParams(location.search);
const asked = query.get('lang');
let lang: Lang =
  asked === 'en' || asked === 'zh'
    ? asked
    : (store.get(LANG_STORE) as Lang | null) || (/^zh/i.test(navigator.language || 'zh') ? 'zh' : 'en');
let last: Shown | null = null;
let session: ShownReport[] = []; // this page's reports, newest first; kept in memory only
let stream: MediaStream | null = null;
let scanning = false;
let challenge: Challenge | null = null; // pending: used by the next check
let challengeTimer: number | null = null;

function clear(e: HTMLElement): void {
  while (e.firstChild) e.removeChild(e.firstChild);
}

function el(tag: string, text?: string, cls?: string): HTMLElement {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function renderSession(): void {
  const list = $('history');
  clear(list);
  for (const report of session) {
    const h = historyLine(report, lang);
    list.appendChild(el('li', h.text, h.tone));
  }
  $('session').hidden = session.length === 0;
}

function applyLang(): void {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = TEXT[lang].title;
  document.querySelectorAll('[data-t]').forEach((n) => {
    n.textContent = TEXT[lang][n.getAttribute('data-t') as TextKey];
  });
  $('lang').textContent = TEXT[lang].other;
  if (last) render(last);
  renderSession();
}

function render(what: Shown): void {
  last = what;
  const box = $('answer');
  for (const id of ['facts', 'reasons', 'checks']) clear($(id));
  $('subline').textContent = '';
  $('checks-box').hidden = true;
  if (what.kind === 'message') {
    box.className = `answer ${what.tone || 'idle'}`;
    $('headline').textContent = TEXT[lang][what.key] + (what.extra ? ` ${what.extra}` : '');
    return;
  }
  const s = summarize(what.report, lang);
  box.className = `answer ${s.tone}`;
  $('headline').textContent = s.headline;
  $('subline').textContent = s.subline;
  for (const f of s.facts) {
    $('facts').appendChild(el('dt', f.label));
    $('facts').appendChild(el('dd', f.value));
  }
  for (const r of s.reasons) {
    const li = el('li', r.text);
    if (r.detail) {
      li.appendChild(document.createElement('br'));
      li.appendChild(el('span', r.detail, 'detail'));
    }
    $('reasons').appendChild(li);
  }
  for (const c of s.checks) {
    const said = c.outcome === 'pass' ? TEXT[lang].pass : c.outcome === 'fail' ? TEXT[lang].failed : TEXT[lang].skipped;
    $('checks').appendChild(el('li', `${c.label} — ${said}`, c.outcome));
  }
  $('checks-box').hidden = false;
}

function apiKey(): string {
  const key = store.get(KEY_STORE) || $<HTMLInputElement>('key').value.trim();
  if (!key) {
    $<HTMLDetailsElement>('key-box').open = true;
    render({ kind: 'message', key: 'needKey', tone: 'fail' });
  }
  return key;
}

function showChallenge(c: Challenge | null): void {
  if (challengeTimer) window.clearTimeout(challengeTimer);
  challengeTimer = null;
  challenge = c;
  $('challenge-box').hidden = !c;
  $('ask').hidden = !!c;
  if (!c) return;
  $('challenge-nonce').textContent = c.nonce;
  $('challenge-aud').textContent = c.aud;
  $('challenge-until').textContent = localTime(c.expiresAt, false);
  // An expired challenge can no longer be answered: back to the static QR code.
  challengeTimer = window.setTimeout(
    () => showChallenge(null),
    Math.max(0, new Date(c.expiresAt).getTime() - Date.now()),
  );
}

/** A refusal the page has words for, or undefined for an answer to read. */
function refusal(status: number, ok: number, limited: boolean): Shown | undefined {
  if (status === 401) {
    $<HTMLDetailsElement>('key-box').open = true;
    return { kind: 'message', key: 'badKey', tone: 'fail' };
  }
  if (status === 403) return { kind: 'message', key: 'forbidden', tone: 'fail' };
  if (limited && status === 429) return { kind: 'message', key: 'limited', tone: 'fail' };
  if (status !== ok)
    return { kind: 'message', key: ok === 201 ? 'challengeFailed' : 'serverError', tone: 'fail', extra: `(${status})` };
  return undefined;
}

function askDevice(): void {
  const key = apiKey();
  if (!key) return;
  fetch('/v1/verify/challenges', {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}` },
    cache: 'no-store',
    credentials: 'omit',
  })
    .then((res) => {
      const refused = refusal(res.status, 201, false);
      if (refused) return render(refused);
      return res.json().then((c: Challenge) => showChallenge(c));
    })
    .catch(() => render({ kind: 'message', key: 'offline', tone: 'fail' }));
}

interface AskedField {
  credential: string;
  path: string[];
  label_zh: string;
  label_en: string;
}

interface RequestState {
  id: string;
  status: 'pending' | 'verified' | 'failed' | 'declined' | 'expired';
  fields: AskedField[];
  result?: { credentials: Record<string, { report: ShownReport; missing: string[]; problems?: string[] }> };
}

let polling: number | null = null; // the request being waited for, polled every POLL_MS
const POLL_MS = 500;

function stopRequest(): void {
  if (polling) window.clearInterval(polling);
  polling = null;
  $('request-box').hidden = true;
  $('request').hidden = false;
}

/** The wallet's answer, shown like a scanned card: its report, red when it did not answer what the job needs. */
function showAnswer(state: RequestState): void {
  stopRequest();
  if (state.status === 'declined') return render({ kind: 'message', key: 'requestDeclined', tone: 'fail' });
  if (state.status === 'expired') return render({ kind: 'message', key: 'requestExpired', tone: 'fail' });
  const answered = Object.values(state.result?.credentials ?? {});
  if (!answered.length) return render({ kind: 'message', key: 'requestDeclined', tone: 'fail' });
  const bad = answered.find((c) => !c.report.verified || c.missing.length || c.problems?.length);
  const one = bad ?? answered[0]!;
  const incomplete = one.report.verified && !!bad;
  if (incomplete) one.report.verified = false;
  shown(one.report);
  if (!incomplete) return;
  const label = (path: string) => {
    const f = state.fields.find((x) => x.path.join('.') === path);
    return f ? (lang === 'zh' ? f.label_zh : f.label_en) : path;
  };
  $('headline').textContent = one.missing.length
    ? TEXT[lang].requestMissing + one.missing.map(label).join(lang === 'zh' ? '、' : ', ')
    : TEXT[lang].requestUnbound;
}

function poll(id: string, key: string): void {
  fetch(`/v1/presentation-requests/${encodeURIComponent(id)}`, {
    headers: { Authorization: `Bearer ${key}` },
    cache: 'no-store',
    credentials: 'omit',
  })
    .then((res) => (res.status === 200 ? (res.json() as Promise<RequestState>) : null))
    .then((state) => {
      if (state && state.status !== 'pending' && polling) showAnswer(state);
    })
    .catch(() => undefined);
}

/** "Ask the worker's phone": a request for the chosen job, its QR code shown big, the answer awaited. */
function requestFromPhone(): void {
  const key = apiKey();
  if (!key) return;
  stopRequest();
  fetch('/v1/presentation-requests', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
    body: JSON.stringify({ preset: $<HTMLSelectElement>('preset').value }),
    cache: 'no-store',
    credentials: 'omit',
  })
    .then((res) => {
      const refused = refusal(res.status, 201, true);
      if (refused) return render(refused);
      return res.json().then((r: { id: string; qr: string; expiresAt: string }) => {
        $<HTMLImageElement>('request-qr').src = `data:image/svg+xml;base64,${btoa(r.qr)}`;
        $('request-box').hidden = false;
        $('request').hidden = true;
        render({ kind: 'message', key: 'requestWaiting', tone: 'busy' });
        polling = window.setInterval(() => poll(r.id, key), POLL_MS);
      });
    })
    .catch(() => render({ kind: 'message', key: 'offline', tone: 'fail' }));
}

function shown(report: ShownReport): void {
  session.unshift(report);
  session.length = Math.min(session.length, 20);
  render({ kind: 'report', report });
  renderSession();
}

/** Without an API key: verified here, against the published keys and status lists. */
function verifyHere(text: string): void {
  render({ kind: 'message', key: 'busy', tone: 'busy' });
  verifyInBrowser(text)
    .then((report) => (report ? shown(report) : render({ kind: 'message', key: 'offline', tone: 'fail' })))
    .catch(() => render({ kind: 'message', key: 'offline', tone: 'fail' }));
}

function verify(input: string): void {
  const text = (input || '').trim();
  if (!text) return render({ kind: 'message', key: 'empty', tone: 'fail' });
  const key = store.get(KEY_STORE) || $<HTMLInputElement>('key').value.trim();
  if (!key) return verifyHere(text);
  render({ kind: 'message', key: 'busy', tone: 'busy' });
  const body: { credential: string; challenge?: string } = { credential: text };
  // A pending challenge is for this check: the gateway uses it up, whatever the answer.
  if (challenge) body.challenge = challenge.nonce;
  showChallenge(null);
  fetch('/v1/verify', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
    cache: 'no-store',
    credentials: 'omit',
  })
    .then((res) => {
      const refused = refusal(res.status, 200, true);
      if (refused) return render(refused);
      return res.json().then(shown);
    })
    .catch(() => render({ kind: 'message', key: 'offline', tone: 'fail' }));
}

function stopCamera(): void {
  scanning = false;
  if (stream) for (const track of stream.getTracks()) track.stop();
  stream = null;
  $('camera-box').hidden = true;
  $('stop').hidden = true;
  $('scan').hidden = false;
}

function scanFrames(detector: BarcodeDetector, video: HTMLVideoElement): void {
  const tick = (): void => {
    if (!scanning) return;
    detector
      .detect(video)
      .then((codes) => {
        if (codes.length && codes[0]!.rawValue) {
          stopCamera();
          $<HTMLTextAreaElement>('text').value = '';
          verify(codes[0]!.rawValue);
        } else setTimeout(tick, 200);
      })
      .catch(() => setTimeout(tick, 400));
  };
  tick();
}

function startCamera(): void {
  const note = $('camera-note');
  note.hidden = true;
  if (window.isSecureContext === false) {
    note.textContent = TEXT[lang].needHttps;
    note.hidden = false;
    return;
  }
  const Detector = (window as unknown as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  if (!Detector || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    note.textContent = TEXT[lang].noCamera;
    note.hidden = false;
    return;
  }
  const detector = new Detector({ formats: ['qr_code'] });
  navigator.mediaDevices
    .getUserMedia({ video: { facingMode: 'environment' }, audio: false })
    .then((s) => {
      stream = s;
      scanning = true;
      const video = $<HTMLVideoElement>('video');
      video.srcObject = s;
      $('camera-box').hidden = false;
      $('stop').hidden = false;
      $('scan').hidden = true;
      return video.play().then(() => scanFrames(detector, video));
    })
    .catch((e: unknown) => {
      stopCamera();
      note.textContent = TEXT[lang].cameraDenied + ((e as { name?: string } | null)?.name ?? '');
      note.hidden = false;
    });
}

/**
 * A QR code that is a link to this page carries the credential in the fragment, which never
 * reaches a server; take it, and drop it from the address bar and history.
 */
function fromFragment(): void {
  if (location.hash.length <= 1) return;
  let text = location.hash.slice(1);
  try {
    text = decodeURIComponent(text);
  } catch {
    /* not percent-encoded: taken as it is */
  }
  history.replaceState(null, '', location.pathname + location.search);
  verify(text);
}

function boot(): void {
  const key = $<HTMLInputElement>('key');
  key.value = store.get(KEY_STORE) || '';
  $<HTMLDetailsElement>('key-box').open = !store.get(KEY_STORE);
  $('lang').addEventListener('click', () => {
    lang = lang === 'zh' ? 'en' : 'zh';
    store.set(LANG_STORE, lang);
    applyLang();
  });
  $('save-key').addEventListener('click', () => {
    const k = key.value.trim();
    store.set(KEY_STORE, k || null);
    $<HTMLDetailsElement>('key-box').open = !k;
    if (k) render({ kind: 'message', key: 'keySaved', tone: 'idle' });
  });
  $('forget-key').addEventListener('click', () => {
    store.set(KEY_STORE, null);
    key.value = '';
  });
  $('clear-session').addEventListener('click', () => {
    session = [];
    renderSession();
  });
  $('scan').addEventListener('click', startCamera);
  $('stop').addEventListener('click', stopCamera);
  $('ask').addEventListener('click', askDevice);
  $('cancel-challenge').addEventListener('click', () => showChallenge(null));
  $('request').addEventListener('click', requestFromPhone);
  $('cancel-request').addEventListener('click', stopRequest);
  $('check').addEventListener('click', () => verify($<HTMLTextAreaElement>('text').value));
  applyLang();
  // Kept for offline use: the page opens, and verifies from what it kept, without a network.
  navigator.serviceWorker?.register('/verify/sw.js', { scope: '/verify' }).catch(() => undefined);
  fromFragment();
  window.addEventListener('hashchange', fromFragment);
}

boot();
