import type { RouteOptions } from 'fastify';
import { z } from 'zod';
import { problemSchema } from '../lib/http.js';
import { isStaffUrl } from '../plugins/staff-auth.js';

/**
 * The API documentation of every operation, in one table: key `"METHOD /path"` (OpenAPI path
 * form, `{param}`). `operationId` is stable — client generators name their methods after it.
 * A summary, description or tags written on the route itself win; the table fills in what the
 * route leaves out. `example` is a realistic request body for writes. A test fails when a
 * documented route has no entry here, or when an entry has no route.
 */
export interface OperationDoc {
  operationId: string;
  summary?: string;
  description?: string;
  tags?: string[];
  /** request body example (writes) */
  example?: unknown;
  /** success responses the route itself does not declare (a 204, a file download) */
  responses?: Record<number, unknown>;
}

const noContent = (description: string) => ({ 204: z.null().describe(description) });
const download = { 200: { description: 'The file, as a download (Content-Disposition: attachment)', content: { 'application/octet-stream': { schema: z.string().meta({ format: 'binary' }) } } } };

export const OPERATIONS: Record<string, OperationDoc> = {
  'GET /metrics': {operationId: 'getMetrics'},
  'GET /api/v1/admin/jobs/runs': {operationId: 'listJobRuns'},
  'GET /healthz': {operationId: 'getLiveness'},
  'GET /readyz': {operationId: 'getReadiness'},
  'GET /api/v1/public/categories': {operationId: 'listPublicCategories'},
  'GET /api/v1/public/localities': {operationId: 'listPublicLocalities'},
  'GET /api/v1/public/agencies': {operationId: 'listPublicAgencies'},
  'GET /api/v1/agencies': {operationId: 'listAgencies'},
  'GET /api/v1/me': {operationId: 'getCurrentUser', summary: 'Who the token belongs to: user, role and, for agency roles, the agency', description: 'The user the Bearer token was issued to. An agency system calls it once to learn its agency id (for the feed).'},
  'GET /api/v1/admin/agencies': {operationId: 'listAdminAgencies', summary: 'Agencies,  with their contact addresses and validity'},
  'POST /api/v1/admin/agencies': {operationId: 'createAgency', example: {code: 'so-xay-dung', name: 'Sở Xây dựng tỉnh Bắc Ninh', shortName: 'SXD', kind: 'department', parentId: null, contactEmails: ['vanthu.sxd@bacninh.gov.vn', 'pakn.sxd@bacninh.gov.vn'], leadEmail: 'giamdoc.sxd@bacninh.gov.vn', activeFrom: '2026-01-01', activeTo: null}, summary: 'Create an agency'},
  'GET /api/v1/admin/agencies/{id}': {operationId: 'getAgency', summary: 'One agency'},
  'PATCH /api/v1/admin/agencies/{id}': {operationId: 'updateAgency', example: {contactEmails: ['vanthu.sxd@bacninh.gov.vn', 'phongqlxd.sxd@bacninh.gov.vn'], leadEmail: 'pgd.nguyenthihoa.sxd@bacninh.gov.vn'}},
  'GET /api/v1/admin/categories': {operationId: 'listAdminCategories', summary: 'Categories (lĩnh vực),  active and inactive'},
  'POST /api/v1/admin/categories': {operationId: 'createCategory', example: {code: 'dat-dai', name: 'Đất đai, giải phóng mặt bằng', description: 'Giao đất, cho thuê đất, bồi thường, hỗ trợ tái định cư cho dự án của doanh nghiệp', active: true, attributes: [{code: 'so_thua', datatype: 'string', required: false, description: 'Số thửa, tờ bản đồ (nếu có)', order: 1}, {code: 'loai_dat', datatype: 'singlevaluelist', required: true, description: 'Loại đất', order: 2, values: [{key: 'skc', name: 'Đất cơ sở sản xuất phi nông nghiệp'}, {key: 'tmd', name: 'Đất thương mại, dịch vụ'}]}]}, summary: 'Create a category'},
  'PATCH /api/v1/admin/categories/{id}': {operationId: 'updateCategory', example: {name: 'Đất đai, bồi thường, giải phóng mặt bằng', description: 'Giao đất, cho thuê đất, chuyển mục đích sử dụng đất, bồi thường và tái định cư'}},
  'GET /api/v1/admin/localities': {operationId: 'listAdminLocalities', summary: 'Communes and wards,  active and inactive'},
  'POST /api/v1/admin/localities': {operationId: 'createLocality', example: {code: 'phuong-kinh-bac', name: 'Phường Kinh Bắc', kind: 'phuong', active: true}, summary: 'Create a commune or ward'},
  'PATCH /api/v1/admin/localities/{id}': {operationId: 'updateLocality', example: {name: 'Xã Tiên Du', kind: 'xa'}},
  'GET /api/v1/admin/users': {operationId: 'listUsers', summary: 'Staff users'},
  'POST /api/v1/admin/users': {operationId: 'createUser', example: {name: 'Trần Thị Mai', email: 'mai.tt.sxd@bacninh.gov.vn', role: 'agency_staff', agencyId: 4, active: true}, summary: 'Create a staff user'},
  'PATCH /api/v1/admin/users/{id}': {operationId: 'updateUser', example: {role: 'agency_lead', email: 'mai.tt.sxd@bacninh.gov.vn'}},
  'GET /api/v1/admin/tokens': {operationId: 'listTokens', summary: 'API tokens (never the token itself)'},
  'POST /api/v1/admin/tokens': {operationId: 'issueToken', example: {userId: 17, label: 'Phần mềm quản lý văn bản Sở Xây dựng', expiresAt: '2027-06-30T17:00:00+07:00'}},
  'DELETE /api/v1/admin/tokens/{id}': {operationId: 'revokeToken', responses: noContent('Revoked: the token stops working at once')},
  'POST /api/v1/public/cases': {operationId: 'submitPublicCase', example: {kind: 'kien_nghi', categoryId: 3, localityId: 12, title: 'Đề nghị rút ngắn thời gian cấp giấy phép xây dựng', content: 'Công ty chúng tôi nộp hồ sơ xin giấy phép xây dựng nhà xưởng tại KCN Phú Mỹ từ ngày 02/3 nhưng đến nay chưa nhận được kết quả. Đề nghị Sở Xây dựng cho biết tiến độ xử lý.', businessName: 'Công ty TNHH Cơ khí Minh Phát', taxCode: '0312345673', contactName: 'Nguyễn Văn An', phone: '0909123456', email: 'an.nguyen@minhphat.vn', consentPublishName: false}},
  'POST /api/v1/cases': {operationId: 'createCase', example: {kind: 'phan_anh', categoryId: 5, localityId: 21, title: 'Chậm bàn giao mặt bằng dự án nhà máy tại KCN Quế Võ', content: 'Doanh nghiệp gọi đường dây nóng phản ánh: đã nộp đủ tiền thuê đất từ tháng 01 nhưng đến nay Ban quản lý dự án chưa bàn giao mặt bằng, ảnh hưởng tiến độ lắp đặt dây chuyền.', businessName: 'Công ty TNHH Điện tử Hòa Bình', taxCode: '0101243150', contactName: 'Lê Quang Huy', phone: '0912345678', email: 'huy.le@hoabinh-elec.vn', consentPublishName: false, channel: 'hotline', receivedAt: '2026-03-09T08:45:00+07:00', priority: 'normal'}},
  'GET /api/v1/cases': {
    operationId: 'listCases',
    description:
      'A page of compact items (StaffCaseListItem: code, kind, title, reporting business, status, agency, deadline state and the actions the caller may take), ' +
      'ordered by resolve deadline then id. The content, contact details, answers and notes of a case are in GET /api/v1/cases/{id}; ' +
      "an agency's system that keeps copies of its cases reads full cases from its feed (GET /api/v1/agencies/{id}/feed).",
  },
  'GET /api/v1/public/cases/{trackingCode}': {operationId: 'getPublicCase'},
  'POST /api/v1/public/cases/{trackingCode}/reply': {operationId: 'replyPublicCase', example: {text: 'Công ty xin gửi bổ sung bản sao giấy chứng nhận quyền sử dụng đất số CS 04512 cấp ngày 10/5/2021.'}},
  'POST /api/v1/public/cases/{trackingCode}/rating': {operationId: 'ratePublicCase', example: {rating: 4, comment: 'Sở trả lời đúng hạn, rõ ràng; mong thủ tục cấp phép được rút gọn hơn.'}},
  'POST /api/v1/public/cases/{trackingCode}/dispute': {operationId: 'disputePublicCase', example: {reason: 'Câu trả lời chưa giải quyết nội dung kiến nghị: doanh nghiệp hỏi thời hạn cấp giấy phép, Sở chỉ gửi lại danh mục hồ sơ.'}},
  'POST /api/v1/public/cases/{trackingCode}/withdraw': {operationId: 'withdrawPublicCase', example: {reason: 'Sở đã cấp giấy phép xây dựng, doanh nghiệp không còn kiến nghị.'}},
  'POST /api/v1/public/cases/{trackingCode}/access-key-recovery': {
    operationId: 'recoverPublicAccessKey',
    summary: 'Ask for a new access key, sent to the e-mail address given with the case',
    description:
      'When `email` is the address the case was filed with (case and surrounding spaces ignored), a new access key is generated, ' +
      'e-mailed to that address and recorded on the timeline; the old key stops working at once. The answer is the same 202 ' +
      'whether or not the code and the address matched. Limited per IP address and per tracking code (429), and to 3 new keys per case a day.',
    example: {email: 'an.nguyen@minhphat.vn'},
  },
  'GET /api/v1/cases/{id}/attachments': {operationId: 'listCaseAttachments'},
  'GET /api/v1/cases/{id}/attachments/{attId}': {operationId: 'downloadCaseAttachment', responses: download},
  'GET /api/v1/admin/calendar': {operationId: 'listCalendarYears'},
  'GET /api/v1/admin/calendar/{year}': {operationId: 'getCalendarYear'},
  'PUT /api/v1/admin/calendar/{year}': {operationId: 'putCalendarYear', example: {holidays: [{date: '2027-01-01', name: 'Tết Dương lịch'}, {date: '2027-02-05', name: 'Tết Nguyên đán'}, {date: '2027-02-08', name: 'Tết Nguyên đán'}, {date: '2027-02-09', name: 'Tết Nguyên đán'}, {date: '2027-02-10', name: 'Tết Nguyên đán'}, {date: '2027-02-11', name: 'Tết Nguyên đán'}, {date: '2027-04-16', name: 'Giỗ Tổ Hùng Vương'}, {date: '2027-04-30', name: 'Ngày Giải phóng miền Nam'}, {date: '2027-05-03', name: 'Nghỉ bù Quốc tế Lao động'}, {date: '2027-09-02', name: 'Quốc khánh'}, {date: '2027-09-03', name: 'Quốc khánh'}], workingSaturdays: [], note: 'Theo Thông báo của Bộ Lao động – Thương binh và Xã hội về lịch nghỉ Tết Âm lịch năm 2027'}},
  'DELETE /api/v1/admin/calendar/{year}': {operationId: 'deleteCalendarYear'},
  'GET /api/v1/admin/sla-policies': {operationId: 'listSlaPolicies'},
  'POST /api/v1/admin/sla-policies': {operationId: 'createSlaPolicy', example: {kind: 'kien_nghi', priority: 'normal', categoryId: 5, acceptWithin: {amount: 3, unit: 'working_days'}, resolveWithin: {amount: 10, unit: 'working_days'}, warnBefore: {amount: 2, unit: 'working_days'}, extension: {maxCount: 1, maxAmount: 10, unit: 'working_days'}, overdueEscalateAfter: {amount: 2, unit: 'working_days'}, awaitingBusinessLimit: {amount: 15, unit: 'working_days'}, resolutionStartsAt: 'receipt', pauseRule: 'by_unit', note: 'Kiến nghị lĩnh vực đất đai: thời hạn theo Quyết định của UBND tỉnh'}},
  'PUT /api/v1/admin/sla-policies': {operationId: 'putSlaPolicy', example: {kind: 'phan_anh', priority: 'urgent', acceptWithin: {amount: 4, unit: 'working_hours'}, resolveWithin: {amount: 2, unit: 'working_days'}, warnBefore: {amount: 4, unit: 'working_hours'}, note: 'Phản ánh khẩn: xử lý trong 02 ngày làm việc'}},
  'DELETE /api/v1/admin/sla-policies/{id}': {operationId: 'retireSlaPolicy'},
  'GET /api/v1/admin/routing-rules': {operationId: 'listRoutingRules'},
  'POST /api/v1/admin/routing-rules': {operationId: 'createRoutingRule', example: {position: 10, kind: null, categoryId: 5, localityId: null, agencyId: 7, active: true, note: 'Mọi phản ánh, kiến nghị về đất đai chuyển Sở Nông nghiệp và Môi trường'}},
  'POST /api/v1/admin/routing-rules/test': {operationId: 'testRoutingRules', example: {kind: 'kien_nghi', categoryId: 5, localityId: 21}},
  'PATCH /api/v1/admin/routing-rules/{id}': {operationId: 'updateRoutingRule', example: {agencyId: 9, note: 'Từ 01/7: đất trong khu công nghiệp chuyển Ban Quản lý các KCN'}},
  'DELETE /api/v1/admin/routing-rules/{id}': {operationId: 'deleteRoutingRule', responses: noContent('Removed')},
  'GET /api/v1/cases/{id}/sla': {operationId: 'getCaseSla'},
  'GET /api/v1/public/deadline': {operationId: 'getPublicDeadline'},
  'GET /api/v1/admin/api-clients': {operationId: 'listApiClients'},
  'POST /api/v1/admin/api-clients': {operationId: 'createApiClient', example: {name: 'Cổng Dịch vụ công tỉnh Bắc Ninh'}},
  'DELETE /api/v1/admin/api-clients/{id}': {operationId: 'deactivateApiClient', responses: noContent('Deactivated: its api_key stops working')},
  'GET /open311/v2/discovery.{format}': {operationId: 'getOpen311Discovery'},
  'GET /open311/v2/services.{format}': {operationId: 'listOpen311Services'},
  'GET /open311/v2/services/{file}': {operationId: 'getOpen311ServiceDefinition'},
  'POST /open311/v2/requests.{format}': {operationId: 'createOpen311Request', example: {api_key: 'o311_3f9a2c7e5b1d4a86', service_code: 'dat-dai', description: 'Đề nghị đẩy nhanh bàn giao mặt bằng lô CN-07 KCN Quế Võ\nDoanh nghiệp đã nộp tiền thuê đất từ tháng 01/2026 nhưng chưa được bàn giao mặt bằng để xây dựng nhà xưởng.', address_string: 'Lô CN-07, KCN Quế Võ, phường Quế Võ, tỉnh Bắc Ninh', address_id: 'phuong-que-vo', email: 'phaply@anphat-steel.vn', first_name: 'Minh Tuấn', last_name: 'Phạm', phone: '0987654321', business_name: 'Công ty Cổ phần Thép An Phát', tax_code: '0101243150', kind: 'kien_nghi', consent_publish_name: 'false'}},
  'GET /open311/v2/requests.{format}': {operationId: 'listOpen311Requests'},
  'GET /open311/v2/requests/{file}': {operationId: 'getOpen311Request'},
  'GET /api/v1/public/reports': {operationId: 'listPublicReports'},
  'GET /api/v1/public/reports/{period}': {operationId: 'getPublicReport'},
  'POST /api/v1/admin/reports/{period}/publish': {operationId: 'publishReport', example: {note: 'Bổ sung 3 hồ sơ Sở Xây dựng trả lời trong tháng 3 nhưng cập nhật trên hệ thống muộn; số liệu của Sở Xây dựng được tính lại.'}},
  'GET /api/v1/reports/{period}/preview': {operationId: 'previewReport'},
  'GET /api/v1/admin/outbox': {operationId: 'listOutboxMessages'},
  'POST /api/v1/admin/outbox/{id}/retry': {operationId: 'retryOutboxMessage'},
  'POST /api/v1/admin/jobs/outbox/run': {operationId: 'runOutboxJob'},
  'GET /api/v1/admin/outbox/summary': {operationId: 'getOutboxSummary'},
  'POST /api/v1/admin/outbox/retry': {operationId: 'retryOutboxMessages', example: {status: 'dead', template: 'overdue', since: '2026-03-02T08:00:00+07:00'}},
  'POST /api/v1/admin/jobs/escalation/run': {operationId: 'runEscalationJob'},
  'GET /api/v1/cases/{id}': {operationId: 'getCase'},
  'GET /api/v1/cases/{id}/timeline': {operationId: 'getCaseTimeline'},
  'GET /api/v1/agencies/{id}/feed': {operationId: 'getAgencyFeed'},
  'POST /api/v1/cases/{id}/assign': {operationId: 'assignCase', example: {version: 1, updateId: '18c0d2e4-7f90-4b12-93e5-6f708192a3b4', agencyId: 4}},
  'POST /api/v1/cases/{id}/accept': {operationId: 'acceptCase', example: {version: 3, updateId: '6f1c2d7e-3b7a-4c1e-9d2a-1f0e5b8c4a21', priority: 'normal', internalText: 'Giao phòng Quản lý xây dựng xử lý'}},
  'POST /api/v1/cases/{id}/request-info': {operationId: 'requestCaseInfo', example: {version: 4, updateId: 'c3d5e7f9-2a4b-4c6d-8e0f-1a2b3c4d5e6f', publicText: 'Đề nghị doanh nghiệp bổ sung bản sao giấy chứng nhận quyền sử dụng đất của khu đất xây dựng nhà xưởng.'}},
  'POST /api/v1/cases/{id}/resolve': {operationId: 'resolveCase', example: {version: 5, updateId: 'b2e4f6a8-1c3d-4e5f-8a9b-0c1d2e3f4a5b', reason: 'answered', publicText: 'Sở Xây dựng đã cấp giấy phép xây dựng số 125/GPXD ngày 18/3. Doanh nghiệp nhận bản chính tại Trung tâm Phục vụ hành chính công tỉnh.'}},
  'POST /api/v1/cases/{id}/return': {operationId: 'returnCase', example: {version: 2, updateId: 'f6a8b0c2-5d7e-4f90-b1c3-4d5e6f708192', reason: 'Nội dung thuộc thẩm quyền của Ban Quản lý các khu công nghiệp, không thuộc Sở Xây dựng'}},
  'POST /api/v1/cases/{id}/reject': {operationId: 'rejectCase', example: {version: 2, updateId: '07b9c1d3-6e8f-4a01-82d4-5e6f708192a3', reason: 'spam'}},
  'POST /api/v1/cases/{id}/extend': {operationId: 'extendCase', example: {version: 6, updateId: 'd4e6f8a0-3b5c-4d7e-9f1a-2b3c4d5e6f70', amount: 5, unit: 'working_days', reason: 'Cần lấy ý kiến của Sở Tài nguyên và Môi trường về quy hoạch khu đất'}},
  'POST /api/v1/cases/{id}/note': {operationId: 'addCaseNote', example: {version: 4, updateId: 'e5f7a9b1-4c6d-4e8f-a0b2-3c4d5e6f7081', internalText: 'Đã liên hệ điện thoại với doanh nghiệp, hẹn làm việc ngày 20/3'}},
  'POST /api/v1/cases/{id}/reopen': {operationId: 'reopenCase', example: {version: 9, updateId: '2a4c6e80-9b1d-4f3a-8c5e-7d9f0b2c4e6a', reason: 'Doanh nghiệp khiếu nại câu trả lời: Sở chưa trả lời về thời hạn cấp phép'}},
  'POST /api/v1/cases/{id}/close': {operationId: 'closeCase', example: {version: 8, updateId: '3b5d7f91-0c2e-4a4b-9d6f-8e0a1c3d5f7b', internalText: 'Doanh nghiệp xác nhận qua điện thoại đã nhận giấy phép, đồng ý kết thúc'}},
  'POST /api/v1/cases/{id}/merge': {operationId: 'mergeCase', example: {version: 2, updateId: '4c6e80a2-1d3f-4b5c-ae70-9f1b2d4e6a8c', duplicateOf: 1287, publicText: 'Nội dung trùng với phản ánh số PAKN-2603-0142 của doanh nghiệp, đã được hợp nhất để xử lý chung.', internalText: 'Doanh nghiệp gửi cùng nội dung qua Zalo và đường dây nóng'}},
  'GET /api/v1/audit/verify': {operationId: 'verifyIntegrity'},
  'GET /api/v1/public/chain/head': {operationId: 'getChainHead'},
  'GET /api/v1/audit/on-time': {operationId: 'getOnTimeRates'},
  'GET /api/v1/audit/cases': {operationId: 'listAuditCases'},
  'POST /api/v1/audit/samples': {operationId: 'drawAuditSample', example: {agencyId: 4, month: '2026-02', size: 20, seed: 'Thanh tra tỉnh - kiểm tra quý I/2026'}},
  'GET /api/v1/audit/samples': {operationId: 'listAuditSamples'},
  'GET /api/v1/audit/samples/{id}': {operationId: 'getAuditSample'},
  'POST /api/v1/audit/samples/{id}/findings': {operationId: 'recordAuditFinding', example: {caseId: 1287, finding: 'no_substantive_answer', note: 'Câu trả lời chỉ dẫn chiếu văn bản, không trả lời thời hạn doanh nghiệp hỏi', reopen: true, reason: 'Trả lời chưa đúng nội dung kiến nghị (kết quả thanh tra mẫu tháng 02/2026)', publicText: 'Qua kiểm tra, câu trả lời trước chưa đáp ứng nội dung kiến nghị; hồ sơ được mở lại để Sở trả lời bổ sung.'}},
  'GET /api/v1/audit/access': {operationId: 'listAccessRecords'},
  'GET /api/v1/admin/settings': {operationId: 'getSettings'},
  'PUT /api/v1/admin/settings': {operationId: 'updateSettings', example: {coordinatorEmails: ['to3nhat@bacninh.gov.vn'], leadershipEmails: ['vanphong@bacninh.gov.vn', 'pho.chu.tich@bacninh.gov.vn'], inspectorateEmails: ['thanhtra@bacninh.gov.vn'], staffMailWindow: '07:30-11:30,13:30-17:00', provinceName: 'tỉnh Bắc Ninh', hotline: '0222 3 822 000', officeAddress: 'Trung tâm Phục vụ hành chính công tỉnh, phường Kinh Bắc, tỉnh Bắc Ninh'}},
  'PATCH /api/v1/admin/settings': {operationId: 'patchSettings', example: {leadershipEmails: ['vanphong@bacninh.gov.vn', 'pho.chu.tich@bacninh.gov.vn'], hotline: '0222 3 822 000'}},
  'GET /api/v1/admin/settings/changes': {operationId: 'listSettingChanges'},
  'GET /api/v1/reports/weekly/{week}': {operationId: 'getWeeklyReport'},
  'POST /api/v1/admin/jobs/weekly-report/run': {operationId: 'runWeeklyReport'},
  'POST /api/v1/admin/webhooks': {
    operationId: 'createWebhook',
    summary: "Subscribe an agency system to its cases' events (signed webhooks); the signing secret is shown this once",
    description:
      'admin for any agency; an agency lead for its own agency only (403 otherwise). The url must be https and resolve to a public address ' +
      '(no loopback, private, link-local or metadata address) unless PAKN_WEBHOOK_ALLOW_PRIVATE=1; it is checked again at each delivery. ' +
      'Messages follow the Standard Webhooks scheme (webhook-id, webhook-timestamp, webhook-signature); see docs/webhooks.md.',
    example: {agencyId: 4, url: 'https://motcua.xaydung.bacninh.gov.vn/api/pakn/webhook', events: ['case.assigned', 'case.updated', 'case.escalated', 'case.left_agency'], description: 'Hệ thống quản lý văn bản và một cửa của Sở Xây dựng'},
  },
  'GET /api/v1/admin/webhooks': {operationId: 'listWebhooks', summary: 'Webhook subscriptions (an agency lead sees only its own agency\'s), without secrets, with delivery counts'},
  'GET /api/v1/admin/webhooks/{id}': {operationId: 'getWebhook', summary: 'One webhook subscription, without its secret'},
  'PATCH /api/v1/admin/webhooks/{id}': {operationId: 'updateWebhook', summary: 'Change a webhook subscription (url, events, description, active)', example: {events: ['case.assigned', 'case.left_agency'], active: true}},
  'DELETE /api/v1/admin/webhooks/{id}': {operationId: 'deleteWebhook', summary: 'Remove a webhook subscription and its deliveries', responses: noContent('Removed: no more messages are sent')},
  'POST /api/v1/admin/webhooks/{id}/rotate-secret': {
    operationId: 'rotateWebhookSecret',
    summary: 'A new signing secret, shown this once; messages carry signatures with both secrets for 24 hours',
  },
  'POST /api/v1/admin/webhooks/{id}/test': {
    operationId: 'testWebhook',
    summary: 'Send a ping to the subscription now and answer how it went',
    description: 'The ping is a message like the others (signed, recorded in the deliveries); a failed ping is tried again with backoff.',
  },
  'GET /api/v1/admin/webhooks/{id}/deliveries': {operationId: 'listWebhookDeliveries', summary: "A subscription's messages, newest first, with status, attempts and last error"},
  'POST /api/v1/admin/webhooks/{id}/deliveries/{deliveryId}/redeliver': {
    operationId: 'redeliverWebhookDelivery',
    summary: 'Send a delivered or dead message again (same webhook-id and body; attempts start over); 409 while it is still pending',
  },
  'POST /api/v1/admin/webhooks/{id}/redeliver-dead': {operationId: 'redeliverDeadWebhookDeliveries', summary: 'Put every dead message of the subscription back in line (attempts start over, per-case order kept)'},
  'POST /api/v1/admin/jobs/webhooks/run': {operationId: 'runWebhookJob', summary: 'Run the webhook delivery job now'},
};

