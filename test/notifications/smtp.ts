import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message as the SMTP server received it, with the parts the tests look at decoded. */
export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  raw: string;
  headers: Record<string, string>;
  messageId: string;
  subject: string;
  to: string;
  cc: string;
  text: string;
  html: string;
}

/** RFC 2047 encoded words (=?UTF-8?B?…?= / =?UTF-8?Q?…?=), adjacent words joined. */
export function decodeWords(s: string): string {
  return s
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, _cs: string, enc: string, data: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : Buffer.from(
            data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );
}

function splitHead(raw: string): { headers: Record<string, string>; body: string } {
  const i = raw.indexOf('\r\n\r\n');
  const head = (i >= 0 ? raw.slice(0, i) : raw).replace(/\r\n[ \t]+/g, ' ');
  const body = i >= 0 ? raw.slice(i + 4) : '';
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (m) headers[m[1].toLowerCase()] = m[2];
  }
  return { headers, body };
}

function decodeBody(body: string, cte: string | undefined): string {
  const enc = (cte ?? '7bit').toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (enc === 'quoted-printable') {
    const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

/** Just enough MIME to read what pakn sends: text and HTML parts, possibly in multipart/alternative. */
export function parseMail(raw: string): Omit<ReceivedMail, 'envelopeFrom' | 'envelopeTo' | 'raw'> {
  const { headers, body } = splitHead(raw);
  let text = '';
  let html = '';
  const walk = (h: Record<string, string>, b: string) => {
    const ct = h['content-type'] ?? 'text/plain';
    const boundary = /boundary="?([^";]+)"?/i.exec(ct)?.[1];
    if (/^multipart\//i.test(ct) && boundary) {
      for (const part of b.split(`--${boundary}`).slice(1)) {
        if (part.startsWith('--')) break;
        const p = splitHead(part.replace(/^\r\n/, ''));
        walk(p.headers, p.body.replace(/\r\n$/, ''));
      }
    } else if (/^text\/html/i.test(ct)) html += decodeBody(b, h['content-transfer-encoding']);
    else if (/^text\/plain/i.test(ct)) text += decodeBody(b, h['content-transfer-encoding']);
  };
  walk(headers, body);
  return {
    headers,
    messageId: headers['message-id'] ?? '',
    subject: decodeWords(headers.subject ?? ''),
    to: decodeWords(headers.to ?? ''),
    cc: decodeWords(headers.cc ?? ''),
    text: text.replace(/\r\n/g, '\n'),
    html,
  };
}

export interface TestSmtp {
  port: number;
  url: string;
  received: ReceivedMail[];
  /** 'accept' delivers; 'reject' answers 451 to every RCPT TO (a server in trouble) */
  mode: 'accept' | 'reject';
  /** RCPT commands refused while in reject mode */
  refused: number;
  /** addresses refused at RCPT TO with this reply code (in accept mode) */
  refuseRcpt: Map<string, number>;
  /** the server waits this long before accepting each message's data (a slow server) */
  dataDelayMs: number;
  /** stops listening (connections are refused) */
  stop(): Promise<void>;
  /** listens again on the same port */
  start(): Promise<void>;
  byMessageId(): Map<string, number>;
}

/** A real SMTP server on 127.0.0.1 (port chosen by the system), recording what it receives. */
export async function startSmtp(): Promise<TestSmtp> {
  let server: SMTPServer;
  let port = 0;
  const state: TestSmtp = {
    port: 0,
    url: '',
    received: [],
    mode: 'accept',
    refused: 0,
    refuseRcpt: new Map(),
    dataDelayMs: 0,
    async stop() {
      await new Promise<void>((r) => server.close(() => r()));
    },
    async start() {
      server = make();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
      port = (server.server.address() as AddressInfo).port;
      state.port = port;
      state.url = `smtp://127.0.0.1:${port}`;
    },
    byMessageId() {
      const m = new Map<string, number>();
      for (const r of state.received) m.set(r.messageId, (m.get(r.messageId) ?? 0) + 1);
      return m;
    },
  };
  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      // stop() drops client connections at once instead of waiting for them
      closeTimeout: 50,
      onRcptTo(address, _session, cb) {
        if (state.mode === 'reject') {
          state.refused++;
          const err = new Error('Mailbox temporarily unavailable, try again later') as Error & { responseCode: number };
          err.responseCode = 451;
          return cb(err);
        }
        const code = state.refuseRcpt.get(address.address.toLowerCase());
        if (code) {
          const err = new Error(code >= 500 ? 'No such user here' : 'Mailbox busy, try again later') as Error & { responseCode: number };
          err.responseCode = code;
          return cb(err);
        }
        cb();
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (b: Buffer) => chunks.push(b));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('latin1');
          const parsed = parseMail(raw);
          state.received.push({
            envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            raw,
            ...parsed,
          });
          if (state.dataDelayMs > 0) setTimeout(() => cb(), state.dataDelayMs);
          else cb();
        });
      },
    });
  await state.start();
  return state;
}
