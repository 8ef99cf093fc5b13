import { describe, expect, it } from 'vitest';
import {
  attachmentName,
  disclose,
  discloseData,
  discloseText,
  maskIdentity,
  maskPersonalText,
  MASK,
  PERSONAL_FIELDS,
  type Audience,
  type Disclosure,
} from '../../src/domain/disclosure.js';
import { AGENCY_ROLES, isAgencyRole, STAFF_ROLES } from '../../src/domain/roles.js';

const toCao = { kind: 'to_cao', confidential: true, consentPublishName: false };
const khieuNai = { kind: 'khieu_nai', confidential: false, consentPublishName: true };
const phanAnh = { kind: 'phan_anh', confidential: false, consentPublishName: true };
const phanAnhNoConsent = { kind: 'phan_anh', confidential: false, consentPublishName: false };

type Row = [string, Audience, typeof toCao, Partial<Disclosure>];

// audience × case → the decision (only the fields that matter for the row)
const TABLE: Row[] = [
  ['coordinator, confidential', { kind: 'staff', role: 'coordinator' }, toCao, { reporter: 'full', location: 'full', text: 'full', attachmentNames: 'full', recordAccess: true }],
  ['inspector, confidential', { kind: 'staff', role: 'inspector' }, toCao, { reporter: 'full', location: 'full', recordAccess: true }],
  ['agency staff, confidential', { kind: 'staff', role: 'agency_staff' }, toCao, { reporter: 'hidden', location: 'hidden', text: 'identity_masked', attachmentNames: 'neutral', internal: true, recordAccess: false }],
  ['agency lead, confidential', { kind: 'staff', role: 'agency_lead' }, toCao, { reporter: 'hidden', location: 'hidden', attachmentNames: 'neutral' }],
  ['admin, confidential', { kind: 'staff', role: 'admin' }, toCao, { reporter: 'hidden', location: 'hidden' }],
  ['agency staff, not confidential', { kind: 'staff', role: 'agency_staff' }, phanAnh, { reporter: 'full', location: 'full', text: 'full', attachmentNames: 'full', recordAccess: false }],
  ['coordinator, not confidential', { kind: 'staff', role: 'coordinator' }, phanAnh, { reporter: 'full', recordAccess: false }],
  ['feed, confidential', { kind: 'feed' }, toCao, { reporter: 'hidden', location: 'hidden', text: 'identity_masked', attachmentNames: 'neutral', recordAccess: false }],
  ['feed, not confidential', { kind: 'feed' }, phanAnh, { reporter: 'full', location: 'full' }],
  ['tracker (own business), confidential', { kind: 'tracker' }, toCao, { reporter: 'full', location: 'full', text: 'full', internal: false }],
  ['Open311 own app, confidential', { kind: 'open311', own: true }, toCao, { reporter: 'hidden', location: 'full', text: 'full', internal: false, listed: true }],
  ['Open311 other app, confidential', { kind: 'open311', own: false }, toCao, { reporter: 'hidden', location: 'hidden', text: 'none', listed: false }],
  ['Open311 other app, khiếu nại', { kind: 'open311', own: false }, khieuNai, { text: 'none', listed: false }],
  ['Open311 other app, phản ánh', { kind: 'open311', own: false }, phanAnh, { reporter: 'hidden', location: 'full', text: 'none', internal: false, listed: true }],
  ['publication, consent', { kind: 'publication' }, phanAnh, { reporter: 'business_name', location: 'hidden', text: 'masked', internal: false }],
  ['publication, no consent', { kind: 'publication' }, phanAnhNoConsent, { reporter: 'hidden', text: 'masked' }],
  ['publication, confidential with consent', { kind: 'publication' }, { ...toCao, consentPublishName: true }, { reporter: 'hidden', text: 'masked' }],
  ['e-mail to staff, confidential', { kind: 'email', to: 'staff' }, toCao, { reporter: 'hidden', location: 'hidden', text: 'identity_masked', recordAccess: false }],
  ['e-mail to staff, not confidential', { kind: 'email', to: 'staff' }, phanAnh, { reporter: 'hidden', text: 'full' }],
  ['e-mail to the business, confidential', { kind: 'email', to: 'business' }, toCao, { reporter: 'full', text: 'full', internal: false }],
];

