// Cursor over hostile bytes for the group codecs: every read checks bounds and reports failure as
// a value (never throws); fields are copied so nothing aliases the caller's buffer.
import { decodeUtf8 } from '../bytes.ts';
import { readVarint } from '../protocol/wire.ts';

export class Reader {
  private offset: number;
  /** First problem met; reads after it return placeholders and the caller checks `error` once. */
  error: string | null = null;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
  ) {
    this.offset = start;
  }

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  /** Marks the input invalid (a value read was out of range). */
  reject(message: string): void {
    this.fail(message);
  }

  private fail(message: string): void {
    this.error ??= message;
    this.offset = this.bytes.length;
  }

  fixed(length: number, what: string): Uint8Array {
    if (this.error !== null || this.remaining < length) {
      this.fail(`${what} truncated`);
      return new Uint8Array(length);
    }
    const out = this.bytes.slice(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  byte(what: string): number {
    return this.fixed(1, what)[0] as number;
  }

  varint(what: string): number {
    if (this.error !== null) return 0;
    const r = readVarint(this.bytes, this.offset);
    if ('code' in r) {
      this.fail(`${what}: ${r.message}`);
      return 0;
    }
    this.offset = r.next;
    return r.value;
  }

  /** 2-byte big-endian length, then that many bytes of strict UTF-8. */
  string(maxBytes: number, what: string): string {
    const lenBytes = this.fixed(2, what);
    const len = ((lenBytes[0] as number) << 8) | (lenBytes[1] as number);
    if (len > maxBytes) {
      this.fail(`${what} longer than ${maxBytes} bytes`);
      return '';
    }
    const s = decodeUtf8(this.fixed(len, what));
    if (s === null) {
      this.fail(`${what} is not valid UTF-8`);
      return '';
    }
    return s;
  }

  /** Everything left. */
  rest(): Uint8Array {
    return this.fixed(this.remaining, 'rest');
  }

  /** The input must end here. */
  end(what: string): void {
    if (this.error === null && this.remaining !== 0) this.fail(`${this.remaining} trailing bytes after ${what}`);
  }
}
