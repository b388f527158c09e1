import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { encodeFrames } from "../../src/scheduler/frames.js";
import { encodeMessage } from "../../src/scheduler/msgpack-codec.js";
import { DaskComm, ProtocolError, RpcClient, TimeoutError } from "../../src/index.js";

/** A peer that answers the handshake and then never replies (or says nothing at all). */
function silentPeer(handshake: boolean): Promise<{ address: string; server: net.Server }> {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => {
      if (handshake) socket.write(encodeFrames(encodeMessage({ compression: null, python: [3, 11, 0], "pickle-protocol": 5 })));
      socket.on("error", () => {});
    });
    server.listen(0, "127.0.0.1", () => resolve({ address: `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`, server }));
  });
}

describe("timeouts and connection failures", () => {
  const servers: net.Server[] = [];
  afterEach(() => servers.splice(0).forEach((s) => s.close()));

  it("times out a connect whose peer never sends a handshake", async () => {
    const { address, server } = await silentPeer(false);
    servers.push(server);
    const started = Date.now();
    await expect(DaskComm.connect(address, { timeoutMs: 300 })).rejects.toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("times out a call that gets no reply, and does not reuse that connection", async () => {
    const { address, server } = await silentPeer(true);
    servers.push(server);
    const rpc = new RpcClient(address, { callTimeoutMs: 300 });
    const error = await rpc.call("identity").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toMatch(/\[daskq:protocol\] RPC 'identity' to tcp:\/\/127\.0\.0\.1:\d+ timed out after 300 ms/);
    expect(rpc.openConnections).toBe(0);
    rpc.close();
  });

  it("reports a refused connection as a protocol error naming the address", async () => {
    const { address, server } = await silentPeer(true);
    server.close();
    await new Promise((r) => setTimeout(r, 50));
    await expect(DaskComm.connect(address, { timeoutMs: 2000 })).rejects.toThrow(ProtocolError);
    await expect(DaskComm.connect(address, { timeoutMs: 2000 })).rejects.toThrow(new RegExp(`connection to ${address} failed: .*ECONNREFUSED`));
  });
});
