import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { SiteInfo } from '../features/settings/service.js';
import { fillSiteSlots, SITE_SLOT } from './layout.js';

const NO_SITE: SiteInfo = { provinceName: null, hotline: null, officeAddress: null };

/**
 * Every public HTML page names who is speaking: the province, the team's hotline and its office
 * address, as the settings say now (one primary-key read per page). Pages leave slots
 * (layout.ts); this fills them as the page leaves, before compression. Registered before
 * @fastify/compress, whose onSend hook must see the filled text.
 */
export const siteIdentity = fp(
  async (app: FastifyInstance) => {
    app.addHook('onSend', async (req, reply, payload) => {
      // the content type first: a JSON page of the API is not scanned for the slot
      if (typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload;
      if (!payload.includes(SITE_SLOT.org)) return payload;
      let site: SiteInfo = NO_SITE;
      try {
        site = await app.services.settings.siteInfo();
      } catch (err) {
        // the page (perhaps the error page of a database outage) still leaves, naming the team only
        req.log.warn({ err }, 'site identity unavailable');
      }
      return fillSiteSlots(payload, site);
    });
  },
  { name: 'site-identity' },
);
