import { describe, expect, it } from "vitest";
import { FrameDecoder, encodeFrames } from "../../src/scheduler/frames.js";
import { decodeMessage, encodeMessage } from "../../src/scheduler/msgpack-codec.js";

// The exact bytes of {"op":"identity","reply":true} as distributed frames them (dask-protocol.md).
const IDENTITY_BYTES = Buffer.from(
  "240000000000000001000000000000001400000000000000" + "82a26f70a86964656e74697479a57265706c79c3",
  "hex",
);

describe("framing and msgpack", () => {
  it("encodes a message byte for byte like distributed", () => {
    expect(encodeFrames(encodeMessage({ op: "identity", reply: true }))).toEqual(IDENTITY_BYTES);
  });

  it("decodes messages split at every byte boundary and glued together", () => {
    const two = Buffer.concat([IDENTITY_BYTES, encodeFrames(encodeMessage({ n: 2 ** 40, s: ["a"] }))]);
    for (let cut = 1; cut < two.length; cut++) {
      const decoder = new FrameDecoder();
      const got = [...decoder.push(two.subarray(0, cut)), ...decoder.push(two.subarray(cut))];
      expect(got.map(decodeMessage)).toEqual([{ op: "identity", reply: true }, { n: 2 ** 40, s: ["a"] }]);
    }
  });

  it("does not size messages by L, which newer versions fill differently", () => {
    const bytes = Buffer.from(IDENTITY_BYTES);
    bytes.writeBigUInt64LE(8n, 0); // a wrong L must not matter
    expect(new FrameDecoder().push(bytes).map(decodeMessage)).toEqual([{ op: "identity", reply: true }]);
  });

  it("never emits msgpackr records or undefined as an extension", () => {
    const [frame] = encodeMessage({ a: undefined, b: [{ x: 1 }, { x: 2 }] });
    expect(frame?.includes(0xd4)).toBe(false); // fixext1 would be msgpackr's undefined
    expect(decodeMessage([frame as Buffer])).toEqual({ a: null, b: [{ x: 1 }, { x: 2 }] });
  });

  it("turns Dask's marker maps into plain values", () => {
    const [frame] = encodeMessage({ s: { __Set__: true, "as-list": [1, 2] }, e: { __Serialized__: 1 } });
    expect(decodeMessage([frame as Buffer])).toEqual({ s: [1, 2], e: { opaque: "serialized", frame: 1 } });
  });
});