describe('disclose(case, audience)', () => {
  it.each(TABLE)('%s', (_name, audience, c, expected) => {
    expect(disclose(c, audience)).toMatchObject(expected);
  });

  it('only coordinators and inspectors ever get a confidential reporter, and only they leave an access record', () => {
    for (const role of STAFF_ROLES) {
      const d = disclose(toCao, { kind: 'staff', role });
      const sees = role === 'coordinator' || role === 'inspector';
      expect(d.reporter, role).toBe(sees ? 'full' : 'hidden');
      expect(d.location, role).toBe(sees ? 'full' : 'hidden');
      expect(d.recordAccess, role).toBe(sees);
    }
    const others: Audience[] = [{ kind: 'feed' }, { kind: 'open311', own: true }, { kind: 'open311', own: false }, { kind: 'publication' }, { kind: 'email', to: 'staff' }];
    for (const a of others) expect(disclose(toCao, a).reporter, a.kind).not.toBe('full');
  });

  it('one list of personal fields, and one definition of the agency roles', () => {
    expect(PERSONAL_FIELDS).toEqual(['businessName', 'taxCode', 'contactName', 'phone', 'email', 'address', 'lat', 'long']);
    expect(AGENCY_ROLES).toEqual(['agency_staff', 'agency_lead']);
    expect(STAFF_ROLES.filter(isAgencyRole)).toEqual(['agency_staff', 'agency_lead']);
  });
});

const identity = {
  businessName: 'Công ty TNHH Gốm Sứ Phù Lãng',
  contactName: 'Trần Thị Bích Ngọc',
  taxCode: '2300987654',
  phone: '0987 111 222',
  email: 'ngoc.tran@gomsuphulang.example',
  consentPublishName: false,
};

describe('maskPersonalText', () => {
  const cases: Array<[string, string, string]> = [
    ['mobile, plain', 'Liên hệ 0912345678 để biết thêm.', `Liên hệ ${MASK} để biết thêm.`],
    ['mobile, grouped with dots', 'Gọi 0912.345.678 giờ hành chính', `Gọi ${MASK} giờ hành chính`],
    ['mobile, +84 with spaces', 'ĐT +84 912 345 678.', `ĐT ${MASK}.`],
    ['landline', 'Số máy bàn 0222 3822 123', `Số máy bàn ${MASK}`],
    ['CCCD, bare', 'ông A (CCCD 027089001234) đã ký', `ông A (CCCD ${MASK}) đã ký`],
    ['CCCD, spaced, labelled', 'căn cước công dân số 027 089 001 234 cấp ngày 01/02/2021', `căn cước công dân số ${MASK} cấp ngày 01/02/2021`],
    ['CMND 9 digits', 'CMND: 125678901', `CMND: ${MASK}`],
    ['tax code', 'doanh nghiệp có mã số thuế 0100109106 đã nộp đủ', `doanh nghiệp có mã số thuế ${MASK} đã nộp đủ`],
    ['tax code of a branch', 'MST 0100109106-001', `MST ${MASK}`],
    ['e-mail', 'gửi về ho.so@bacninh.gov.vn trước thứ Sáu', `gửi về ${MASK} trước thứ Sáu`],
    ['amounts, dates and case codes stay', 'Số tiền 1.500.000.000 đồng, ngày 02/03/2026, hồ sơ PAKN.20260302.0001', 'Số tiền 1.500.000.000 đồng, ngày 02/03/2026, hồ sơ PAKN.20260302.0001'],
    ['a law number stays', 'theo Nghị định 45/2020/NĐ-CP và Luật số 25/2018/QH14', 'theo Nghị định 45/2020/NĐ-CP và Luật số 25/2018/QH14'],
  ];
  it.each(cases)('%s', (_n, input, expected) => {
    expect(maskPersonalText(input)).toBe(expected);
  });

  it("masks the case's own business, contact, tax code, phone and e-mail without consent, in any case and spacing", () => {
    const text =
      'Trả lời CÔNG TY TNHH GỐM SỨ PHÙ LÃNG (bà trần thị bích ngọc, MST 2300 987 654, điện thoại 0987111222, ngoc.tran@gomsuphulang.example): đã xử lý.';
    const out = maskPersonalText(text, identity);
    for (const s of ['GỐM SỨ', 'bích ngọc', '2300', '0987111222', 'gomsuphulang']) expect(out.toLowerCase()).not.toContain(s.toLowerCase());
    expect(out).toContain('đã xử lý.');
  });

  it('with consent the business name stays, numbers and e-mails are still masked', () => {
    const out = maskPersonalText('Công ty TNHH Gốm Sứ Phù Lãng, ĐT 0987 111 222', { ...identity, consentPublishName: true });
    expect(out).toBe(`Công ty TNHH Gốm Sứ Phù Lãng, ĐT ${MASK}`);
  });

  it('a confidential case is masked even with consent', () => {
    expect(maskPersonalText('Công ty TNHH Gốm Sứ Phù Lãng', { ...identity, consentPublishName: true, confidential: true })).toBe(MASK);
  });

  it('input in decomposed Unicode (NFD) is masked as well', () => {
    expect(maskPersonalText('Trần Thị Bích Ngọc'.normalize('NFD'), identity)).toBe(MASK);
  });
});

