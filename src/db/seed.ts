import { eq, sql } from 'drizzle-orm';
import { OFFICIAL_YEAR_TABLES } from '../domain/calendar-data.js';
import { DEFAULT_SLA_POLICIES } from '../domain/sla.js';
import { randomSecret, sha256Hex } from '../lib/crypto.js';
import type { Db, Tx } from './client.js';
import { applySettings } from '../features/settings/repository.js';
import { agencies, apiTokens, calendarYears, categories, localities, routingRules, slaPolicies, users } from './schema.js';

export const SEED_CATEGORIES: Array<{ code: string; name: string; description: string }> = [
  { code: 'dat_dai', name: 'Đất đai', description: 'Giao đất, cho thuê đất, giải phóng mặt bằng, giấy chứng nhận quyền sử dụng đất' },
  { code: 'dau_tu', name: 'Đầu tư', description: 'Chủ trương đầu tư, giấy chứng nhận đăng ký đầu tư, ưu đãi đầu tư' },
  { code: 'xay_dung', name: 'Xây dựng', description: 'Giấy phép xây dựng, quy hoạch, thẩm định thiết kế' },
  { code: 'moi_truong', name: 'Môi trường', description: 'Giấy phép môi trường, đánh giá tác động môi trường, chất thải' },
  { code: 'thue', name: 'Thuế', description: 'Khai thuế, hoàn thuế, hóa đơn điện tử' },
  { code: 'hai_quan', name: 'Hải quan', description: 'Thủ tục hải quan, xuất nhập khẩu' },
  { code: 'pccc', name: 'Phòng cháy, chữa cháy', description: 'Thẩm duyệt, nghiệm thu phòng cháy chữa cháy' },
  { code: 'an_toan_thuc_pham', name: 'An toàn thực phẩm', description: 'Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm' },
  { code: 'lao_dong', name: 'Lao động', description: 'Lao động, tiền lương, bảo hiểm xã hội, giấy phép lao động người nước ngoài' },
  { code: 'dang_ky_kinh_doanh', name: 'Đăng ký kinh doanh', description: 'Thành lập, thay đổi, giải thể doanh nghiệp, hộ kinh doanh' },
  { code: 'thu_tuc_hanh_chinh', name: 'Thủ tục hành chính', description: 'Hồ sơ trễ hẹn, yêu cầu giấy tờ ngoài quy định' },
  { code: 'thai_do_can_bo', name: 'Thái độ cán bộ', description: 'Thái độ, tác phong của cán bộ, công chức' },
  { code: 'thanh_tra_kiem_tra', name: 'Thanh tra, kiểm tra', description: 'Thanh tra, kiểm tra chồng chéo, kéo dài' },
  { code: 'khac', name: 'Khác', description: 'Nội dung khác' },
];

export const SEED_LOCALITIES: Array<{ code: string; name: string; kind: 'xa' | 'phuong' }> = [
  { code: 'p_kinh_bac', name: 'Phường Kinh Bắc', kind: 'phuong' },
  { code: 'p_vo_cuong', name: 'Phường Võ Cường', kind: 'phuong' },
  { code: 'p_bac_giang', name: 'Phường Bắc Giang', kind: 'phuong' },
  { code: 'p_tu_son', name: 'Phường Từ Sơn', kind: 'phuong' },
  { code: 'p_dong_nguyen', name: 'Phường Đồng Nguyên', kind: 'phuong' },
  { code: 'p_que_vo', name: 'Phường Quế Võ', kind: 'phuong' },
  { code: 'x_yen_phong', name: 'Xã Yên Phong', kind: 'xa' },
  { code: 'x_tien_du', name: 'Xã Tiên Du', kind: 'xa' },
  { code: 'x_luc_nam', name: 'Xã Lục Nam', kind: 'xa' },
  { code: 'x_lang_giang', name: 'Xã Lạng Giang', kind: 'xa' },
];

