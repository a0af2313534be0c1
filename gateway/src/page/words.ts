/**
 * The verifier page's words, in Chinese and English: its own text, and names for every
 * credential type, check, reason code, authority rule, subject field and value a report
 * can hold. Typed by the verification core's own lists, so a new check or reason code
 * cannot reach the page without words.
 */
import type { AuthorityRule, CheckName, ReasonCode, TypeRule } from '../verify';

export type Lang = 'zh' | 'en';
export type Words = Record<Lang, string>;

const ZH = {
  title: '安心 · 核验工作凭证',
  other: 'English',
  idle: '扫描工人出示的二维码，或粘贴其内容',
  busy: '核验中…',
  ok: '✓ 通过核验',
  fail: '✗ 未通过核验',
  scan: '扫码',
  stop: '停止扫码',
  check: '核验',
  pasteLabel: '或粘贴二维码内容 / 凭证',
  allChecks: '全部检查项',
  keyTitle: '核验密钥（API key）',
  keyNote: '由平台管理员发放（权限 verify），只保存在本机浏览器中。',
  saveKey: '保存',
  forgetKey: '删除',
  keySaved: '密钥已保存',
  needKey: '请先填写核验密钥（API key）',
  badKey: '核验密钥无效或已停用',
  forbidden: '此密钥没有核验权限（verify）',
  limited: '请求过于频繁，请稍后再试',
  offline: '无法连接核验服务，请检查网络后重试',
  serverError: '核验服务出错',
  empty: '没有可核验的内容',
  noCamera: '此浏览器不支持网页扫码：请用手机相机扫码（二维码是链接时会直接打开本页），或粘贴内容。',
  cameraDenied: '无法使用相机：',
  needHttps: '网页扫码需要 HTTPS 访问本页：请用手机相机扫码，或粘贴内容。',
  anchored: '链上存证',
  block: '区块',
  validUntil: '有效期至',
  validFrom: '生效日期',
  issuer: '签发机构',
  checkedAt: '核验时间',
  privacy: '核验结果只显示工人选择出示的信息；身份证号只显示后四位。每次扫码都会在线查询证书的当前状态。',
  pass: '通过',
  failed: '未通过',
  skipped: '未检查',
  yuan: '元',
  sessionTitle: '本次已核验',
  unknownType: '无法识别的凭证',
  clearSession: '清空',
  onBehalfOf: '代其签发的用人单位',
  registered: '已登记为签发机构',
  notRegistered: '未登记为签发机构',
  withheld: '未出示',
  authority: '签发资格',
  binding: '出示方式',
  bindingChallenge: '现场签名，回答本次核验请求',
  bindingStatic: '二维码（5 分钟内有效，未回答核验请求）',
  ask: '请工人手机现场签名',
  challengeNote: '工人的手机（安心钱包）对这个核验请求签名后出示二维码；下一次核验要求它回答本请求（一次有效）。',
  challengeNonce: '请求码',
  challengeAud: '核验方',
  challengeUntil: '有效至',
  cancelChallenge: '取消请求',
  challengeFailed: '无法获取核验请求',
} as const;

export type TextKey = keyof typeof ZH;

