/**
 * Work card QR codes: the text (compact AX1:…, ANXIN:… for what is not an SD-JWT, or a
 * verifier link), the largest text one code holds (decoded back from the image), and a clear
 * refusal beyond it.
 */
import { expect } from 'chai';
import jsQR from 'jsqr';
import { describe, it } from 'mocha';
import { PNG } from 'pngjs';
import { WorkCardError, QR_MAX_BYTES, renderQr, workCardText } from '@anxin/gateway/workcard';
import { unwrapQr } from '@anxin/gateway/verify';

async function roundTrip(text: string): Promise<string | undefined> {
  const png = PNG.sync.read(await renderQr(text, 'png'));
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

describe('work card QR codes', () => {
  const presentation = 'eyJhbGciOiJFUzI1NiJ9.eyJ4IjoxfQ.c2ln~WyJzIiwibmFtZSIsIuW8oOS8nyJd~';

  it('AX1:<Base45> by default; a verifier link keeps AX1.<base64url> in the fragment; both unwrap to the presentation', () => {
    const text = workCardText(presentation);
    expect(text).to.match(/^AX1:[0-9A-Z $%*+\-./:]+$/);
    const link = workCardText(presentation, 'https://anxin.example/verify?lang=zh#old');
    expect(link).to.match(/^https:\/\/anxin\.example\/verify\?lang=zh#AX1\.[A-Za-z0-9_-]+$/);
    expect(unwrapQr(link)).to.equal(presentation);
    expect(unwrapQr(text)).to.equal(presentation);
    expect(unwrapQr(`  ${text}\r\n`)).to.equal(presentation);
  });

  it('what is not an SD-JWT stays as it is: ANXIN:<credential>', () => {
    const jws = 'eyJhbGciOiJFUzI1NiJ9.eyJ4IjoxfQ.c2ln';
    expect(workCardText(jws)).to.equal(`ANXIN:${jws}`);
    expect(unwrapQr(workCardText(jws))).to.equal(jws);
  });

  it('a verifier URL that is not http(s) is refused', () => {
    for (const url of ['javascript:alert(1)', 'not a url']) {
      expect(() => workCardText(presentation, url))
        .to.throw(WorkCardError)
        .with.property('code', 'verifier_url_invalid');
    }
  });

  it('short and maximal texts decode back from the PNG exactly', async () => {
    expect(await roundTrip(`ANXIN:${presentation}`)).to.equal(`ANXIN:${presentation}`);
    const longest = `ANXIN:${'A1b2-_~.'.repeat(QR_MAX_BYTES)}`.slice(0, QR_MAX_BYTES);
    expect(await roundTrip(longest)).to.equal(longest);
  });

  it('one byte more than a QR code holds: refused, saying what to do', async () => {
    const tooLong = 'x'.repeat(QR_MAX_BYTES + 1);
    for (const format of ['png', 'svg', 'terminal'] as const) {
      let err: unknown;
      try {
        await renderQr(tooLong, format as 'svg');
      } catch (e) {
        err = e;
      }
      expect(err, format).to.be.instanceOf(WorkCardError);
      expect((err as WorkCardError).code, format).to.equal('qr_too_large');
    }
  });
});
