import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** the status the receiver answered */
  answered: number;
}

/**
 * A real HTTP receiver on 127.0.0.1: records every request and answers what `answer` says
 * (200 by default). `stop()` closes it (the port then refuses connections) and `start()` opens
 * it again on the same port.
 */
export async function startReceiver(port = 0) {
  const received: Received[] = [];
  let answer: (n: number) => number = () => 200;
  let server: Server | null = null;
  let boundPort = port;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const status = answer(received.length + 1);
          received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered: status });
          res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
        });
      });
      s.once('error', reject);
      s.listen(boundPort, '127.0.0.1', () => {
        boundPort = (s.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });
  await listen();
  return {
    received,
    get url() {
      return `http://127.0.0.1:${boundPort}/pakn/hook`;
    },
    /** how to answer the n-th request (1-based, counting every request received) */
    answerWith(f: (n: number) => number) {
      answer = f;
    },
    async stop() {
      const s = server;
      server = null;
      if (s) await new Promise<void>((r) => s.close(() => r()));
    },
    start: listen,
    /** the parsed bodies received with a 2xx answer */
    delivered() {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return received.filter((r) => r.answered < 300).map((r) => ({ id: String(r.headers['webhook-id']), ...JSON.parse(r.body) }) as any);
    },
  };
}
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