/** Tags of the document, with what each groups. */
export const TAGS = [
  { name: 'public', description: 'Anonymous operations of the public site: submit and follow a case, reference lists, published reports. No token.' },
  { name: 'cases', description: 'Staff work on cases: queue, one case, its clock and timeline, the agency feed, and the workflow actions (version / If-Match, updateId).' },
  { name: 'reference', description: 'Reference data for staff (agency directory), and who a token belongs to.' },
  { name: 'reports', description: 'Monthly publication and the weekly report.' },
  { name: 'audit', description: 'Inspection: on-time rates, timing of cases, samples and findings, timeline integrity, access to confidential identities.' },
  { name: 'admin', description: 'Administration: agencies, categories, localities, users and tokens, calendar, SLA policies, routing rules, settings, outbox, webhooks of agency systems.' },
  { name: 'jobs', description: 'Background jobs: run history and running a job now.' },
  { name: 'open311', description: 'GeoReport v2 (Open311) interface for registered client apps.' },
  { name: 'health', description: 'Liveness and readiness probes.' },
  { name: 'operations', description: 'Operating the service: Prometheus metrics.' },
];

/** `/api/v1/cases/:id` → `/api/v1/cases/{id}` */
export const openapiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemSchema } } });

/** What each error status means, for error responses a route declares as a bare schema. */
const ERROR_MEANING: Record<string, string> = {
  400: 'Invalid request: the problem names the field (`errors[].path`)',
  401: 'No Bearer token, or an unknown, revoked or expired one',
  403: 'The role of the token may not use this operation',
  404: 'Not found (or not visible to the role of the token)',
  409: 'Conflict with the current state (stale version, transition not allowed, already done); nothing changed',
  412: 'If-Match does not name the current version; nothing changed',
  413: 'The request body is too large',
  415: 'Unsupported Content-Type',
  422: 'Well-formed but not acceptable (see `detail`); nothing changed',
  429: 'Too many requests: wait the seconds given in Retry-After',
  503: 'Not available right now (see `detail`); try again later',
};

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The zod request-body schema of each documented route, by key (a test validates the examples with it). */
export const requestBodySchemas = new Map<string, unknown>();

