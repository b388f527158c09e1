/**
 * Property-based tests (fast-check) of the Dask wire decoder: random bytes, truncated frames,
 * absurd declared counts and lengths, malformed msgpack. Every input ends in a ProtocolError or a
 * decoded message (never another exception, a hang or a big allocation), and a peer that sends
 * garbage makes DaskComm.connect fail with a daskq error, not crash.
 */
import { createServer, type Server } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DaskComm, DaskqError, ProtocolError } from "../../src/index.js";
import { encodeFrames, FrameDecoder, MAX_MESSAGE_BYTES } from "../../src/scheduler/frames.js";
import { decodeMessage, encodeMessage } from "../../src/scheduler/msgpack-codec.js";

const u64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b;
};

const jsonWithoutProtoKeys = fc.jsonValue().filter((v) => !JSON.stringify(v).includes('"__proto__"'));

/** Feeds `bytes` in random-sized chunks; resolves the messages or the error. */
function feed(bytes: Uint8Array, cuts: readonly number[]): { messages: Buffer[][]; error: unknown } {
  const decoder = new FrameDecoder();
  const messages: Buffer[][] = [];
  let at = 0;
  try {
    for (const cut of [...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]) {
      messages.push(...decoder.push(Buffer.from(bytes.subarray(at, Math.max(at, cut)))));
      at = Math.max(at, cut);
    }
    return { messages, error: undefined };
  } catch (error) {
    return { messages, error };
  }
}

describe("wire decoder fuzzing (fast-check)", () => {
  it("random bytes in random chunks: messages or a ProtocolError, nothing else", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.array(fc.nat(600), { maxLength: 6 }), (bytes, cuts) => {
        const { messages, error } = feed(bytes, cuts);
        if (error !== undefined) expect(error).toBeInstanceOf(ProtocolError);
        for (const frames of messages) {
          try {
            decodeMessage(frames);
          } catch (e) {
            expect(e).toBeInstanceOf(ProtocolError);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("absurd declared counts and lengths (up to 2^64-1, a 10 GB frame) are refused at once, nothing allocated", () => {
    const before = process.memoryUsage().arrayBuffers;
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: BigInt(MAX_MESSAGE_BYTES) + 1n, max: 2n ** 64n - 1n }), (count, length) => {
        const claimsManyFrames = feed(Buffer.concat([u64(0n), u64(count < 70_000n ? 70_000n + count : count)]), []);
        expect(claimsManyFrames.error).toBeInstanceOf(ProtocolError);
        const claimsHugeFrame = feed(Buffer.concat([u64(0n), u64(1n), u64(length), Buffer.from("x")]), []);
        expect(claimsHugeFrame.error).toBeInstanceOf(ProtocolError);
      }),
      { numRuns: 1000 },
    );
    const tenGigabytes = feed(Buffer.concat([u64(0n), u64(1n), u64(10_000_000_000n)]), []);
    expect((tenGigabytes.error as Error).message).toMatch(/announces 10000000000 bytes; refusing/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(50_000_000);
  });

  it("truncated frames wait for more bytes; the complete prefix of a valid stream decodes exactly", () => {
    fc.assert(
      // msgpackr renames a `__proto__` key to `__proto_` on purpose (its prototype-pollution guard,
      // tested below), so such keys are left out of the round trip.
      fc.property(fc.array(jsonWithoutProtoKeys, { minLength: 1, maxLength: 4 }), fc.nat(), (values, cutSeed) => {
        const stream = Buffer.concat(values.map((v) => encodeFrames(encodeMessage(v))));
        const cut = cutSeed % (stream.length + 1);
        const decoder = new FrameDecoder();
        const first = decoder.push(stream.subarray(0, cut));
        const rest = decoder.push(stream.subarray(cut));
        const decoded = [...first, ...rest].map((frames) => decodeMessage(frames));
        expect(decoded).toEqual(values.map((v) => JSON.parse(JSON.stringify(v))));
      }),
      { numRuns: 300 },
    );
  });

  it("a `__proto__` key in a message never reaches an object's prototype", () => {
    const [decoded] = [...new FrameDecoder().push(encodeFrames(encodeMessage(JSON.parse('{"__proto__": {"polluted": 1}}'))))].map((f) => decodeMessage(f));
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("malformed msgpack in a well-framed message is a ProtocolError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        const frames = new FrameDecoder().push(encodeFrames([bytes]));
        expect(frames).toHaveLength(1);
        try {
          decodeMessage(frames[0] as Buffer[]);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("a peer that answers the handshake with garbage: connect fails with a daskq error, no crash", async () => {
    const sockets = new Set<import("node:net").Socket>();
    let reply = Buffer.alloc(0);
    const server: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.end(reply);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 256 }), async (bytes) => {
          reply = Buffer.from(bytes);
          const outcome = await DaskComm.connect(`tcp://127.0.0.1:${port}`, { timeoutMs: 3_000 }).then(
            (comm) => (comm.close(), "connected"),
            (error: unknown) => error,
          );
          expect(outcome).toBeInstanceOf(DaskqError);
        }),
        { numRuns: 50 },
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => server.close(r));
    }
  }, 120_000);
});
