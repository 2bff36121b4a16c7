import type { Badge } from '../../lib/messaging/views';

const BADGES: Record<Badge, { icon: string; words: string; color: string }> = {
  verified: { icon: '✔', words: 'verified', color: '#1e7e34' },
  unverified: { icon: '●', words: 'unverified', color: '#6b6f76' },
  'key-changed': { icon: '⚠', words: 'key changed', color: '#b35c00' },
  undecryptable: { icon: '✖', words: 'could not decrypt', color: '#a1121f' },
  tampered: { icon: '✖', words: 'tampered', color: '#a1121f' },
  pending: { icon: '…', words: 'pending', color: '#6b6f76' },
  locked: { icon: '🔒', words: 'Veil is locked', color: '#6b6f76' },
};

/** Icon plus words, never colour alone. */
export function BadgeView({ badge }: { badge: Badge }) {
  const b = BADGES[badge] ?? BADGES.undecryptable;
  return (
    <span class="badge" data-badge={badge} style={{ color: b.color }}>
      <span aria-hidden="true">{b.icon}</span> {b.words}
    </span>
  );
}
