/**
 * Sliding replay window over frame counters (one per receive key), as in IPsec/SRTP.
 * check() before decrypting, mark() only after the tag verified, so forged frames cannot move
 * the window. Memory is fixed: size/32 words.
 */
export type ReplayVerdict = 'fresh' | 'replay' | 'too-old';

export class ReplayWindow {
  readonly size: number;
  private readonly bits: Uint32Array;
  private highest = -1;

  constructor(size = 1024) {
    if (!Number.isInteger(size) || size < 32 || size % 32 !== 0 || size > 1 << 16) {
      throw new RangeError('replay window size must be a multiple of 32 in [32, 65536]');
    }
    this.size = size;
    this.bits = new Uint32Array(size / 32);
  }

  check(counter: number): ReplayVerdict {
    if (counter > this.highest) return 'fresh';
    if (this.highest - counter >= this.size) return 'too-old';
    return this.get(counter) ? 'replay' : 'fresh';
  }

  mark(counter: number): void {
    if (counter > this.highest) {
      const advance = counter - this.highest;
      if (this.highest < 0 || advance >= this.size) {
        this.bits.fill(0);
      } else {
        for (let c = this.highest + 1; c < counter; c++) this.set(c, false);
      }
      this.highest = counter;
    }
    this.set(counter, true);
  }

  private get(counter: number): boolean {
    const slot = counter % this.size;
    return (((this.bits[slot >>> 5] ?? 0) >>> (slot & 31)) & 1) === 1;
  }

  private set(counter: number, on: boolean): void {
    const slot = counter % this.size;
    const word = slot >>> 5;
    const mask = 1 << (slot & 31);
    const cur = this.bits[word] ?? 0;
    this.bits[word] = on ? cur | mask : cur & ~mask;
  }
}
