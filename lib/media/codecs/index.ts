import { av1Rules } from './av1.ts';
import { h264Rules } from './h264.ts';
import { opusRules } from './opus.ts';
import type { CodecName, CodecRules } from './types.ts';
import { vp8Rules } from './vp8.ts';
import { vp9Rules } from './vp9.ts';

export type { CodecName, CodecRules, Piece } from './types.ts';

const RULES: Record<CodecName, CodecRules> = {
  vp8: vp8Rules,
  vp9: vp9Rules,
  av1: av1Rules,
  h264: h264Rules,
  opus: opusRules,
};

export function rulesFor(codec: CodecName): CodecRules {
  return RULES[codec];
}

/**
 * Maps an RTP mime type ("video/VP8", "audio/opus", ...) to a codec with clear-byte rules.
 * Anything else (audio/red, video/H265, audio/PCMU, video/rtx, ...) returns null: fail closed.
 */
export function codecFromMimeType(mimeType: string): CodecName | null {
  switch (mimeType.toLowerCase()) {
    case 'video/vp8':
      return 'vp8';
    case 'video/vp9':
      return 'vp9';
    case 'video/av1':
      return 'av1';
    case 'video/h264':
      return 'h264';
    case 'audio/opus':
      return 'opus';
    default:
      return null;
  }
}
