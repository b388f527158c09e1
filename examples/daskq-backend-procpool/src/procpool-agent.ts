import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, closeSync, openSync, writeFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TASK_INDEX_VARIABLE, type AgentJob, type AgentJobState, type CancelBody, type SubmitBody } from "./procpool-api.js";

/** Options of {@link startProcpoolAgent}. */
export interface AgentOptions {
  /** Address to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** Port; default 0 (any free port). */
  readonly port?: number;
  /** Jobs running at once; the others wait. Default 4. */
  readonly slots?: number;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  readonly token?: string;
}

/** A running agent. */
export interface RunningAgent {
  /** Its base URL, e.g. `http://127.0.0.1:8791`. */
  readonly url: string;
  /** Kills every job it runs, stops listening and removes its files. */
  close(): Promise<void>;
}

/** One job of the agent. */
interface PoolJob {
  readonly id: string;
  readonly index: number;
  readonly batch: { readonly script: string; readonly maxRunning: number; running: number };
  state: AgentJobState;
  exitCode?: number;
  process?: ChildProcess;
  /** Cancelled: it ends as `killed`, whatever its exit code. */
  cancelled?: boolean;
}

/**
 * A tiny process pool behind HTTP (the API of `procpool-api.ts`): a site runs it on a machine, and
 * the procpool backend runs its worker jobs there. Each job is its script run as a process of its
 * own group, with stdout and stderr kept in a file; at most `slots` run at once.
 */
export async function startProcpoolAgent(options: AgentOptions = {}): Promise<RunningAgent> {
  const directory = await mkdtemp(join(tmpdir(), "procpool-agent-"));
  const slots = options.slots ?? 4;
  const jobs = new Map<string, PoolJob>();
  let nextId = 1;
  const outputFile = (id: string) => join(directory, `${id}.out`);

  const start = (job: PoolJob) => {
    job.state = "running";
    job.batch.running++;
    const script = join(directory, `${job.id}.sh`);
    writeFileSync(script, job.batch.script, { mode: 0o700 });
    const output = openSync(outputFile(job.id), "a");
    const child = spawn(script, [], { detached: true, stdio: ["ignore", output, output], env: { ...process.env, [TASK_INDEX_VARIABLE]: String(job.index) } });
    closeSync(output);
    job.process = child;
    const ended = (state: AgentJobState, exitCode?: number) => {
      if (job.state !== "running") return;
      job.state = job.cancelled ? "killed" : state;
      if (exitCode !== undefined) job.exitCode = exitCode;
      job.batch.running--;
      schedule();
    };
    child.on("error", (error) => {
      appendFileSync(outputFile(job.id), `procpool-agent: could not start the job: ${error.message}\n`);
      ended("failed");
    });
    child.on("exit", (code) => ended(code === 0 ? "done" : "failed", code ?? undefined));
  };

  /** Starts waiting jobs while there are free slots, in submission order. */
  const schedule = () => {
    let running = [...jobs.values()].filter((j) => j.state === "running").length;
    for (const job of jobs.values()) {
      if (running >= slots) return;
      if (job.state !== "waiting" || job.batch.running >= job.batch.maxRunning) continue;
      running++;
      start(job);
    }
  };

  const kill = (job: PoolJob) => {
    job.cancelled = true;
    if (job.state === "waiting") job.state = "killed";
    if (job.state !== "running" || !job.process?.pid) return;
    const group = -job.process.pid;
    job.process.kill("SIGTERM");
    signalGroup(group, "SIGTERM");
    setTimeout(() => signalGroup(group, "SIGKILL"), 3000).unref();
  };

  const routes = async (request: IncomingMessage, url: URL): Promise<[number, unknown]> => {
    if (request.method === "POST" && url.pathname === "/jobs") {
      const body = (await readJson(request)) as SubmitBody;
      if (typeof body.script !== "string" || !Number.isInteger(body.count) || body.count < 1) return [400, { message: "expected {script: string, count: positive integer}" }];
      const batch = { script: body.script, maxRunning: body.maxRunning ?? body.count, running: 0 };
      const ids: string[] = [];
      for (let index = 0; index < body.count; index++) {
        const id = String(nextId++);
        jobs.set(id, { id, index, batch, state: "waiting" });
        ids.push(id);
      }
      schedule();
      return [201, { ids }];
    }
    if (request.method === "GET" && url.pathname === "/jobs") {
      const ids = (url.searchParams.get("ids") ?? "").split(",");
      const known = ids.flatMap((id) => {
        const job = jobs.get(id);
        return job ? [{ id, state: job.state, ...(job.exitCode === undefined ? {} : { exitCode: job.exitCode }) } satisfies AgentJob] : [];
      });
      return [200, { jobs: known }];
    }
    if (request.method === "POST" && url.pathname === "/jobs/cancel") {
      const body = (await readJson(request)) as CancelBody;
      for (const id of body.ids ?? []) {
        const job = jobs.get(id);
        if (job) kill(job);
      }
      return [200, {}];
    }
    const output = /^\/jobs\/([^/]+)\/output$/.exec(url.pathname);
    if (request.method === "GET" && output) {
      const id = decodeURIComponent(output[1] as string);
      if (!jobs.has(id)) return [404, { message: `no job ${id}` }];
      return [200, await readFile(outputFile(id), "utf8").catch(() => "")];
    }
    return [404, { message: `no route ${request.method} ${url.pathname}` }];
  };

  const server = createServer((request, response) => {
    if (options.token && request.headers.authorization !== `Bearer ${options.token}`) return reply(response, 401, { message: "a bearer token is required" });
    routes(request, new URL(request.url ?? "/", "http://agent")).then(
      ([status, body]) => reply(response, status, body),
      (error: Error) => reply(response, 400, { message: error.message }),
    );
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(":") ? `[${address}]` : address}:${port}`,
    async close() {
      for (const job of jobs.values()) kill(job);
      for (const job of jobs.values()) if (job.process?.pid) signalGroup(-job.process.pid, "SIGKILL");
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(group, signal);
  } catch {
    // The group has ended already.
  }
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  let text = "";
  for await (const chunk of request) text += chunk;
  return JSON.parse(text);
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  response.writeHead(status, { "content-type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json" });
  response.end(text);
}
