/**
 * The DRMAA helper process: loads the DRMAA library, opens the one DRMAA session, and makes the
 * blocking DRMAA calls daskq asks for (see `helper-protocol.ts`). Started by `DrmaaHelper` with the
 * environment the library needs at process start (Grid Engine: `GLIBC_TUNABLES`, `SGE_ROOT`).
 *
 *   node drmaa-helper-main.js <library path> [<contact>]
 */
import { createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { DrmaaAction } from "./drmaa-constants.js";
import { loadDrmaaLibrary, LibraryLoadError } from "./drmaa-library.js";
import { DrmaaCallError, DrmaaSession } from "./drmaa-session.js";
import type { HelperFailure, HelperRequest, HelperResponse } from "./helper-protocol.js";

const answers = createWriteStream("", { fd: 3 });
const send = (response: HelperResponse) => answers.write(`${JSON.stringify(response)}\n`);

function failure(error: unknown): HelperFailure {
  if (error instanceof DrmaaCallError) return { message: error.message, call: error.call, errno: error.errno };
  if (error instanceof LibraryLoadError) return { message: error.message, load: true };
  return { message: error instanceof Error ? error.message : String(error) };
}

function handle(session: DrmaaSession, request: HelperRequest): unknown {
  switch (request.op) {
    case "runBulkJobs":
      return session.runBulkJobs(request.template, request.count);
    case "jobPs":
      return session.jobPs(request.ids);
    case "control":
      return session.control(request.ids, request.action ?? DrmaaAction.TERMINATE);
    case "exit":
      session.exit();
      return null;
  }
}

function main(): void {
  // Ctrl-C reaches the whole process group, this helper too: daskq then still needs it to cancel the
  // jobs. It ends when daskq says so or goes away (its stdin closes).
  process.on("SIGINT", () => undefined);
  const [libraryPath, contact] = process.argv.slice(2);
  let session: DrmaaSession;
  try {
    if (!libraryPath) throw new Error("usage: drmaa-helper-main <library path> [<contact>]");
    const library = loadDrmaaLibrary(libraryPath);
    session = new DrmaaSession(library);
    session.init(contact || null);
    send({ id: 0, result: { library: libraryPath, pid: process.pid } });
  } catch (error) {
    send({ id: 0, error: failure(error) });
    answers.end(() => process.exit(1));
    return;
  }
  const lines = createInterface({ input: process.stdin });
  lines.on("line", (line) => {
    let request: HelperRequest;
    try {
      request = JSON.parse(line) as HelperRequest;
    } catch {
      return;
    }
    try {
      send({ id: request.id, result: handle(session, request) });
    } catch (error) {
      send({ id: request.id, error: failure(error) });
    }
    if (request.op === "exit") answers.end(() => process.exit(0));
  });
  // daskq went away without saying goodbye: end the session anyway (its jobs stay in the batch system).
  lines.on("close", () => {
    try {
      session.exit();
    } catch {
      // the session may already be closed
    }
    answers.end(() => process.exit(0));
  });
}

main();
