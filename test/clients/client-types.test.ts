import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLIENT_TYPES_PATH, generateClientTypes } from '../../scripts/openapi.js';

describe(`the typed client (${CLIENT_TYPES_PATH})`, () => {
  it('has the types openapi-typescript makes of openapi/openapi.json (run `npm run openapi` after changing a route)', async () => {
    const document = readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8');
    const committed = readFileSync(new URL(`../../${CLIENT_TYPES_PATH}`, import.meta.url), 'utf8');
    const generated = await generateClientTypes(document);
    expect(generated).toContain('getAgencyFeed: {');
    expect(generated).toBe(committed);
  });
});
