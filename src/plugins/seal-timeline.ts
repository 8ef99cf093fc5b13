import fp from 'fastify-plugin';

export interface SealTimelineOptions {
  chain: { sealPending: () => Promise<unknown> };
}

/** A successful change is answered once its timeline events are sealed into the hash chain. */
export const sealTimeline = fp<SealTimelineOptions>(
  async (app, opts) => {
    app.addHook('onSend', async (req, reply, payload) => {
      if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' || reply.statusCode >= 400) return payload;
      try {
        await opts.chain.sealPending();
      } catch (err) {
        // the change is committed; the periodic sealer will seal it
        req.log.warn({ err }, 'sealing the timeline failed; will retry');
      }
      return payload;
    });
  },
  { name: 'seal-timeline' },
);
