/** The ceiling: a bare fastify route on the same machine (JSON body in, JSON out, no database). */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/bare', async (req, reply) => reply.code(201).send({ ok: true, size: JSON.stringify(req.body).length }));
app.get('/readyz', async () => ({ status: 'ready' }));
await app.listen({ port: Number(process.env.PORT ?? 3990), host: '127.0.0.1' });
