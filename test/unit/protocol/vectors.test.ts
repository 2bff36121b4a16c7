import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { buildVectors } from '../../vectors/build-vectors.ts';
import { decodeWireMessage } from '../../../lib/protocol/index.ts';
import { hexToBytes } from '@noble/hashes/utils.js';

const stored = JSON.parse(readFileSync(new URL('../../vectors/protocol-v1.json', import.meta.url), 'utf8')) as {
  interactive: { msg1Commit: string; aliceMessage20: { bytes: number; wire: string } };
};

describe('test vectors', () => {
  it('recomputes byte-identical vectors (fails on any wire-format or key-schedule change)', () => {
    expect(JSON.parse(JSON.stringify(buildVectors()))).toEqual(stored);
  });

  it('stored vectors decode with the current codec', () => {
    const d = decodeWireMessage(hexToBytes(stored.interactive.aliceMessage20.wire));
    expect(d.ok && d.value.type).toBe('ratchet');
    expect(stored.interactive.aliceMessage20.bytes).toBeLessThanOrEqual(72);
  });
});
