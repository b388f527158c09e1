import { Packr, Unpackr } from "msgpackr";
import { ProtocolError } from "../errors.js";

/**
 * msgpack settings that Python's distributed accepts: no msgpackr records, `undefined` as nil,
 * and on decoding plain objects (tuple keys in newer schedulers' metrics are stringified).
 */
const packr = new Packr({ useRecords: false, encodeUndefinedAsNil: true, variableMapSize: true });
const unpackr = new Unpackr({
  useRecords: false,
  mapsAsObjects: true,
  allowArraysInMapKeys: true,
  int64AsType: "number",
});

/** A value the peer serialized with pickle or a custom serializer; daskq never unpickles. */
export interface OpaqueValue {
  readonly opaque: "serialized" | "pickled";
  readonly frame: number;
}

/** Encodes one Dask message into its frames (daskq only ever sends plain msgpack). */
export function encodeMessage(message: unknown): Buffer[] {
  return [packr.pack(message)];
}

/** Decodes the frames of one Dask message, replacing Dask's marker maps with JS values. */
export function decodeMessage(frames: readonly Buffer[]): unknown {
  const first = frames[0];
  if (!first) throw new ProtocolError("message without frames");
  let value: unknown;
  try {
    value = unpackr.unpack(first);
  } catch (error) {
    throw new ProtocolError(`undecodable msgpack frame (${first.length} bytes)`, { cause: error });
  }
  return replaceMarkers(value);
}

function replaceMarkers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(replaceMarkers);
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return value;
  const record = value as Record<string, unknown>;
  if (record["__Set__"] === true && Array.isArray(record["as-list"])) return record["as-list"].map(replaceMarkers);
  if (typeof record["__Serialized__"] === "number") return { opaque: "serialized", frame: record["__Serialized__"] };
  if (typeof record["__Pickled__"] === "number") return { opaque: "pickled", frame: record["__Pickled__"] };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) out[k] = replaceMarkers(v);
  return out;
}