const MERGER = '2025-07-01';
type AgencySeed = { code: string; name: string; shortName: string; kind: string; parent?: string };
export const SEED_AGENCIES: AgencySeed[] = [
  { code: 'ubnd_tinh', name: 'Ủy ban nhân dân tỉnh Bắc Ninh', shortName: 'UBND tỉnh', kind: 'other' },
  { code: 'to_3_nhat', name: 'Tổ phản ứng nhanh hỗ trợ doanh nghiệp (Tổ 3 nhất)', shortName: 'Tổ 3 nhất', kind: 'coordinator', parent: 'ubnd_tinh' },
  { code: 'so_tai_chinh', name: 'Sở Tài chính', shortName: 'Sở TC', kind: 'department', parent: 'ubnd_tinh' },
  { code: 'so_nn_mt', name: 'Sở Nông nghiệp và Môi trường', shortName: 'Sở NN&MT', kind: 'department', parent: 'ubnd_tinh' },
  { code: 'so_xay_dung', name: 'Sở Xây dựng', shortName: 'Sở XD', kind: 'department', parent: 'ubnd_tinh' },
  { code: 'so_cong_thuong', name: 'Sở Công Thương', shortName: 'Sở CT', kind: 'department', parent: 'ubnd_tinh' },
  { code: 'so_y_te', name: 'Sở Y tế', shortName: 'Sở YT', kind: 'department', parent: 'ubnd_tinh' },
  { code: 'so_tu_phap', name: 'Sở Tư pháp', shortName: 'Sở TP', kind: 'department', parent: 'ubnd_tinh' },
  { code: 'so_noi_vu', name: 'Sở Nội vụ', shortName: 'Sở NV', kind: 'department', parent: 'ubnd_tinh' },
  { code: 'bql_kcn', name: 'Ban Quản lý các khu công nghiệp tỉnh Bắc Ninh', shortName: 'BQL các KCN', kind: 'board', parent: 'ubnd_tinh' },
  { code: 'thanh_tra_tinh', name: 'Thanh tra tỉnh', shortName: 'Thanh tra tỉnh', kind: 'inspectorate', parent: 'ubnd_tinh' },
  { code: 'thue_tinh', name: 'Thuế tỉnh Bắc Ninh', shortName: 'Thuế tỉnh', kind: 'tax' },
  { code: 'ca_tinh_pccc', name: 'Công an tỉnh Bắc Ninh (Phòng Cảnh sát PCCC và CNCH)', shortName: 'Công an tỉnh (PCCC)', kind: 'police' },
  { code: 'tt_phvhcc', name: 'Trung tâm Phục vụ hành chính công tỉnh', shortName: 'TT PVHCC', kind: 'center', parent: 'ubnd_tinh' },
  { code: 'ubnd_p_kinh_bac', name: 'UBND phường Kinh Bắc', shortName: 'UBND P. Kinh Bắc', kind: 'commune' },
  { code: 'ubnd_p_tu_son', name: 'UBND phường Từ Sơn', shortName: 'UBND P. Từ Sơn', kind: 'commune' },
  { code: 'ubnd_p_bac_giang', name: 'UBND phường Bắc Giang', shortName: 'UBND P. Bắc Giang', kind: 'commune' },
  { code: 'ubnd_x_yen_phong', name: 'UBND xã Yên Phong', shortName: 'UBND xã Yên Phong', kind: 'commune' },
];

/** ordered rules: [position, kind, category, locality, agency] */
const SEED_RULES: Array<[number, string | null, string | null, string | null, string]> = [
  [10, 'to_cao', null, null, 'thanh_tra_tinh'],
  [20, null, 'dat_dai', 'p_tu_son', 'ubnd_p_tu_son'],
  [21, null, 'dat_dai', 'p_kinh_bac', 'ubnd_p_kinh_bac'],
  [30, null, 'dat_dai', null, 'so_nn_mt'],
  [31, null, 'moi_truong', null, 'so_nn_mt'],
  [32, null, 'dau_tu', null, 'so_tai_chinh'],
  [33, null, 'dang_ky_kinh_doanh', null, 'so_tai_chinh'],
  [34, null, 'xay_dung', null, 'so_xay_dung'],
  [35, null, 'thue', null, 'thue_tinh'],
  [36, null, 'pccc', null, 'ca_tinh_pccc'],
  [37, null, 'an_toan_thuc_pham', null, 'so_y_te'],
  [38, null, 'lao_dong', null, 'so_noi_vu'],
  [39, null, 'thu_tuc_hanh_chinh', null, 'tt_phvhcc'],
  [40, null, 'thanh_tra_kiem_tra', null, 'thanh_tra_tinh'],
  [41, null, 'thai_do_can_bo', null, 'so_noi_vu'],
  // hai_quan (a central agency) and khac: no rule, the coordinator triages them
];

type UserSeed = { name: string; email: string; role: string; agency?: string };
export const SEED_USERS: UserSeed[] = [
  { name: 'Quản trị hệ thống (demo)', email: 'admin@pakn.example', role: 'admin' },
  { name: 'Điều phối viên Tổ 3 nhất (demo)', email: 'dieuphoi@pakn.example', role: 'coordinator' },
  { name: 'Chuyên viên Sở Xây dựng (demo)', email: 'cv.xaydung@pakn.example', role: 'agency_staff', agency: 'so_xay_dung' },
  { name: 'Giám đốc Sở Xây dựng (demo)', email: 'gd.xaydung@pakn.example', role: 'agency_lead', agency: 'so_xay_dung' },
  { name: 'Chuyên viên Sở NN&MT (demo)', email: 'cv.nnmt@pakn.example', role: 'agency_staff', agency: 'so_nn_mt' },
  { name: 'Thanh tra viên (demo)', email: 'thanhtra@pakn.example', role: 'inspector' },
];

