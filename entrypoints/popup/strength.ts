/**
 * A rough passphrase strength hint for the create/change forms. It estimates guessing entropy
 * from length and character variety, discounting repeats; it is a nudge, not a guarantee.
 */
export type Strength = 'empty' | 'weak' | 'fair' | 'strong';

export interface StrengthHint {
  level: Strength;
  bits: number;
  text: string;
}

export function estimateBits(passphrase: string): number {
  const chars = [...passphrase];
  if (chars.length === 0) return 0;
  let pool = 0;
  if (/[a-z]/.test(passphrase)) pool += 26;
  if (/[A-Z]/.test(passphrase)) pool += 26;
  if (/[0-9]/.test(passphrase)) pool += 10;
  if (/[^a-zA-Z0-9]/.test(passphrase)) pool += 33;
  // Repeated characters add little: count distinct ones fully, repeats at a quarter.
  const distinct = new Set(chars).size;
  const effective = distinct + (chars.length - distinct) / 4;
  return Math.round(effective * Math.log2(Math.max(pool, 2)));
}

export function strengthHint(passphrase: string): StrengthHint {
  const bits = estimateBits(passphrase);
  if (passphrase.length === 0) return { level: 'empty', bits, text: 'No passphrase: anyone using this browser profile can read your messages.' };
  if (bits < 50) return { level: 'weak', bits, text: 'Weak: easy to guess. Use four or more unrelated words.' };
  if (bits < 80) return { level: 'fair', bits, text: 'Fair: a longer passphrase would be safer.' };
  return { level: 'strong', bits, text: 'Strong.' };
}