/** The page's own text. */
export const TEXT: Record<Lang, Record<TextKey, string>> = {
  zh: ZH,
  en: {
    title: 'Anxin · verify work credentials',
    other: '中文',
    idle: "Scan the worker's QR code, or paste its text",
    busy: 'Checking…',
    ok: '✓ Verified',
    fail: '✗ Not verified',
    scan: 'Scan',
    stop: 'Stop scanning',
    check: 'Verify',
    pasteLabel: 'Or paste the QR text / credential',
    allChecks: 'Every check',
    keyTitle: 'Verification API key',
    keyNote: 'Issued by your platform administrator (scope verify); kept only in this browser.',
    saveKey: 'Save',
    forgetKey: 'Forget',
    keySaved: 'Key saved',
    needKey: 'Enter your verification API key first',
    badKey: 'The API key is not valid or has been revoked',
    forbidden: 'This API key may not verify (scope verify)',
    limited: 'Too many requests: try again in a moment',
    offline: 'Cannot reach the verification service: check the network and retry',
    serverError: 'The verification service failed',
    empty: 'Nothing to verify',
    noCamera:
      "This browser cannot scan in a web page: scan with the phone's camera app (a QR code that is a link opens this page) or paste the text.",
    cameraDenied: 'The camera cannot be used: ',
    needHttps: "Scanning in the page needs this page over HTTPS: scan with the phone's camera app, or paste the text.",
    anchored: 'Anchored',
    block: 'block',
    validUntil: 'Valid until',
    validFrom: 'Valid from',
    issuer: 'Issuer',
    checkedAt: 'Checked at',
    privacy:
      'The answer shows only what the worker chose to disclose; an ID number shows its last four digits. Every scan asks the ledger for the current status.',
    pass: 'pass',
    failed: 'fail',
    skipped: 'not checked',
    yuan: 'CNY',
    sessionTitle: 'Checked this session',
    unknownType: 'Unrecognised credential',
    clearSession: 'Clear',
    onBehalfOf: 'Issued on behalf of',
    registered: 'a registered issuer',
    notRegistered: 'not a registered issuer',
    withheld: 'not shown',
    authority: "Issuer's authority",
    binding: 'Shown as',
    bindingChallenge: "signed live, answering this check's request",
    bindingStatic: 'QR code (good for 5 minutes; no request answered)',
    ask: "Ask the worker's phone to sign",
    challengeNote:
      "The worker's phone (Anxin wallet) signs this request and shows its QR code; the next check requires that answer (good once).",
    challengeNonce: 'Request code',
    challengeAud: 'Verifier',
    challengeUntil: 'Valid until',
    cancelChallenge: 'Cancel the request',
    challengeFailed: 'Could not get a request',
  },
};

export const TYPES: Record<string, Words> = {
  HealthCertificate: { zh: '健康证', en: 'Health certificate' },
  SkillCertificate: { zh: '职业技能等级证书', en: 'Skill certificate' },
  LaborContract: { zh: '劳动合同', en: 'Labor contract' },
};

export const CHECKS: Record<CheckName, Words> = {
  format: { zh: '格式', en: 'Format' },
  signature: { zh: '签名', en: 'Signature' },
  issuerTrusted: { zh: '签发机构可信', en: 'Issuer trusted' },
  issuerAuthorizedForType: { zh: '机构有权签发此类凭证', en: 'Issuer authorised for this type' },
  keyValidAtIssue: { zh: '签发时密钥有效', en: 'Key valid when signed' },
  anchored: { zh: '已上链存证', en: 'Anchored on the ledger' },
  digestMatches: { zh: '与链上指纹一致', en: 'Matches the ledger fingerprint' },
  status: { zh: '当前状态', en: 'Current status' },
  notExpired: { zh: '未过期', en: 'Not expired' },
  notBefore: { zh: '已生效', en: 'In force' },
  schema: { zh: '内容格式', en: 'Contents' },
  holderBinding: { zh: '本人出示', en: 'Shown by its holder' },
};

