-- pgbench: the SQL of one public intake: the day's tracking number (the day's sequence), then one
-- transaction with the case, its outbox message and its timeline event (sealed into the chain later)
\set r random(1, 2000000000)
SELECT nextval('pakn_tracking_bench') AS last \gset
BEGIN;
INSERT INTO cases (tracking_code, access_key_hash, kind, priority, category_id, locality_id, channel, title, content, search_text,
  business_name, tax_code, contact_name, phone, email, status, agency_id, received_at, sla_policy, assigned_at, accept_due_at, resolve_due_at)
  VALUES ('PGB.' || :last || '.' || :r, md5(:r::text), 'phan_anh', 'normal', 1, 1, 'web', 'Tiêu đề phản ánh', 'Nội dung phản ánh khá dài về thủ tục hành chính', 'tieu de',
  'Công ty TNHH Ví dụ', '0100109106', 'Nguyễn Văn A', '0912345678', 'a@example.vn', 'assigned', 1, now(), '{"kind":"phan_anh"}', now(), now() + interval '1 day', now() + interval '14 days')
  RETURNING id \gset
INSERT INTO outbox (message_id, template, case_id, to_addrs, subject, text_body, html_body)
  VALUES ('<' || :r || '.' || :id || '@bench>', 'receipt', :id, ARRAY['a@example.vn'], 'Đã tiếp nhận', 'Nội dung thư', '<p>Nội dung thư</p>');
INSERT INTO case_events (case_id, at, actor_role, action, to_status, public_text)
  VALUES (:id, now(), 'public', 'receive', 'received', 'Đã tiếp nhận');
END;
