/**
 * A printable work card (SVG, A6 portrait) for a worker without a smartphone: the fields the
 * worker agreed to show, in Chinese and English, and a QR code — a short link with the card's
 * own secret (printed.ts), at error correction Q — that a verifier checks online. Paper cannot
 * sign a fresh key-binding JWT, so only credentials not bound to a device key can be printed;
 * every scan asks for the credential's current status, so a revoked card fails at the door.
 *
 * The words are the verifier page's own (src/page), so the card and the page agree.
 */
import QRCode from 'qrcode';
import * as page from '../../page';
import { QR_MAX_BYTES, qrVersion } from './qr';
import { WorkCardError, type Presentation } from './present';

export interface CardInput {
  presentation: Presentation;
  /** What the QR code carries: the card's short link. */
  qrText: string;
  credentialId: string;
  type: string;
  issuer: { id: string; name?: string };
  validUntil?: string;
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Long values wrap at a width of `n` characters (CJK characters count double). */
function wrap(s: string, n: number): string[] {
  const lines: string[] = [];
  let line = '';
  let width = 0;
  for (const ch of s) {
    const w = /[\u1100-\uffff]/.test(ch) ? 2 : 1;
    if (width + w > n) {
      lines.push(line);
      line = '';
      width = 0;
    }
    line += ch;
    width += w;
  }
  if (line) lines.push(line);
  return lines;
}

/** The card as an SVG document, 105 × 148 mm. */
export async function printableCardSvg(c: CardInput): Promise<string> {
  if (Buffer.byteLength(c.qrText) > QR_MAX_BYTES)
    throw new WorkCardError(
      'qr_too_large',
      `the card's QR text is ${Buffer.byteLength(c.qrText)} bytes; one QR code holds at most ${QR_MAX_BYTES}: disclose fewer members`,
    );
  const report = {
    credential: { type: c.type, issuer: c.issuer, validUntil: c.validUntil, disclosed: c.presentation.claims },
  };
  const zh = page.summarize(report, 'zh');
  const en = page.summarize(report, 'en');
  // Q: a printed card gets creased and stained; a short link leaves room for the redundancy.
  const qr = QRCode.create(c.qrText, { errorCorrectionLevel: qrVersion(c.qrText, 'Q') !== undefined ? 'Q' : 'L' });
  const size = qr.modules.size;
  const cells: string[] = [];
  for (let y = 0; y < size; y++) {
    // One rectangle per run of dark modules in a row.
    for (let x = 0; x < size;) {
      if (!qr.modules.get(x, y)) {
        x++;
        continue;
      }
      let run = 1;
      while (x + run < size && qr.modules.get(x + run, y)) run++;
      cells.push(`M${x} ${y}h${run}v1h-${run}z`);
      x += run;
    }
  }

  const out: string[] = [];
  const n = (v: number) => +v.toFixed(2);
  const text = (x: number, y: number, size: number, s: string, extra = '') =>
    out.push(`<text x="${n(x)}" y="${n(y)}" font-size="${n(size)}"${extra}>${esc(s)}</text>`);
  text(6, 11, 5.2, '安心工作卡 · Anxin work card', ' font-weight="700"');
  text(6, 17.5, 3.6, zh.subline);
  text(6, 22, 3.2, en.subline, ' fill="#5f6368"');
  // One line per field: the label in both languages on the left, the value on the right
  // (the English value under it when it differs). Many fields (a whole labor contract) are
  // set smaller, so that every field of a type fits above a QR code of 30 mm.
  const rows = zh.facts.map((f, i) => {
    const enValue = en.facts[i]?.value ?? '';
    return {
      label: f.label,
      enLabel: en.facts[i]?.label ?? '',
      lines: (f.value === enValue ? [f.value] : [f.value, enValue]).flatMap((v) => wrap(v, 36)),
    };
  });
  const natural = rows.reduce((h, r) => h + Math.max(6.4, r.lines.length * 3.8 + 1.6), 0);
  const k = Math.min(1, (138 - 30 - 29) / Math.max(natural, 1));
  let y = 29;
  for (const r of rows) {
    text(6, y, 2.6 * k, r.label, ' fill="#5f6368"');
    text(6, y + 2.9 * k, 2.2 * k, r.enLabel, ' fill="#9aa0a6"');
    r.lines.forEach((v, j) => text(36, y + j * 3.8 * k, 3.3 * k, v, ' font-weight="600"'));
    y += Math.max(6.4, r.lines.length * 3.8 + 1.6) * k;
  }
  // The QR code fills the width below the facts, with its quiet zone, up to 90 mm.
  const qrTop = Math.max(y - 1, 50);
  const qrSide = Math.min(93, 138 - qrTop);
  if (qrSide < 29.9) throw new WorkCardError('card_too_full', 'too many fields for one card: disclose fewer members');
  const qrX = (105 - qrSide) / 2;
  out.push(
    `<svg x="${qrX}" y="${qrTop}" width="${qrSide}" height="${qrSide}" viewBox="-4 -4 ${size + 8} ${size + 8}" shape-rendering="crispEdges"><rect x="-4" y="-4" width="${size + 8}" height="${size + 8}" fill="#fff"/><path d="${cells.join('')}" fill="#000"/></svg>`,
  );
  text(6, 141.5, 2.5, '扫码核验：每次扫码都会在线查询凭证当前状态。', ' fill="#5f6368"');
  text(6, 144.8, 2.5, 'Scan to verify: every scan checks the current status online.', ' fill="#5f6368"');
  text(6, 147.4, 1.9, c.credentialId, ' fill="#9aa0a6" font-family="monospace"');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<svg xmlns="http://www.w3.org/2000/svg" width="105mm" height="148mm" viewBox="0 0 105 148"',
    ` font-family="'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif">`,
    '<rect width="105" height="148" fill="#fff" stroke="#dadce0" stroke-width="0.3"/>',
    ...out,
    '</svg>',
    '',
  ].join('\n');
}