export const REASONS: Record<ReasonCode, Words> = {
  empty: { zh: '没有内容', en: 'Nothing was presented' },
  too_large: { zh: '内容过长', en: 'Too large' },
  unrecognised: { zh: '不是安心凭证或其二维码', en: 'Not an Anxin credential or QR code' },
  bad_header: { zh: '凭证格式损坏', en: 'The credential is damaged' },
  unsupported_typ: { zh: '不支持的凭证类型', en: 'Unsupported credential type' },
  bad_payload: { zh: '凭证内容损坏', en: 'The credential contents are damaged' },
  bad_disclosure: { zh: '出示的信息被改动', en: 'A disclosed field was altered' },
  holder_commitment_disclosed: {
    zh: '出示了绝不应出示的身份核对数据（可用来推算身份证号）',
    en: 'Shows the holder commitment data that is never shown (it could reveal the ID number)',
  },
  alg_not_allowed: { zh: '签名算法不被允许（疑似伪造）', en: 'Signature algorithm not allowed (likely forged)' },
  bad_kid: { zh: '签名密钥标识无效', en: 'The signing key id is invalid' },
  unknown_key: { zh: '签名密钥未登记（疑似伪造）', en: 'Signed with an unregistered key (likely forged)' },
  alg_mismatch: { zh: '签名算法与密钥不符', en: 'The algorithm does not fit the key' },
  bad_signature: { zh: '签名无效：凭证是伪造的或被改动过', en: 'Bad signature: forged or altered' },
  unknown_issuer: { zh: '签发机构未登记', en: 'The issuer is not registered' },
  issuer_mismatch: { zh: '签发机构与签名不符', en: 'The issuer does not match the signature' },
  issuer_suspended: { zh: '签发机构已被暂停', en: 'The issuer is suspended' },
  issuer_revoked: { zh: '签发机构已被撤销资格', en: 'The issuer has been revoked' },
  type_not_allowed: { zh: '该机构无权签发此类凭证', en: 'The issuer may not issue this type' },
  type_not_for_kind: {
    zh: '此类机构不得签发此类凭证（疑似伪造）',
    en: 'An issuer of this kind may never issue this type (likely forged)',
  },
  subject_issuer_mismatch: {
    zh: '凭证上写的发证单位与签发机构不符（疑似伪造）',
    en: 'The organisation named on it is not its issuer (likely forged)',
  },
  key_not_yet_valid: { zh: '签名时密钥尚未生效', en: 'The key was not yet valid when it signed' },
  key_retired: { zh: '签名时密钥已停用', en: 'The key was retired when it signed' },
  key_compromised: { zh: '签名密钥已泄露，此后签发的凭证无效', en: 'Signed after its key was compromised' },
  not_anchored: { zh: '链上没有存证（不是正式签发的）', en: 'Not anchored on the ledger (never issued)' },
  digest_mismatch: { zh: '与链上指纹不符：内容被改动过', en: 'Does not match the ledger fingerprint: altered' },
  anchor_mismatch: { zh: '链上存证不符', en: 'The ledger anchor does not match' },
  validity_mismatch: {
    zh: '链上存证的有效期与凭证不符',
    en: 'The validity on the ledger differs from the credential’s',
  },
  revoked: { zh: '凭证已被撤销', en: 'The credential has been revoked' },
  suspended: { zh: '凭证已暂停使用', en: 'The credential is suspended' },
  expired: { zh: '凭证已过期', en: 'The credential has expired' },
  not_yet_valid: { zh: '凭证尚未生效', en: 'The credential is not yet in force' },
  schema_invalid: { zh: '凭证内容不符合规范', en: 'The contents do not follow the schema' },
  kb_missing: { zh: '缺少本人出示签名（可能是截图）', en: 'Not signed by its holder (perhaps a screenshot)' },
  kb_invalid: { zh: '本人出示签名无效', en: "The holder's signature is invalid" },
  kb_stale: { zh: '二维码已过期，请让工人刷新后再扫', en: 'The QR code has expired: ask for a fresh one' },
  kb_nonce: { zh: '二维码不是为本次核验生成的', en: 'The QR code was not made for this check' },
  kb_audience: { zh: '二维码是出示给其他单位的', en: 'The QR code was made for someone else' },
};

/** How the issuer's authority was judged, when that is worth saying (it is in good standing otherwise). */
export const AUTHORITY: Partial<Record<AuthorityRule | TypeRule, Words>> = {
  anchored_before_suspension: {
    zh: '签发时机构资格有效（该机构现已被暂停）',
    en: 'Issued while the issuer was in good standing (since suspended)',
  },
  anchored_before_revocation: {
    zh: '签发时机构资格有效（该机构后被撤销资格）',
    en: 'Issued before the issuer was revoked',
  },
  anchored_after_revocation: {
    zh: '签发时机构已被撤销资格',
    en: 'Issued after the issuer was revoked',
  },
  issuer_suspended: { zh: '签发机构已被暂停', en: 'The issuer is suspended' },
  issuer_revoked: { zh: '签发机构已被撤销资格', en: 'The issuer has been revoked' },
  allowed_when_anchored: {
    zh: '签发时机构有权签发此类凭证（现已不再签发）',
    en: 'The issuer could issue this type when it did (no longer)',
  },
};

