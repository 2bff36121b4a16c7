/**
 * Says what each text the chat server relayed is, by decoding it with Veil's own parsers (query
 * line, armor, fragments, wire messages) — the same view the platform has: nothing is decrypted.
 * The one inference is the key confirmation, which the protocol defines by position: the first
 * ratchet message of the side that received a valid reveal, on a new ratchet key, with the
 * smallest padded size (docs/protocol.md, "Responder's key confirmation").
 */
import { Reassembler, findArmor, parseQuery } from '../../lib/armor/index.ts';
import { bytesToHex } from '../../lib/bytes.ts';
import { decodeWireMessage, paddedLength, TAG_BYTES, type WireMessage } from '../../lib/protocol/index.ts';

export type RelayKind = 'query' | 'key-agreement' | 'key-confirmation' | 'message' | 'prekey' | 'plain' | 'damaged';

export interface RelayedText {
  from: string;
  text: string;
}

export interface LabeledText extends RelayedText {
  kind: RelayKind;
  /** Plain words: what this text is. */
  label: string;
  /** Set for one part of a long message: "part k of n". */
  part?: { index: number; count: number };
}

const short = (bytes: Uint8Array): string => `${bytesToHex(bytes.subarray(0, 4))}…`;

/** A ratchet message whose body is the smallest padded size: an empty body (or 0–4 bytes of text). */
const smallestCiphertext = paddedLength(0) + TAG_BYTES;

interface Labeler {
  /** Ratchet keys seen so far, per sender. */
  keys: Map<string, Set<string>>;
  /** Who sent the last reveal whose session the other side has not confirmed yet. */
  revealedBy: string | null;
  /** Encrypted messages counted per sender. */
  counts: Map<string, number>;
}

function describeWire(l: Labeler, from: string, wire: WireMessage): { kind: RelayKind; label: string } {
  switch (wire.type) {
    case 'commit':
      return { kind: 'key-agreement', label: `key agreement, step 1 of 3 (commit): a hash that binds ${from} to a fresh key before seeing the other side's` };
    case 'reply':
      return { kind: 'key-agreement', label: `key agreement, step 2 of 3 (reply): ${from}'s identity key ${short(wire.identity)} and a fresh key ${short(wire.ephemeral)}` };
    case 'reveal':
      // The other side answers a valid reveal with the key confirmation.
      l.revealedBy = from;
      return {
        kind: 'key-agreement',
        label: `key agreement, step 3 of 3 (reveal): ${from}'s identity key ${short(wire.identity)}, the committed fresh key ${short(wire.ephemeral)} and a MAC over the whole exchange`,
      };
    case 'prekey-bundle':
      return { kind: 'prekey', label: `prekey bundle: ${from}'s identity key ${short(wire.identity)} and a signed prekey, so a contact can start while ${from} is offline` };
    case 'prekey-message':
    case 'ratchet': {
      const key = bytesToHex(wire.header.dh);
      const seen = l.keys.get(from) ?? new Set<string>();
      const newKey = !seen.has(key);
      seen.add(key);
      l.keys.set(from, seen);
      const header = `ratchet key ${short(wire.header.dh)}, message ${wire.header.n} on it`;
      if (
        wire.type === 'ratchet' &&
        l.revealedBy !== null &&
        l.revealedBy !== from &&
        newKey &&
        wire.header.n === 0 &&
        wire.ciphertext.length === smallestCiphertext
      ) {
        l.revealedBy = null;
        return { kind: 'key-confirmation', label: `key confirmation: ${from}'s automatic first encrypted message on the new session, empty (${header})` };
      }
      const n = (l.counts.get(from) ?? 0) + 1;
      l.counts.set(from, n);
      const start = wire.type === 'prekey-message' ? ', also starting a session from a prekey' : '';
      return { kind: 'message', label: `encrypted message ${n} from ${from} (${header}; ${wire.ciphertext.length} bytes of ciphertext${start})` };
    }
  }
}

/** Labels every relayed text, in order. Fragments are reassembled first, so each part names its message. */
export function labelRelayed(texts: readonly RelayedText[]): LabeledText[] {
  // Pass 1: reassemble long messages (the relay holds every part).
  const reassembler = new Reassembler();
  const whole = new Map<string, Uint8Array>();
  for (const t of texts) {
    const f = findArmor(t.text)[0];
    if (f?.result.ok && f.result.value.kind === 'fragment') {
      const r = reassembler.add(f.result.value, 0, t.from);
      if (r.status === 'complete') whole.set(`${t.from}\n${r.id}`, r.bytes);
    }
  }
  // Pass 2: label in relay order; a long message is described at its first part.
  const l: Labeler = { keys: new Map(), revealedBy: null, counts: new Map() };
  const described = new Map<string, { kind: RelayKind; label: string }>();
  return texts.map((t): LabeledText => {
    const findings = findArmor(t.text);
    const query = parseQuery(t.text);
    if (query && (findings.length === 0 || query.start < findings[0]!.start)) {
      return { ...t, kind: 'query', label: `query line: asks the other side's Veil to start encryption (protocol v${query.versions.join(', v')}), in plain words for anyone without Veil` };
    }
    const f = findings[0];
    if (!f) return { ...t, kind: 'plain', label: 'plain text (not from Veil): readable by the server' };
    if (!f.result.ok) return { ...t, kind: 'damaged', label: `damaged Veil text (${f.result.error.code})` };
    const payload = f.result.value;
    if (payload.kind === 'whole') {
      const wire = decodeWireMessage(payload.bytes);
      return wire.ok ? { ...t, ...describeWire(l, t.from, wire.value) } : { ...t, kind: 'damaged', label: `damaged Veil message (${wire.error.code})` };
    }
    const part = { index: payload.index + 1, count: payload.count };
    const id = `${t.from}\n${payload.id}`;
    let message = described.get(id);
    if (!message) {
      const bytes = whole.get(id);
      const wire = bytes ? decodeWireMessage(bytes) : null;
      message = wire?.ok ? describeWire(l, t.from, wire.value) : { kind: 'damaged', label: 'a message whose other parts never arrived' };
      described.set(id, message);
    }
    return { ...t, kind: message.kind, part, label: `part ${part.index} of ${part.count} (id ${payload.id}) of ${message.label}` };
  });
}
