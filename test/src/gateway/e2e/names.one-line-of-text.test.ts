/**
 * Displayed names are one line of plain text, checked before anything is signed: a
 * registration, a rename, an issuance or an API key label carrying a bidi override, a
 * zero-width character, NUL or a line break is a 400 validation_failed naming the field, and
 * nothing reaches the ledger. A Uyghur name with the middle dot is registered as it is.
 */
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { TestGateway, expectProblem, type ApiResponse, type RegisteredIssuer } from '../../helpers/gateway';

describe('e2e: names are one line of text', function () {
  let gw: TestGateway;
  let cdc: RegisteredIssuer;

  before(async () => {
    gw = await TestGateway.start();
    cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
  });
  after(async () => gw?.stop());

  /** A 400 validation_failed whose errors name `field` with code textLine. */
  function refusedAt(res: ApiResponse, field: string): void {
    expectProblem(res, 400, 'validation_failed');
    const found = (res.body.errors as Array<{ field: string; code: string }>).map((e) => ({
      field: e.field,
      code: e.code,
    }));
    expect(found).to.deep.include({ field, code: 'textLine' });
  }

  it('registration with a right-to-left override in the name → 400 naming /name; no issuer, the ledger unchanged', async () => {
    const h = await gw.height();
    const before = (await gw.api('GET', '/v1/issuers')).body.issuers.length;
    for (const name of ['成都\u202E司公卫生院', '成都\u200B卫生院', '成都\u0000卫生院', '成都卫生院\n已注销']) {
      const res = await gw.api('POST', '/v1/issuers', {
        key: gw.adminKey,
        body: { name, kind: 'health_authority', allowedTypes: ['HealthCertificate'] },
      });
      refusedAt(res, '/name');
    }
    expect((await gw.api('GET', '/v1/issuers')).body.issuers.length).to.equal(before);
    expect(await gw.height()).to.equal(h);
  });

  it('a rename with a bidi isolate → 400 naming /name; the name unchanged', async () => {
    const h = await gw.height();
    const res = await gw.api('PATCH', `/v1/issuers/${cdc.id}`, {
      key: gw.adminKey,
      body: { name: '成都\u2067卫生院\u2069' },
    });
    refusedAt(res, '/name');
    expect((await gw.api('GET', `/v1/issuers/${cdc.id}`)).body.name).to.equal(cdc.issuer.name);
    expect(await gw.height()).to.equal(h);
  });

  it('an issuance with a bidi override in the holder or authority name → 400 naming it; nothing anchored', async () => {
    const h = await gw.height();
    const holder = await gw.issueRaw(cdc.apiKey, 'HealthCertificate', {
      holder: { name: '张\u202E伟', idNumber: '510107199003078817' },
    });
    refusedAt(holder, '/holder/name');
    const body = gw.issueBody('HealthCertificate');
    (body.subject as { issuingAuthority: { name: string } }).issuingAuthority.name = '成都\u202E卫生院';
    refusedAt(await gw.api('POST', '/v1/credentials', { key: cdc.apiKey, body }), '/subject/issuingAuthority/name');
    expect(await gw.height()).to.equal(h);
  });

  it('an API key label with a line break → 400 naming /label', async () => {
    const res = await gw.api('POST', '/v1/api-keys', {
      key: gw.adminKey,
      body: { principal: { type: 'verifier', id: 'hotpot-chunxi' }, scopes: ['verify'], label: '前台\n管理员' },
    });
    refusedAt(res, '/label');
  });

  it('买买提·艾力 as a name is registered and shown as it is', async () => {
    const issuer = await gw.registerIssuer({
      name: '买买提·艾力家政服务部',
      allowedTypes: ['LaborContract'],
      kind: 'employer',
    });
    expect(issuer.issuer.name).to.equal('买买提·艾力家政服务部');
  });
});
