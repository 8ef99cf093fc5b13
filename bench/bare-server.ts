/**
 * The ceiling: a bare fastify route on the same machine (JSON body in, JSON out, no database);
 * with PAGE_FILE, GET /page also answers that file's bytes as JSON (the queue's floor: what
 * fastify alone costs to send a page of the same size).
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/bare', async (req, reply) => reply.code(201).send({ ok: true, size: JSON.stringify(req.body).length }));
const page = process.env.PAGE_FILE ? readFileSync(process.env.PAGE_FILE, 'utf8') : '{}';
app.get('/page', async (req, reply) => reply.type('application/json; charset=utf-8').send(page));
app.get('/readyz', async () => ({ status: 'ready' }));
await app.listen({ port: Number(process.env.PORT ?? 3990), host: '127.0.0.1' });
