// Short authentication string for reading aloud: 30 bits of the session's SAS bytes as five
// emoji (6 bits each) with spoken names. Grinding-resistant only for interactive sessions,
// because msg1 commits to the initiator's ephemeral before the responder picks its own.
export interface SasSymbol {
  readonly emoji: string;
  readonly name: string;
}

export const SAS_SYMBOLS: readonly SasSymbol[] = [
  { emoji: '🐶', name: 'dog' }, { emoji: '🐱', name: 'cat' }, { emoji: '🦁', name: 'lion' }, { emoji: '🐴', name: 'horse' },
  { emoji: '🦄', name: 'unicorn' }, { emoji: '🐷', name: 'pig' }, { emoji: '🐘', name: 'elephant' }, { emoji: '🐰', name: 'rabbit' },
  { emoji: '🐼', name: 'panda' }, { emoji: '🐓', name: 'rooster' }, { emoji: '🐧', name: 'penguin' }, { emoji: '🐢', name: 'turtle' },
  { emoji: '🐟', name: 'fish' }, { emoji: '🐙', name: 'octopus' }, { emoji: '🦋', name: 'butterfly' }, { emoji: '🌷', name: 'tulip' },
  { emoji: '🌳', name: 'tree' }, { emoji: '🌵', name: 'cactus' }, { emoji: '🍄', name: 'mushroom' }, { emoji: '🌍', name: 'globe' },
  { emoji: '🌙', name: 'moon' }, { emoji: '☁️', name: 'cloud' }, { emoji: '🔥', name: 'fire' }, { emoji: '🍌', name: 'banana' },
  { emoji: '🍎', name: 'apple' }, { emoji: '🍓', name: 'strawberry' }, { emoji: '🌽', name: 'corn' }, { emoji: '🍕', name: 'pizza' },
  { emoji: '🎂', name: 'cake' }, { emoji: '❤️', name: 'heart' }, { emoji: '😀', name: 'smiley' }, { emoji: '🤖', name: 'robot' },
  { emoji: '🎩', name: 'hat' }, { emoji: '👓', name: 'glasses' }, { emoji: '🔧', name: 'wrench' }, { emoji: '🎅', name: 'santa' },
  { emoji: '👍', name: 'thumbs up' }, { emoji: '☂️', name: 'umbrella' }, { emoji: '⌛', name: 'hourglass' }, { emoji: '⏰', name: 'clock' },
  { emoji: '🎁', name: 'gift' }, { emoji: '💡', name: 'light bulb' }, { emoji: '📕', name: 'book' }, { emoji: '✏️', name: 'pencil' },
  { emoji: '📎', name: 'paperclip' }, { emoji: '✂️', name: 'scissors' }, { emoji: '🔒', name: 'lock' }, { emoji: '🔑', name: 'key' },
  { emoji: '🔨', name: 'hammer' }, { emoji: '☎️', name: 'telephone' }, { emoji: '🏁', name: 'flag' }, { emoji: '🚂', name: 'train' },
  { emoji: '🚲', name: 'bicycle' }, { emoji: '✈️', name: 'airplane' }, { emoji: '🚀', name: 'rocket' }, { emoji: '🏆', name: 'trophy' },
  { emoji: '⚽', name: 'ball' }, { emoji: '🎸', name: 'guitar' }, { emoji: '🎺', name: 'trumpet' }, { emoji: '🔔', name: 'bell' },
  { emoji: '⚓', name: 'anchor' }, { emoji: '🎧', name: 'headphones' }, { emoji: '📁', name: 'folder' }, { emoji: '📌', name: 'pin' },
];

export const SAS_SYMBOL_COUNT = 5;

export interface Sas {
  readonly symbols: readonly SasSymbol[];
  /** e.g. "🐶 dog · 🔑 key · ..." */
  readonly text: string;
}

/** Maps the first 30 bits of `sasBytes` (>= 4 bytes) to five symbols, most significant bits first. */
export function sasFromBytes(sasBytes: Uint8Array): Sas {
  if (sasBytes.length < 4) throw new RangeError('need at least 4 SAS bytes');
  let bits = 0;
  for (let i = 0; i < 4; i++) bits = bits * 256 + (sasBytes[i] as number);
  const symbols: SasSymbol[] = [];
  for (let k = 0; k < SAS_SYMBOL_COUNT; k++) {
    const index = Math.floor(bits / 2 ** (32 - 6 * (k + 1))) % 64;
    symbols.push(SAS_SYMBOLS[index] as SasSymbol);
  }
  return { symbols, text: symbols.map((s) => `${s.emoji} ${s.name}`).join(' · ') };
}
