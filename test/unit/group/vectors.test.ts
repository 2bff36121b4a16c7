import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { hexToBytes } from '@noble/hashes/utils.js';
import { buildGroupVectors } from '../../vectors/build-group-vectors.ts';
import { decodeControl, decodeGroupEnvelope, decodeGroupMessage } from '../../../lib/group/index.ts';

const stored = JSON.parse(readFileSync(new URL('../../vectors/group-v1.json', import.meta.url), 'utf8')) as {
  creation: { welcomeToBob: string; aliceSenderKeyToBob: string; groupId: string };
  message20: { wire: string; bytes: number };
  removal: { commitToBob: string };
  envelope: string;
};

describe('group vectors', () => {
  it('recomputes byte-identical vectors (fails on any group format, label or key schedule change)', () => {
    expect(JSON.parse(JSON.stringify(buildGroupVectors()))).toEqual(stored);
  });

  it('stored vectors decode with the current codecs', () => {
    const m = decodeGroupMessage(hexToBytes(stored.message20.wire));
    expect(m.ok && Buffer.from(m.value.header.groupId).toString('hex')).toBe(stored.creation.groupId);
    expect(decodeControl(hexToBytes(stored.creation.welcomeToBob)).ok && (decodeControl(hexToBytes(stored.creation.welcomeToBob)) as { value: { kind: string } }).value.kind).toBe('welcome');
    expect((decodeControl(hexToBytes(stored.creation.aliceSenderKeyToBob)) as { value: { kind: string } }).value.kind).toBe('sender-key');
    expect((decodeControl(hexToBytes(stored.removal.commitToBob)) as { value: { kind: string } }).value.kind).toBe('commit');
    expect(decodeGroupEnvelope(hexToBytes(stored.envelope)).ok).toBe(true);
  });
});
