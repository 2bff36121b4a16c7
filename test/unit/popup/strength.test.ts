import { describe, expect, it } from 'vitest';
import { estimateBits, strengthHint } from '../../../entrypoints/popup/strength.ts';

describe('passphrase strength hint', () => {
  it('grades by length and variety, discounting repeats', () => {
    expect(strengthHint('').level).toBe('empty');
    expect(strengthHint('password').level).toBe('weak');
    expect(strengthHint('aaaaaaaaaaaaaaaaaaaa').level).toBe('weak');
    expect(strengthHint('Tr0ub4dor&3x').level).toBe('fair');
    expect(strengthHint('correct horse battery staple').level).toBe('strong');
    expect(estimateBits('abcabcabc')).toBeLessThan(estimateBits('abcdefghi'));
  });
});