/** Keys of the documented routes seen that have no entry in OPERATIONS (the test reads it). */
export const undocumentedRoutes = new Set<string>();

/**
 * Applies the table and the error rules to a route's schema (an onRoute hook). Idempotent:
 * a response, security or field the route (or the staff-auth plugin) already declares is kept.
 */
export function documentRoute(route: RouteOptions): void {
  const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD' && m !== 'OPTIONS');
  const schema = (route.schema ?? {}) as Record<string, unknown> & { hide?: boolean };
  if (schema.hide || methods.length !== 1) return;
  const method = methods[0]!;
  const path = openapiPath(route.url);
  const key = `${method} ${path}`;
  const doc = OPERATIONS[key];
  if (!doc) undocumentedRoutes.add(key);

  const roles = (route.config as { roles?: readonly string[] } | undefined)?.roles;
  const out: Record<string, unknown> = { ...schema };
  if (doc) out.operationId = doc.operationId;
  out.summary ??= doc?.summary;
  out.tags ??= doc?.tags;
  const description = (schema.description as string | undefined) ?? doc?.description ?? (out.summary as string | undefined);
  if (description !== undefined) {
    out.description = roles?.length && !description.includes('Roles:') ? `${description}\n\nRoles: ${roles.join(', ')}.` : description;
  }
  // anonymous operations say so (the staff-auth plugin marks staff ones with bearerAuth)
  if (!isStaffUrl(route.url)) out.security ??= [];

  const response = { ...((schema.response as Record<string, unknown> | undefined) ?? {}) };
  for (const [status, value] of Object.entries(doc?.responses ?? {})) response[status] ??= value;
  // an error declared as a bare schema is problem+json, with what the status means
  for (const [status, value] of Object.entries(response)) {
    if (Number(status) >= 400 && value && typeof value === 'object' && !('content' in value)) {
      response[status] = { description: (value as { description?: string }).description ?? ERROR_MEANING[status] ?? 'Error (problem+json)', content: { 'application/problem+json': { schema: value } } };
    }
  }
  const headers = (schema.headers as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
  const hasBody = schema.body !== undefined || schema.consumes !== undefined;
  // every operation: a control character in a path segment, query parameter or header read, or a malformed request
  response[400] ??= problem(ERROR_MEANING[400]!);
  if (path.includes('{')) response[404] ??= problem(ERROR_MEANING[404]!);
  if ('if-match' in headers) {
    response[409] ??= problem(ERROR_MEANING[409]!);
    response[412] ??= problem(ERROR_MEANING[412]!);
  }
  if (hasBody && WRITE_METHODS.has(method)) {
    response[413] ??= problem(ERROR_MEANING[413]!);
    response[415] ??= problem(ERROR_MEANING[415]!);
  }
  if ((route.config as { rateLimit?: unknown } | undefined)?.rateLimit) {
    response[429] ??= problem(ERROR_MEANING[429]!);
  }
  out.response = response;
  // the example goes on every media type of the request body (src/openapi/document.ts): a body
  // schema's own `examples` are lost when the schema is a component ($ref)
  if (schema.body !== undefined) requestBodySchemas.set(key, schema.body);
  route.schema = out as typeof route.schema;
}