export interface SeedResult {
  seeded: boolean;
  /** demo tokens, shown once: only their hashes are stored */
  tokens: Array<{ role: string; name: string; agency?: string; token: string }>;
}

/** The demo province's name, hotline and office address (settings; shown on pages and in e-mails). */
export const DEMO_SITE = {
  provinceName: 'tỉnh Bắc Ninh',
  hotline: '0222 3 822 000',
  officeAddress: 'Trung tâm Phục vụ hành chính công tỉnh, phường Kinh Bắc, tỉnh Bắc Ninh',
};

/** Reference data every installation needs: calendar years and default SLA policies. */
export async function seedBaseline(tx: Tx | Db): Promise<void> {
  for (const y of OFFICIAL_YEAR_TABLES) {
    await tx
      .insert(calendarYears)
      .values({ year: y.year, holidays: y.holidays, workingSaturdays: y.workingSaturdays, generated: false, note: 'Thông báo của Thủ tướng Chính phủ' })
      .onConflictDoNothing();
  }
  const [{ n }] = (await tx.execute(sql`select count(*)::int as n from sla_policies`)).rows as Array<{ n: number }>;
  if (n === 0) {
    for (const p of DEFAULT_SLA_POLICIES) {
      await tx.insert(slaPolicies).values({ kind: p.kind, priority: p.priority, categoryId: null, version: p.version, policy: p as unknown as Record<string, unknown> });
    }
  }
}

/** The demo province (Bắc Ninh after the 1/7/2025 merger); does nothing if agencies exist already. */
export async function seedDemo(db: Db, opts: { force?: boolean } = {}): Promise<SeedResult> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(4172026003)`);
    await seedBaseline(tx);
    const [{ n }] = (await tx.execute(sql`select count(*)::int as n from agencies`)).rows as Array<{ n: number }>;
    if (n > 0 && !opts.force) return { seeded: false, tokens: [] };

    const agencyId = new Map<string, number>();
    for (const a of SEED_AGENCIES) {
      const [row] = await tx
        .insert(agencies)
        .values({
          code: a.code,
          name: a.name,
          shortName: a.shortName,
          kind: a.kind,
          parentId: a.parent ? agencyId.get(a.parent)! : null,
          contactEmails: [`${a.code.replace(/_/g, '.')}@bacninh.example`],
          leadEmail: `lanhdao.${a.code.replace(/_/g, '.')}@bacninh.example`,
          activeFrom: a.kind === 'commune' || a.code === 'so_nn_mt' || a.code === 'so_tai_chinh' ? MERGER : null,
        })
        .onConflictDoNothing()
        .returning();
      const id = row?.id ?? (await tx.select({ id: agencies.id }).from(agencies).where(eq(agencies.code, a.code)))[0].id;
      agencyId.set(a.code, id);
    }
    const categoryId = new Map<string, number>();
    for (const c of SEED_CATEGORIES) {
      await tx.insert(categories).values(c).onConflictDoNothing();
      categoryId.set(c.code, (await tx.select({ id: categories.id }).from(categories).where(eq(categories.code, c.code)))[0].id);
    }
    const localityId = new Map<string, number>();
    for (const l of SEED_LOCALITIES) {
      await tx.insert(localities).values(l).onConflictDoNothing();
      localityId.set(l.code, (await tx.select({ id: localities.id }).from(localities).where(eq(localities.code, l.code)))[0].id);
    }
    for (const [position, kind, cat, loc, agency] of SEED_RULES) {
      await tx.insert(routingRules).values({
        position,
        kind,
        categoryId: cat ? categoryId.get(cat)! : null,
        localityId: loc ? localityId.get(loc)! : null,
        agencyId: agencyId.get(agency)!,
      });
    }
    // the demo province's public identity (fields an admin or the environment set are kept)
    await applySettings(tx, DEMO_SITE, { userId: null, label: 'Dữ liệu mẫu' }, new Date(), { onlyUnset: true });
    const tokens: SeedResult['tokens'] = [];
    for (const u of SEED_USERS) {
      const [user] = await tx
        .insert(users)
        .values({ name: u.name, email: u.email, role: u.role, agencyId: u.agency ? agencyId.get(u.agency)! : null })
        .returning();
      const token = randomSecret('pakn_', 32);
      await tx.insert(apiTokens).values({ userId: user.id, tokenHash: sha256Hex(token), prefix: token.slice(0, 10), label: 'demo' });
      tokens.push({ role: u.role, name: u.name, agency: u.agency, token });
    }
    return { seeded: true, tokens };
  });
}

export function formatDemoTokens(r: SeedResult): string {
  if (!r.seeded) return '';
  const lines = r.tokens.map((t) => `  ${t.role.padEnd(13)} ${t.token}   ${t.name}`);
  return [
    '',
    'Demo province seeded (Bắc Ninh). Demo API tokens — shown this once, only their hashes are stored:',
    ...lines,
    'Use them as: Authorization: Bearer <token>',
    '',
  ].join('\n');
}
