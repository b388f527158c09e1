import { ProtocolError } from "../errors.js";

/**
 * Refuse absurd frame counts or sizes instead of waiting for (and buffering) them. daskq only
 * exchanges control messages with the scheduler (identity with thousands of workers is a few MB),
 * so a message that announces more than 1 GiB is broken or hostile.
 */
export const MAX_FRAMES = 1 << 16;
export const MAX_MESSAGE_BYTES = 2 ** 30;

/**
 * Encodes frames the way distributed's TCP comm does:
 * `u64 L | u64 n | u64 len[0..n-1] | frame0 | frame1 ...`, little-endian, L = bytes after the first 8.
 */
export function encodeFrames(frames: readonly Uint8Array[]): Buffer {
  const header = Buffer.alloc(8 * (2 + frames.length));
  const payload = frames.reduce((sum, f) => sum + f.byteLength, 0);
  header.writeBigUInt64LE(BigInt(header.length - 8 + payload), 0);
  header.writeBigUInt64LE(BigInt(frames.length), 8);
  frames.forEach((f, i) => header.writeBigUInt64LE(BigInt(f.byteLength), 16 + 8 * i));
  return Buffer.concat([header, ...frames]);
}

/**
 * Incremental decoder for the framing above. It never trusts L (newer distributed versions may
 * count only part of the frames in it): it reads n and the n lengths, then sum(len) bytes.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** Adds received bytes and returns every message (a list of frames) now complete. */
  push(chunk: Buffer): Buffer[][] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const messages: Buffer[][] = [];
    for (;;) {
      const message = this.next();
      if (!message) return messages;
      messages.push(message);
    }
  }

  private next(): Buffer[] | undefined {
    if (this.buffered < 16) return undefined;
    const head = this.peek(16);
    const count = toSafeNumber(head.readBigUInt64LE(8));
    if (count > MAX_FRAMES) throw new ProtocolError(`message announces ${count} frames; refusing`);
    const headerSize = 16 + 8 * count;
    if (this.buffered < headerSize) return undefined;
    const header = this.peek(headerSize);
    const lengths: number[] = [];
    for (let i = 0; i < count; i++) lengths.push(toSafeNumber(header.readBigUInt64LE(16 + 8 * i)));
    const total = lengths.reduce((a, b) => a + b, 0);
    if (total > MAX_MESSAGE_BYTES) throw new ProtocolError(`message announces ${total} bytes; refusing`);
    if (this.buffered < headerSize + total) return undefined;
    const all = this.take(headerSize + total);
    const frames: Buffer[] = [];
    let offset = headerSize;
    for (const length of lengths) {
      frames.push(all.subarray(offset, offset + length));
      offset += length;
    }
    return frames;
  }

  private peek(n: number): Buffer {
    if (this.chunks.length > 1 && (this.chunks[0]?.length ?? 0) < n) this.chunks = [Buffer.concat(this.chunks)];
    return (this.chunks[0] as Buffer).subarray(0, n);
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return all.subarray(0, n);
  }
}

function toSafeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ProtocolError(`length ${value} is too large`);
  return Number(value);
}
