/**
 * Every problem `type` the service can answer (RFC 9457), with what it means. The error classes
 * (lib/errors.ts), the one error handler (plugins/problem-details.ts) and the page that explains
 * them (GET /docs/problems) all read this list, so a type cannot be emitted without an anchor on
 * that page. Pure data: imports nothing.
 */
export const PROBLEM_TYPE_BASE = '/docs/problems#';

export interface ProblemTypeInfo {
  /** the usual HTTP status of this type */
  status: number;
  /** the problem's `title`, Vietnamese with the English term */
  title: string;
  /** what it means and what the client can do, in Vietnamese */
  meaning: string;
}

export const PROBLEM_TYPES = {
  'bad-request': {
    status: 400,
    title: 'Yêu cầu không hợp lệ (bad request)',
    meaning:
      'Yêu cầu không đọc được: địa chỉ sai dạng, nội dung không phải JSON hợp lệ, hoặc có giá trị không lưu được (ký tự, số, ngày không đúng). `errors[]` cho biết phần nào của yêu cầu bị từ chối. Sửa yêu cầu rồi gửi lại.',
  },
  'validation-error': {
    status: 400,
    title: 'Dữ liệu không hợp lệ (invalid request)',
    meaning:
      'Một hay nhiều trường không đúng quy định (thiếu, quá dài, sai định dạng, hoặc là trường không được biết đến). Mỗi phần tử của `errors[]` nêu đường dẫn của trường (`path`), nơi gửi (`in`: body, querystring, params) và lý do (`message`). Không có gì được ghi lại.',
  },
  unauthorized: {
    status: 401,
    title: 'Chưa xác thực (unauthorized)',
    meaning: 'Cần một mã Bearer hợp lệ (tài khoản cán bộ, hoặc mã xem số liệu vận hành). Mã đã thu hồi hoặc hết hạn cũng bị từ chối.',
  },
  forbidden: {
    status: 403,
    title: 'Không có quyền (forbidden)',
    meaning:
      'Vai trò của tài khoản không được làm việc này, hồ sơ thuộc cơ quan khác, hoặc khoá ứng dụng Open311 (api_key) không hợp lệ hay đã bị vô hiệu hoá.',
  },
  'not-found': {
    status: 404,
    title: 'Không tìm thấy (not found)',
    meaning: 'Không có địa chỉ này, hoặc không có bản ghi với mã đã cho (với hồ sơ của doanh nghiệp: mã hồ sơ hoặc mã truy cập không đúng).',
  },
  'method-not-allowed': {
    status: 405,
    title: 'Phương thức không được hỗ trợ (method not allowed)',
    meaning: 'Địa chỉ có tồn tại nhưng không nhận phương thức HTTP này. Tiêu đề `Allow` liệt kê các phương thức được nhận.',
  },
  'request-timeout': {
    status: 408,
    title: 'Hết thời gian chờ (request timeout)',
    meaning: 'Yêu cầu đến quá chậm (tiêu đề hoặc nội dung không đến hết trong thời hạn). Kết nối bị đóng; gửi lại yêu cầu.',
  },
  conflict: {
    status: 409,
    title: 'Xung đột trạng thái (conflict)',
    meaning:
      'Việc này không làm được ở trạng thái hiện tại của bản ghi (ví dụ hồ sơ đã đóng, kỳ báo cáo chưa kết thúc), hoặc bản ghi đã bị người khác thay đổi. Các trường bổ sung (như `currentStatus`) cho biết trạng thái hiện tại; đọc lại rồi quyết định.',
  },
  'precondition-failed': {
    status: 412,
    title: 'Phiên bản không khớp (precondition failed)',
    meaning: 'Phiên bản trong `If-Match` không còn là phiên bản đang lưu: có người đã sửa trước. Đọc lại bản mới nhất rồi sửa lại.',
  },
  'payload-too-large': {
    status: 413,
    title: 'Nội dung quá lớn (payload too large)',
    meaning: 'Nội dung gửi lên vượt giới hạn (1 MB cho JSON, 256 kB cho biểu mẫu, 5 MB cho mỗi tệp đính kèm). Gửi ít hơn hoặc chia nhỏ.',
  },
  'unsupported-media-type': {
    status: 415,
    title: 'Kiểu nội dung không được hỗ trợ (unsupported media type)',
    meaning: 'Kiểu nội dung (`Content-Type`) không được địa chỉ này nhận. Các kiểu được nhận ghi trong tài liệu API (/docs).',
  },
  unprocessable: {
    status: 422,
    title: 'Không thể xử lý (unprocessable)',
    meaning: 'Yêu cầu đúng dạng nhưng không thực hiện được, ví dụ cùng một `Idempotency-Key` đã dùng cho một nội dung khác.',
  },
  'rate-limited': {
    status: 429,
    title: 'Quá nhiều yêu cầu (too many requests)',
    meaning: 'Quá nhiều yêu cầu trong thời gian ngắn: từ cùng một địa chỉ (trang công khai, Open311) hoặc cùng một token (API nghiệp vụ, mặc định 1.200 yêu cầu/phút). Chờ số giây ghi trong tiêu đề `Retry-After` rồi thử lại.',
  },
  'header-too-large': {
    status: 431,
    title: 'Tiêu đề yêu cầu quá lớn (header too large)',
    meaning: 'Phần tiêu đề của yêu cầu (kể cả địa chỉ và cookie) vượt quá 64 kB. Kết nối bị đóng.',
  },
  internal: {
    status: 500,
    title: 'Lỗi hệ thống (internal error)',
    meaning: 'Lỗi phía hệ thống; đã được ghi nhật ký. Không có thay đổi nào được ghi dở dang. Thử lại sau; nếu lặp lại, báo cho đơn vị vận hành kèm thời điểm và địa chỉ.',
  },
  unavailable: {
    status: 503,
    title: 'Dịch vụ tạm thời không sẵn sàng (unavailable)',
    meaning: 'Một thành phần cần thiết (cơ sở dữ liệu, thư điện tử…) tạm thời không dùng được. Thử lại sau ít phút.',
  },
  'shutting-down': {
    status: 503,
    title: 'Dịch vụ đang dừng (shutting down)',
    meaning: 'Phiên bản dịch vụ nhận yêu cầu đang dừng để cập nhật; việc được chạy ở phiên bản khác. Thử lại sau ít giây.',
  },
} as const satisfies Record<string, ProblemTypeInfo>;

export type ProblemType = keyof typeof PROBLEM_TYPES;

/** The `type` URI of a problem: `/docs/problems#<type>`. */
export const problemTypeUri = (type: ProblemType): string => PROBLEM_TYPE_BASE + type;

/** The problem type of a bare HTTP status the framework or a plugin raised. */
export function problemTypeOfStatus(status: number): ProblemType {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 405:
      return 'method-not-allowed';
    case 408:
      return 'request-timeout';
    case 409:
      return 'conflict';
    case 412:
      return 'precondition-failed';
    case 413:
      return 'payload-too-large';
    case 415:
      return 'unsupported-media-type';
    case 422:
      return 'unprocessable';
    case 429:
      return 'rate-limited';
    case 431:
      return 'header-too-large';
    default:
      return status >= 500 ? 'internal' : 'bad-request';
  }
}
