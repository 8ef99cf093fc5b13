/**
 * The published method: the version that every report carries and the short text, for the
 * public, that explains each figure. docs/reports.md carries the same text (a test checks it);
 * change both together and raise METHOD_VERSION when a figure's meaning changes.
 */
export const METHOD_VERSION = '1.1';

export const METHOD_TEXT = `Phương pháp tính (phiên bản ${METHOD_VERSION})

Kỳ báo cáo tính theo giờ Việt Nam (UTC+7), từ 00:00 ngày đầu kỳ đến hết ngày cuối kỳ. Báo cáo quý, 6 tháng và năm dùng đúng cách tính của báo cáo tháng trên kỳ dài hơn.

Tiếp nhận: hồ sơ có thời điểm tiếp nhận trong kỳ (kể cả hồ sơ sau đó bị từ chối hoặc doanh nghiệp rút), chia theo kênh tiếp nhận, loại, lĩnh vực và cơ quan đang được giao.

Đã giải quyết: hồ sơ có câu trả lời kết quả trong kỳ và đang ở trạng thái đã trả lời hoặc đã kết thúc. Hồ sơ bị mở lại được tính theo lần trả lời sau cùng.

Trước hạn, đúng hạn, trễ hạn: so thời điểm trả lời với hạn giải quyết của hồ sơ (đã cộng thời gian chờ doanh nghiệp bổ sung thông tin và thời gian gia hạn được phê duyệt). Trước hạn: trả lời vào một ngày trước ngày đến hạn. Đúng hạn: trả lời trong ngày đến hạn, không muộn hơn giờ hết hạn. Trễ hạn: trả lời sau hạn. Với khiếu nại và tố cáo, hạn giải quyết tính từ ngày thụ lý, không tính từ ngày tiếp nhận (Luật Khiếu nại năm 2011, Điều 28; Luật Tố cáo năm 2018, Điều 30).

Tỷ lệ đúng hạn = (số hồ sơ trước hạn + số hồ sơ đúng hạn) / số hồ sơ đã giải quyết trong kỳ. Gia hạn được phê duyệt theo quy định được tính là hợp lệ, nên đây là tỷ lệ theo hạn đã gia hạn.

Tỷ lệ đúng hạn không gia hạn = số hồ sơ trả lời trước hạn hoặc đúng hạn mà không dùng lần gia hạn nào / số hồ sơ đã giải quyết trong kỳ.

Đang xử lý cuối kỳ: hồ sơ đã tiếp nhận trước khi kết thúc kỳ và vào thời điểm kết thúc kỳ chưa có kết quả (trạng thái lấy theo nhật ký của hồ sơ). Hồ sơ quá hạn nếu hạn giải quyết đã qua vào thời điểm đó; hồ sơ đang chờ doanh nghiệp bổ sung thông tin (đồng hồ dừng) được tính là trong hạn.

Số ngày làm việc để giải quyết: thời gian làm việc từ khi tiếp nhận đến khi trả lời, trừ thời gian chờ doanh nghiệp bổ sung thông tin, chia cho độ dài một ngày làm việc. Thời gian làm việc là giờ hành chính (mặc định 07:30–11:30 và 13:30–17:00, tức 7,5 giờ một ngày) của các ngày làm việc, không tính thứ Bảy, Chủ nhật, ngày nghỉ lễ, Tết; có tính ngày làm bù. Trung vị và phân vị 90 nội suy tuyến tính giữa hai giá trị gần nhất.

Tạm dừng: số lần bắt đầu chờ doanh nghiệp bổ sung thông tin trong kỳ, và tổng thời gian làm việc của các lần đó, đến khi doanh nghiệp trả lời hoặc đến hết kỳ.

Gia hạn: số lần gia hạn được phê duyệt trong kỳ, và số hồ sơ giải quyết trong kỳ có dùng gia hạn.

Không đồng ý với kết quả: số lần doanh nghiệp không đồng ý với câu trả lời (hồ sơ được mở lại) trong kỳ.

Mức độ hài lòng = số đánh giá 4 hoặc 5 sao / số đánh giá doanh nghiệp gửi trong kỳ.

Xếp hạng cơ quan: theo tỷ lệ đúng hạn giảm dần; cùng tỷ lệ thì cùng hạng. Cơ quan, lĩnh vực hoặc kênh có ít hơn số hồ sơ đã giải quyết tối thiểu ghi trong báo cáo được đánh dấu "ít số liệu" và không xếp hạng, vì tỷ lệ trên quá ít hồ sơ không đủ tin cậy. Cơ quan là cơ quan đang được giao hồ sơ.

Danh sách hồ sơ đã giải quyết không có thông tin cá nhân. Tên doanh nghiệp chỉ hiện khi doanh nghiệp đồng ý công khai (không áp dụng cho tố cáo). Địa chỉ thư điện tử và số điện thoại trong câu trả lời được che.

Tỷ lệ được làm tròn đến 4 chữ số thập phân, số ngày đến 2 chữ số thập phân. Mỗi lần công bố là một phiên bản không thay đổi, có mã băm SHA-256 của nội dung; công bố lại tạo phiên bản mới và phiên bản cũ vẫn được giữ để tra cứu.`;
