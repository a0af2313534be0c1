/**
 * A work card's QR code: the text it carries and its images. An SD-JWT presentation is
 * carried compact — `AX1:<Base45>`, stored in the QR code's alphanumeric mode — or, for any
 * phone camera to open the verifier page, as a link `<verifier url>#AX1.<base64url>` (a URL
 * fragment never reaches a server's logs); anything else as `ANXIN:<credential>` or
 * `<verifier url>#<credential>`. POST /v1/verify, `anxin verify` and the verifier page take
 * every form. Images come from `qrcode`. No Node built-in: the wallet uses it too.
 */
import QRCode from 'qrcode';
import { CompactQrError, compactQrText } from '../../verify/qr-text';
import { WorkCardError } from './errors';

/** What a version-40 QR code holds in byte mode at error correction L. */
export const QR_MAX_BYTES = 2953;

export type QrFormat = 'svg' | 'png' | 'terminal';
export type EcLevel = 'L' | 'M' | 'Q' | 'H';

function verifierLink(verifierUrl: string): URL {
  let url: URL;
  try {
    url = new URL(verifierUrl);
  } catch {
    throw new WorkCardError('verifier_url_invalid', `${verifierUrl} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new WorkCardError('verifier_url_invalid', 'the verifier URL must be http(s)');
  url.hash = '';
  return url;
}

/**
 * The QR text of a presentation: compact when it is an SD-JWT, as it is otherwise.
 *
 * @example
 * workCardText(presentation); // 'AX1:6BFOXN*TS0…'
 * workCardText(presentation, 'https://anxin.example.cn/verify'); // 'https://anxin.example.cn/verify#AX1.…'
 */
export function workCardText(presentation: string, verifierUrl?: string): string {
  const url = verifierUrl === undefined ? undefined : verifierLink(verifierUrl);
  let compact: string | undefined;
  try {
    compact = compactQrText(presentation, url !== undefined);
  } catch (e) {
    if (!(e instanceof CompactQrError)) throw e;
  }
  if (!url) return compact ?? `ANXIN:${presentation}`;
  return `${url.toString()}#${compact ?? presentation}`;
}

/**
 * The QR version (1–40) `text` needs at error correction `ecLevel`, with `qrcode`'s own
 * choice of modes (alphanumeric for a compact text); undefined when no version holds it.
 *
 * @example qrVersion(workCardText(presentation), 'M'); // 23
 */
export function qrVersion(text: string, ecLevel: EcLevel): number | undefined {
  try {
    return QRCode.create(text, { errorCorrectionLevel: ecLevel }).version;
  } catch {
    return undefined;
  }
}

/** M, the sturdier level, when the text fits a QR code at M; L when only at L. */
export function qrLevel(text: string): 'M' | 'L' {
  if (qrVersion(text, 'M') !== undefined) return 'M';
  if (qrVersion(text, 'L') !== undefined) return 'L';
  throw new WorkCardError(
    'qr_too_large',
    `the work card text (${text.length} characters) does not fit one QR code: disclose fewer members`,
  );
}

/** The QR code of `text` as an SVG document, a PNG image, or text for a terminal. */
export async function renderQr(text: string, format: 'png', ecLevel?: EcLevel): Promise<Buffer>;
export async function renderQr(text: string, format: 'svg' | 'terminal', ecLevel?: EcLevel): Promise<string>;
/** `ecLevel` when given (a short link takes Q); else M, or L when only L holds the text. */
export async function renderQr(text: string, format: QrFormat, ecLevel?: EcLevel): Promise<string | Buffer> {
  if (ecLevel && qrVersion(text, ecLevel) === undefined)
    throw new WorkCardError('qr_too_large', `the text does not fit one QR code at level ${ecLevel}`);
  const errorCorrectionLevel = ecLevel ?? qrLevel(text);
  if (format === 'png') return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel, margin: 4, scale: 4 });
  if (format === 'svg') return QRCode.toString(text, { type: 'svg', errorCorrectionLevel, margin: 4 });
  return QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel });
}
