#!/usr/bin/env node
/** `procpool-agent [--host H] [--port P] [--slots N]`; the token, when wanted, comes from $PROCPOOL_TOKEN. */
import { parseArgs } from "node:util";
import { startProcpoolAgent } from "./procpool-agent.js";

const { values } = parseArgs({ options: { host: { type: "string" }, port: { type: "string" }, slots: { type: "string" } } });
const agent = await startProcpoolAgent({
  host: values.host ?? "127.0.0.1",
  port: Number(values.port ?? 8791),
  slots: Number(values.slots ?? 4),
  ...(process.env["PROCPOOL_TOKEN"] ? { token: process.env["PROCPOOL_TOKEN"] } : {}),
});
process.stdout.write(`procpool agent at ${agent.url}\n`);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void agent.close().then(() => process.exit(0)));