/** Subject fields, by their dotted path in the disclosed group. */
export const FIELDS: Record<string, Words> = {
  name: { zh: '姓名', en: 'Name' },
  idNumber: { zh: '身份证号', en: 'ID number' },
  certificateNumber: { zh: '证书编号', en: 'Certificate no.' },
  'issuingAuthority.name': { zh: '发证机构', en: 'Issued by' },
  categories: { zh: '从业类别', en: 'Categories' },
  examDate: { zh: '体检日期', en: 'Examined on' },
  'validity.from': { zh: '有效期自', en: 'Valid from' },
  'validity.until': { zh: '有效期至', en: 'Valid until' },
  result: { zh: '体检结论', en: 'Result' },
  'employer.name': { zh: '用人单位', en: 'Employer' },
  'platform.name': { zh: '用工平台', en: 'Platform' },
  contractNumber: { zh: '合同编号', en: 'Contract no.' },
  contractType: { zh: '合同类型', en: 'Contract type' },
  jobTitle: { zh: '岗位', en: 'Job' },
  'workLocation.city': { zh: '工作城市', en: 'City' },
  'workLocation.district': { zh: '区县', en: 'District' },
  'workLocation.address': { zh: '工作地点', en: 'Workplace' },
  'pay.amountFen': { zh: '工资', en: 'Pay' },
  'pay.unit': { zh: '计薪单位', en: 'Per' },
  'pay.cycle': { zh: '发薪周期', en: 'Paid' },
  'certifyingBody.name': { zh: '评价机构', en: 'Certified by' },
  'occupation.name': { zh: '职业（工种）', en: 'Occupation' },
  level: { zh: '技能等级', en: 'Level' },
  issueDate: { zh: '发证日期', en: 'Issued on' },
  expiryDate: { zh: '有效期至', en: 'Valid until' },
};

export const VALUES: Record<string, Words> = {
  food_service: { zh: '餐饮服务', en: 'food service' },
  food_production: { zh: '食品生产', en: 'food production' },
  public_places: { zh: '公共场所', en: 'public places' },
  drinking_water: { zh: '生活饮用水', en: 'drinking water' },
  cosmetics: { zh: '化妆品', en: 'cosmetics' },
  childcare: { zh: '托幼机构', en: 'childcare' },
  fit: { zh: '合格', en: 'fit' },
  unfit: { zh: '不合格', en: 'unfit' },
  fixed_term: { zh: '固定期限', en: 'fixed term' },
  open_ended: { zh: '无固定期限', en: 'open-ended' },
  task_based: { zh: '以完成一定工作任务为期限', en: 'task-based' },
  part_time: { zh: '非全日制', en: 'part-time' },
  daily_gig: { zh: '日结零工', en: 'daily gig' },
  hour: { zh: '小时', en: 'hour' },
  day: { zh: '天', en: 'day' },
  month: { zh: '月', en: 'month' },
  piece: { zh: '件', en: 'piece' },
  daily: { zh: '日结', en: 'daily' },
  weekly: { zh: '周结', en: 'weekly' },
  semi_monthly: { zh: '半月结', en: 'twice a month' },
  monthly: { zh: '月结', en: 'monthly' },
  on_completion: { zh: '完工结算', en: 'on completion' },
  active: { zh: '有效', en: 'active' },
};

export const LEVELS: Record<string, Words> = {
  1: { zh: '一级 / 高级技师', en: 'level 1 (senior technician)' },
  2: { zh: '二级 / 技师', en: 'level 2 (technician)' },
  3: { zh: '三级 / 高级工', en: 'level 3 (senior worker)' },
  4: { zh: '四级 / 中级工', en: 'level 4 (intermediate)' },
  5: { zh: '五级 / 初级工', en: 'level 5 (entry)' },
};

/**
 * The word for `key` in `dict`, or undefined when it has none (never an inherited member).
 *
 * @example word(CHECKS, 'status', 'en'); // 'Current status'
 */
export function word(dict: Record<string, Words | undefined>, key: string, lang: Lang): string | undefined {
  const e = Object.prototype.hasOwnProperty.call(dict, key) ? dict[key] : undefined;
  return e ? e[lang] : undefined;
}