describe('maskIdentity (what the agency reads of a confidential case)', () => {
  it("masks only the reporter's own identity; other people and numbers in the matter stay", () => {
    const out = maskIdentity('Bà Trần Thị Bích Ngọc (0987.111.222) tố cáo ông Lê Văn Tám, cán bộ địa chính, SĐT 0911000111.', identity);
    expect(out).toBe(`Bà ${MASK} (${MASK}) tố cáo ông Lê Văn Tám, cán bộ địa chính, SĐT 0911000111.`);
  });
  it('does not mask a name inside a longer word', () => {
    expect(maskIdentity('Ngọc Trần Thị Bích Ngọcxyz', { contactName: 'Trần Thị Bích Ngọc' })).toBe('Ngọc Trần Thị Bích Ngọcxyz');
  });
  it('nothing to mask without an identity', () => {
    expect(maskIdentity('0912345678', {})).toBe('0912345678');
  });
});

describe('helpers that apply a decision', () => {
  const agency = disclose(toCao, { kind: 'staff', role: 'agency_staff' });
  const coordinator = disclose(toCao, { kind: 'staff', role: 'coordinator' });
  it('discloseText', () => {
    expect(discloseText(coordinator, 'Trần Thị Bích Ngọc', identity)).toBe('Trần Thị Bích Ngọc');
    expect(discloseText(agency, 'Trần Thị Bích Ngọc', identity)).toBe(MASK);
    expect(discloseText(disclose(phanAnh, { kind: 'open311', own: false }), 'x', identity)).toBeNull();
    expect(discloseText(disclose(phanAnh, { kind: 'publication' }), 'gọi 0912345678', identity)).toBe(`gọi ${MASK}`);
  });
  it('attachmentName', () => {
    expect(attachmentName(coordinator, 'Don to cao - Tran Thi Bich Ngoc.PDF', 0)).toBe('Don to cao - Tran Thi Bich Ngoc.PDF');
    expect(attachmentName(agency, 'Don to cao - Tran Thi Bich Ngoc.PDF', 1)).toBe('tep-2.pdf');
    expect(attachmentName(agency, 'khong-duoi', 0)).toBe('tep-1');
  });
  it('discloseData drops personal keys only when the reporter is hidden', () => {
    const data = { toAgencyId: 3, email: 'a@b.vn', to: ['a@b.vn'], address: 'số 1', note: 'x' };
    expect(discloseData(coordinator, data)).toEqual(data);
    expect(discloseData(agency, data)).toEqual({ toAgencyId: 3, note: 'x' });
  });
});
