// Writes test/vectors/protocol-v1.json and group-v1.json. Run: node --import ./test/setup/run-ts.mjs test/vectors/generate.ts
import { writeFileSync } from 'node:fs';
import { buildGroupVectors } from './build-group-vectors.ts';
import { buildVectors } from './build-vectors.ts';

const write = (name: string, data: unknown) => writeFileSync(new URL(name, import.meta.url), JSON.stringify(data, null, 2) + '\n');
write('./protocol-v1.json', buildVectors());
write('./group-v1.json', buildGroupVectors());
