import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { connect } from "node:net";
import type { Duplex } from "node:stream";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const PROTOCOL = "v4.channel.k8s.io";

/**
 * A pod's port-forward (`GET .../pods/{name}/portforward?ports=P` upgraded to a WebSocket) as
 * the Kubernetes API server EMULATOR serves it: the WebSocket handshake and framing of RFC 6455
 * (server frames unmasked, client frames masked), sub-protocol `v4.channel.k8s.io`, and the
 * port-forward channels of the kubelet's streaming server (kubernetes/kubernetes
 * pkg/kubelet/cri/streaming/portforward/websocket.go; @kubernetes/client-node portforward.ts):
 * each binary frame starts with its channel byte, channel 0 carries the data and channel 1 the
 * errors, and the first frame of each channel is the port as uint16 little-endian. The data go to
 * 127.0.0.1:P (every pod's IP), ONE TCP connection per WebSocket.
 */
export function servePortForward(request: IncomingMessage, socket: Duplex, port: number): void {
  const key = request.headers["sec-websocket-key"];
  const offered = String(request.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
  if (typeof key !== "string" || !offered.includes(PROTOCOL)) {
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\nport-forward needs a WebSocket upgrade with the ${PROTOCOL} protocol\n`);
    return;
  }
  const accept = createHash("sha1").update(key + GUID).digest("base64");
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ${PROTOCOL}\r\n\r\n`);
  const portBytes = Buffer.from([port & 0xff, port >> 8]);
  const send = (opcode: number, payload: Buffer) => {
    if (!socket.writable) return;
    const length = payload.length;
    const header = length < 126 ? Buffer.from([0x80 | opcode, length]) : length < 65536 ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff]) : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigEndian64(length)]);
    socket.write(Buffer.concat([header, payload]));
  };
  const channel = (number: number, data: Buffer) => send(2, Buffer.concat([Buffer.from([number]), data]));
  channel(0, portBytes);
  channel(1, portBytes);

  const target = connect(port, "127.0.0.1");
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    send(8, Buffer.from([0x03, 0xe8]));
    socket.end();
    target.destroy();
  };
  target.on("data", (data: Buffer) => channel(0, data));
  target.on("error", (error) => {
    channel(1, Buffer.from(`error forwarding port ${port} to pod: ${error.message}`));
    close();
  });
  target.on("close", close);

  let buffered = Buffer.alloc(0);
  /** The fragments of a data message not finished yet (a message may span frames: opcode 0 continues it). */
  let fragments: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      const frame = readFrame(buffered);
      if (!frame) return;
      buffered = buffered.subarray(frame.size);
      if (frame.opcode === 8) return close();
      if (frame.opcode === 9) send(10, frame.payload);
      if (frame.opcode !== 0 && frame.opcode !== 1 && frame.opcode !== 2) continue;
      fragments.push(frame.payload);
      if (!frame.fin) continue;
      const message = Buffer.concat(fragments);
      fragments = [];
      if (message[0] === 0 && message.length > 1) target.write(message.subarray(1));
    }
  });
  socket.on("close", close);
  socket.on("error", close);
}

/** One complete client frame at the start of `data` (masked, as RFC 6455 requires of clients), or undefined. */
function readFrame(data: Buffer): { fin: boolean; opcode: number; payload: Buffer; size: number } | undefined {
  if (data.length < 2) return undefined;
  const fin = ((data[0] as number) & 0x80) !== 0;
  const opcode = (data[0] as number) & 0x0f;
  const masked = ((data[1] as number) & 0x80) !== 0;
  let length = (data[1] as number) & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (data.length < 4) return undefined;
    length = data.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (data.length < 10) return undefined;
    length = Number(data.readBigUInt64BE(2));
    offset = 10;
  }
  const maskAt = offset;
  if (masked) offset += 4;
  if (data.length < offset + length) return undefined;
  const payload = Buffer.from(data.subarray(offset, offset + length));
  if (masked) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (data[maskAt + (i % 4)] as number);
  return { fin, opcode, payload, size: offset + length };
}

function bigEndian64(value: number): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64BE(BigInt(value));
  return buffer;
}
