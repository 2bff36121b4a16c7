// Writes test/vectors/protocol-v1.json. Run: node --import tsx test/vectors/generate.ts
import { writeFileSync } from 'node:fs';
import { buildVectors } from './build-vectors.ts';

const path = new URL('./protocol-v1.json', import.meta.url);
writeFileSync(path, JSON.stringify(buildVectors(), null, 2) + '\n');
