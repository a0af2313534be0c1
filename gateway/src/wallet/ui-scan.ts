/**
 * Reading a QR code into the wallet, three ways, each giving its text to the same handler:
 * the camera (the browser's `BarcodeDetector` where it has one — Android Chrome — else the
 * bundled jsQR decoder, loaded only then: iOS Safari), a picture of the code (a screenshot,
 * a photo), or its text or link pasted. Nothing read here leaves the phone by this module.
 */
import type { Lang } from '../page/words';
import { WALLET_TEXT, type WalletTextKey } from './ui-words';

interface Detector {
  detect(source: CanvasImageSource): Promise<Array<{ rawValue: string }>>;
}
type DetectorClass = new (options: { formats: string[] }) => Detector;

function nativeDetector(): Detector | undefined {
  const D = (window as unknown as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
  try {
    return D ? new D({ formats: ['qr_code'] }) : undefined;
  } catch {
    return undefined;
  }
}

type JsQr = (
  data: Uint8ClampedArray,
  width: number,
  height: number,
  options: { inversionAttempts: 'dontInvert' | 'attemptBoth' },
) => { data: string } | null;

/** The text of the QR code in `image`, read by jsQR (a chunk of its own, loaded on first use). */
async function decodeWithJsQr(source: CanvasImageSource, width: number, height: number): Promise<string | undefined> {
  // jsQR is CommonJS: its function is the module's default, or that default's own `default`.
  const mod = (await import('jsqr')) as unknown as { default: JsQr | { default: JsQr } };
  const jsQR = typeof mod.default === 'function' ? mod.default : mod.default.default;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(source, 0, 0, width, height);
  const img = ctx.getImageData(0, 0, width, height);
  return jsQR(img.data, width, height, { inversionAttempts: 'dontInvert' })?.data || undefined;
}

async function decode(source: CanvasImageSource, width: number, height: number): Promise<string | undefined> {
  const native = nativeDetector();
  if (native) {
    try {
      const codes = await native.detect(source);
      if (codes[0]?.rawValue) return codes[0].rawValue;
    } catch {
      /* the decoder below */
    }
  }
  return decodeWithJsQr(source, width, height);
}

/** The text of the QR code in an image file, or undefined when there is none. */
export async function decodeImageFile(file: Blob): Promise<string | undefined> {
  const bitmap = await createImageBitmap(file);
  try {
    return await decode(bitmap, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}

export interface Scanner {
  stop(): void;
  relabel(lang: Lang): void;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, t?: WalletTextKey): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (t) e.setAttribute('data-wt', t);
  return e;
}

/**
 * Put a scanner in `box`: camera button, picture button, paste box. `onText` gets what was read.
 *
 * @example mountScanner($('offer-scanner'), (text) => openOffer(text), () => lang);
 */
export function mountScanner(box: HTMLElement, onText: (text: string) => void, lang: () => Lang): Scanner {
  const say = (k: WalletTextKey) => WALLET_TEXT[lang()][k];
  const scan = el('button', '', 'scan');
  scan.type = 'button';
  const stopBtn = el('button', 'secondary', 'stopScan');
  stopBtn.type = 'button';
  stopBtn.hidden = true;
  const video = el('video');
  video.muted = true;
  video.playsInline = true;
  video.hidden = true;
  const note = el('p', 'note');
  note.hidden = true;
  const pick = el('button', 'secondary', 'pickImage');
  pick.type = 'button';
  const file = el('input');
  file.type = 'file';
  file.accept = 'image/*';
  file.hidden = true;
  file.className = 'scan-file';
  const label = el('label', '', 'pasteLabel');
  const paste = el('textarea', 'scan-text');
  paste.rows = 3;
  paste.spellcheck = false;
  paste.autocomplete = 'off';
  const go = el('button', 'secondary scan-go', 'pasteGo');
  go.type = 'button';
  const actions = el('div', 'actions');
  actions.append(scan, stopBtn, pick);
  box.append(video, actions, note, file, label, paste, go);

  let stream: MediaStream | null = null;
  let running = false;

  const tell = (text: string) => {
    note.textContent = text;
    note.hidden = false;
  };
  const stop = () => {
    running = false;
    stream?.getTracks().forEach((t) => t.stop());
    stream = null;
    video.hidden = true;
    stopBtn.hidden = true;
    scan.hidden = false;
  };
  const found = (text: string) => {
    stop();
    note.hidden = true;
    onText(text.trim());
  };
  const frames = () => {
    if (!running) return;
    const w = video.videoWidth;
    const h = video.videoHeight;
    if (!w || !h) return void setTimeout(frames, 200);
    decode(video, w, h)
      .then((text) => (text ? found(text) : setTimeout(frames, 250)))
      .catch(() => setTimeout(frames, 500));
  };
  scan.addEventListener('click', () => {
    note.hidden = true;
    if (!navigator.mediaDevices?.getUserMedia || window.isSecureContext === false) return tell(say('noCamera'));
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      .then((s) => {
        stream = s;
        running = true;
        video.srcObject = s;
        video.hidden = false;
        stopBtn.hidden = false;
        scan.hidden = true;
        return video.play().then(frames);
      })
      .catch((e: unknown) => {
        stop();
        tell(say('cameraDenied') + ((e as { name?: string } | null)?.name ?? ''));
      });
  });
  stopBtn.addEventListener('click', stop);
  pick.addEventListener('click', () => file.click());
  file.addEventListener('change', () => {
    const f = file.files?.[0];
    file.value = '';
    if (!f) return;
    decodeImageFile(f)
      .then((text) => (text ? found(text) : tell(say('noQrFound'))))
      .catch(() => tell(say('noQrFound')));
  });
  go.addEventListener('click', () => {
    const text = paste.value.trim();
    paste.value = '';
    if (text) found(text);
  });
  const relabel = (l: Lang) => {
    box.querySelectorAll('[data-wt]').forEach((n) => {
      n.textContent = WALLET_TEXT[l][n.getAttribute('data-wt') as WalletTextKey];
    });
  };
  relabel(lang());
  return { stop, relabel };
}
