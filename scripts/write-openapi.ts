import { writeFileSync } from 'node:fs';
import { generateOpenApi } from './openapi.js';

writeFileSync(new URL('../openapi/openapi.json', import.meta.url), await generateOpenApi());
console.log('openapi/openapi.json written');
