/**
 * The daily e-mail to the inspectorate with the previous day's last signed checkpoint: a copy of
 * the chain head kept outside the database (in the inspectorate's mailbox). Written to the outbox;
 * its Message-ID is fixed per day, so several instances or a repeated run send it once.
 */
import type { Db } from '../../db/client.js';
import { outbox } from '../../db/schema.js';
import { DAY_MS, fromLocal, localDate } from '../../domain/calendar.js';
import { outboxRows } from '../notifications/outbox.js';
import { compose } from '../notifications/templates.js';
import { checkpointMessage, lastCheckpointBefore, toCheckpointJson, type Checkpoint, type Checkpointer } from './checkpoints.js';

const viDate = (ymd: string) => ymd.split('-').reverse().join('/');

export function checkpointMailMessage(a: { day: string; checkpoint: Checkpoint; publicKeyPem: string; baseUrl: string }) {
  const c = a.checkpoint;
  const saved = JSON.stringify({ ...toCheckpointJson(c), publicKey: a.publicKeyPem }, null, 2);
  return compose(
    `[Nhật ký hồ sơ] Điểm kiểm tra ngày ${viDate(a.day)}: chuỗi đến số ${c.seq}`,
    [
      'Kính gửi Thanh tra tỉnh,',
      `Điểm kiểm tra (checkpoint) cuối cùng của ngày ${viDate(a.day)} được hệ thống ký số xác nhận: toàn bộ nhật ký xử lý hồ sơ đến sự kiện số ${c.seq} có mã băm ${c.hash}.`,
      'Đề nghị lưu giữ thư này. Khi kiểm tra, lưu đoạn JSON dưới đây thành tệp và chạy: npm run verify -- --checkpoint <tệp> trên bản sao cơ sở dữ liệu; mọi sự kiện đến số trên bị xoá hoặc sửa sẽ bị phát hiện.',
      `Dòng được ký: ${checkpointMessage(c)}`,
      saved,
    ],
    { href: `${a.baseUrl}/api/v1/public/chain/head`, label: 'Điểm kiểm tra mới nhất' },
  );
}

/**
 * Queues the e-mail of the local day before `now` (the last checkpoint signed before that day's
 * end). Nothing when no inspectorate address is configured or no checkpoint exists yet.
 */
export async function queueDailyCheckpointMail(
  deps: { db: Db; inspectorate: string[]; mailDomain: string; baseUrl: string; publicKeyPem: string },
  now: Date,
): Promise<{ day: string; queued: boolean; seq: number | null }> {
  const day = localDate(new Date(now.getTime() - DAY_MS));
  const end = fromLocal(localDate(now));
  const c = await lastCheckpointBefore(deps.db, end);
  if (!c || deps.inspectorate.length === 0) return { day, queued: false, seq: c?.seq ?? null };
  const msg = checkpointMailMessage({ day, checkpoint: c, publicKeyPem: deps.publicKeyPem, baseUrl: deps.baseUrl });
  const rows = outboxRows(deps.mailDomain, [{ template: 'chain_checkpoint', to: deps.inspectorate, ...msg }], now).map((r) => ({
    ...r,
    messageId: `<checkpoint-${day}@${deps.mailDomain}>`,
  }));
  const res = await deps.db.insert(outbox).values(rows).onConflictDoNothing().returning({ id: outbox.id });
  return { day, queued: res.length > 0, seq: c.seq };
}

/** The daily checkpoint e-mail bound to its settings: `queueDaily(now)` as the scheduler runs it. */
export function createCheckpointMail(deps: { db: Db; inspectorate: string[]; mailDomain: string; baseUrl: string; checkpoints: Pick<Checkpointer, 'key'> }) {
  return {
    queueDaily: (now: Date) => queueDailyCheckpointMail({ ...deps, publicKeyPem: deps.checkpoints.key.publicKeyPem }, now),
  };
}
