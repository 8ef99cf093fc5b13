import { writeFileSync } from 'node:fs';
import { CLIENT_TYPES_PATH, generateClientTypes, generateOpenApi } from './openapi.js';

const document = await generateOpenApi();
writeFileSync(new URL('../openapi/openapi.json', import.meta.url), document);
console.log('openapi/openapi.json written');
writeFileSync(new URL(`../${CLIENT_TYPES_PATH}`, import.meta.url), await generateClientTypes(document));
console.log(`${CLIENT_TYPES_PATH} written`);
