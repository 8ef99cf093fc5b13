import { sql } from 'drizzle-orm';
import { searchTextOf } from '../domain/disclosure.js';
import { rows, type Executor } from './client.js';

/**
 * Data fixes that need the service's own code rather than SQL, run after the migrations at every
 * start (idempotent: each finds nothing to do once done).
 *
 * Confidential cases whose search text a migration blanked (0018) get it back, masked
 * (searchTextOf): the work queue's search must not confirm a guessed reporter to agency roles.
 * Until then such a case is found by its tracking code only. Returns the number of rows fixed.
 */
export async function runDataFixes(ex: Executor, batch = 500): Promise<number> {
  let fixed = 0;
  for (;;) {
    const todo = await rows<{
      id: number | string;
      title: string;
      content: string;
      business_name: string | null;
      contact_name: string | null;
      tax_code: string | null;
      phone: string | null;
      email: string | null;
    }>(
      ex,
      sql`select id, title, content, business_name, contact_name, tax_code, phone, email from cases
          where confidential and search_text = '' order by id limit ${batch}`,
    );
    if (todo.length === 0) return fixed;
    const texts = todo.map((c) => ({
      id: Number(c.id),
      t: searchTextOf(c.title, c.content, { confidential: true, businessName: c.business_name, contactName: c.contact_name, taxCode: c.tax_code, phone: c.phone, email: c.email }),
    }));
    await ex.execute(sql`update cases c set search_text = v.t
      from jsonb_to_recordset(${JSON.stringify(texts)}::jsonb) as v(id bigint, t text)
      where c.id = v.id`);
    fixed += todo.length;
  }
}
