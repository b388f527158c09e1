import type { Backend, BackendCapabilities, BackendDescriptor, JobStatus, LaunchedScheduler, SchedulerLaunchRequest, ScriptFormat, SubmitRequest } from "@daskq/core";

/** One backend operation a `CountingBackend` saw. */
export type BackendOperation =
  | { readonly op: "prepare" }
  | { readonly op: "submit"; readonly count: number; readonly ids: readonly string[] }
  | { readonly op: "status"; readonly ids: readonly string[] }
  | { readonly op: "cancel"; readonly ids: readonly string[] }
  | { readonly op: "logTail"; readonly id: string };

/**
 * A Backend that forwards to another one and records every BACKEND operation (prepare, submit,
 * status, cancel, logTail) with its ids, whatever the transport underneath: a command line, HTTP or
 * a C library. It proves "one status per poll, one submit per batch, one cancel on close".
 */
export class CountingBackend implements Backend {
  readonly operations: BackendOperation[] = [];
  /** The inner backend's `jobOfWorker`, present only when it has one (core then maps names itself). */
  readonly jobOfWorker?: (workerName: string) => string | undefined;

  /** The inner backend's `launchScheduler`, present only when it has one (`scheduler-placement: job`). */
  readonly launchScheduler?: (request: SchedulerLaunchRequest) => Promise<LaunchedScheduler>;

  constructor(readonly inner: Backend) {
    if (inner.jobOfWorker) this.jobOfWorker = (workerName) => inner.jobOfWorker?.(workerName);
    const launch = inner.launchScheduler?.bind(inner);
    if (launch) this.launchScheduler = launch;
  }

  /** A descriptor whose backends are wrapped; `onCreate` receives each wrapper. */
  static wrap(descriptor: BackendDescriptor, onCreate: (backend: CountingBackend) => void): BackendDescriptor {
    return {
      ...descriptor,
      create: (context) => {
        const backend = new CountingBackend(descriptor.create(context));
        onCreate(backend);
        return backend;
      },
    };
  }

  get name(): string {
    return this.inner.name;
  }

  get capabilities(): BackendCapabilities {
    return this.inner.capabilities;
  }

  get arrayIndex() {
    return this.inner.arrayIndex;
  }

  get script(): ScriptFormat | undefined {
    return this.inner.script;
  }

  /** The operations of one kind, in order. */
  of<K extends BackendOperation["op"]>(op: K): Array<Extract<BackendOperation, { op: K }>> {
    return this.operations.filter((o): o is Extract<BackendOperation, { op: K }> => o.op === op);
  }

  async prepare(): Promise<void> {
    this.operations.push({ op: "prepare" });
    await this.inner.prepare?.();
  }

  async submit(request: SubmitRequest): Promise<string[]> {
    const ids = await this.inner.submit(request);
    this.operations.push({ op: "submit", count: request.count, ids });
    return ids;
  }

  status(ids: readonly string[]): Promise<Map<string, JobStatus>> {
    this.operations.push({ op: "status", ids: [...ids] });
    return this.inner.status(ids);
  }

  cancel(ids: readonly string[]): Promise<void> {
    this.operations.push({ op: "cancel", ids: [...ids] });
    return this.inner.cancel(ids);
  }

  logTail(id: string, lines: number): Promise<string | undefined> {
    this.operations.push({ op: "logTail", id });
    return this.inner.logTail(id, lines);
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }
}
