import { createServer, type AddressInfo } from "node:net";

/** A TCP port that was free on `host` a moment ago (for a test's scheduler, an emulated task's port, a private sshd). */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
