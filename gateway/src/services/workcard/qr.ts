/**
 * A work card's QR code: the text it carries and its images. The text is
 * `ANXIN:<presentation>`, or a verifier link `<verifier url>#<presentation>` that any
 * phone camera opens in the verifier page (a URL fragment never reaches a server's logs);
 * POST /v1/verify and `anxin verify` take either. Images come from `qrcode`.
 */
import QRCode from 'qrcode';
import { WorkCardError } from './present';

/** What a version-40 QR code holds in byte mode at error correction L. */
export const QR_MAX_BYTES = 2953;
/** Up to this many bytes, the sturdier level M is used. */
const QR_M_MAX_BYTES = 2331;

export type QrFormat = 'svg' | 'png' | 'terminal';

export function workCardText(presentation: string, verifierUrl?: string): string {
  if (!verifierUrl) return `ANXIN:${presentation}`;
  let url: URL;
  try {
    url = new URL(verifierUrl);
  } catch {
    throw new WorkCardError('verifier_url_invalid', `${verifierUrl} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new WorkCardError('verifier_url_invalid', 'the verifier URL must be http(s)');
  url.hash = '';
  return `${url.toString()}#${presentation}`;
}

function level(text: string): 'M' | 'L' {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > QR_MAX_BYTES)
    throw new WorkCardError(
      'qr_too_large',
      `the work card text is ${bytes} bytes; one QR code holds at most ${QR_MAX_BYTES}: disclose fewer members`,
    );
  return bytes <= QR_M_MAX_BYTES ? 'M' : 'L';
}

/** The QR code of `text` as an SVG document, a PNG image, or text for a terminal. */
export async function renderQr(text: string, format: 'png'): Promise<Buffer>;
export async function renderQr(text: string, format: 'svg' | 'terminal'): Promise<string>;
export async function renderQr(text: string, format: QrFormat): Promise<string | Buffer> {
  const errorCorrectionLevel = level(text);
  if (format === 'png') return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel, margin: 4, scale: 4 });
  if (format === 'svg') return QRCode.toString(text, { type: 'svg', errorCorrectionLevel, margin: 4 });
  return QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel });
}
