import { DRMAA_BUFFER, DRMAA_TIMEOUT_NO_WAIT, DrmaaAttribute, DrmaaErrno, DrmaaPs } from "./drmaa-constants.js";
import { cString, errorBuffer, type DrmaaLibrary, type Pointer } from "./drmaa-library.js";
import type { JobExit, JobPsAnswer, JobTemplate } from "./helper-protocol.js";

/** A DRMAA call returned an error: the function, its errno and the library's own message. */
export class DrmaaCallError extends Error {
  constructor(
    readonly call: string,
    readonly errno: number,
    readonly diagnosis: string,
  ) {
    super(`${call} failed: ${diagnosis}`);
  }
}

/**
 * The one DRMAA session of a process (DRMAA allows one), over a loaded library. Synchronous: it
 * lives in the DRMAA helper process, whose only job is to make these blocking calls.
 */
export class DrmaaSession {
  /** Final answers of jobs reaped with drmaa_wait: DRMAA forgets them, this session does not. */
  private readonly ended = new Map<string, JobPsAnswer>();

  constructor(private readonly lib: DrmaaLibrary) {}

  /** `drmaa_init(contact)`; a null contact is the library's default system. */
  init(contact: string | null): void {
    this.check("drmaa_init", (err) => this.lib.init(contact, err, DRMAA_BUFFER));
  }

  /** `drmaa_exit`: ends the session (jobs keep running in the batch system). */
  exit(): void {
    this.check("drmaa_exit", (err) => this.lib.exit(err, DRMAA_BUFFER));
  }

  /**
   * Submits `count` jobs of `template` in ONE `drmaa_run_bulk_jobs(1, count, 1)` call and returns
   * their ids in index order (`drmaa_get_next_job_id` until `DRMAA_ERRNO_NO_MORE_ELEMENTS`).
   */
  runBulkJobs(template: JobTemplate, count: number): string[] {
    const jt = this.allocateTemplate(template);
    try {
      const ids: [Pointer] = [null];
      this.check("drmaa_run_bulk_jobs", (err) => this.lib.runBulkJobs(ids, jt, 1, count, 1, err, DRMAA_BUFFER));
      const value = Buffer.alloc(DRMAA_BUFFER);
      const result: string[] = [];
      try {
        while (this.lib.getNextJobId(ids[0], value, DRMAA_BUFFER) === DrmaaErrno.SUCCESS) result.push(cString(value));
      } finally {
        this.lib.releaseJobIds(ids[0]);
      }
      return result;
    } finally {
      this.lib.deleteJobTemplate(jt, errorBuffer(), DRMAA_BUFFER);
    }
  }

  /**
   * `drmaa_job_ps` for each id, one after the other (DRMAA has no call for many jobs). A job that
   * ended (DONE or FAILED) is reaped at once with `drmaa_wait(NO_WAIT)` for its exit status, and
   * answered from memory afterwards. A failed call is that id's answer, not an exception.
   */
  jobPs(ids: readonly string[]): Record<string, JobPsAnswer> {
    const answers: Record<string, JobPsAnswer> = {};
    const ps: [number] = [0];
    const err = errorBuffer();
    for (const id of ids) {
      const known = this.ended.get(id);
      if (known) {
        answers[id] = known;
        continue;
      }
      const errno = this.lib.jobPs(id, ps, err, DRMAA_BUFFER);
      if (errno !== DrmaaErrno.SUCCESS) {
        answers[id] = { errno, message: this.message(errno, err) };
        continue;
      }
      if (ps[0] === DrmaaPs.DONE || ps[0] === DrmaaPs.FAILED) {
        const answer = { ps: ps[0], ...this.reap(id) };
        this.ended.set(id, answer);
        answers[id] = answer;
      } else {
        answers[id] = { ps: ps[0] };
      }
    }
    return answers;
  }

  /** `drmaa_control(id, action)` for each id; the failures, by id (unknown ids included). */
  control(ids: readonly string[], action: number): Record<string, { errno: number; message: string }> {
    const failures: Record<string, { errno: number; message: string }> = {};
    const err = errorBuffer();
    for (const id of ids) {
      const errno = this.lib.control(id, action, err, DRMAA_BUFFER);
      if (errno !== DrmaaErrno.SUCCESS) failures[id] = { errno, message: this.message(errno, err) };
    }
    return failures;
  }

  /** How an ended job ended, from `drmaa_wait(NO_WAIT)`; empty when DRMAA cannot say. */
  private reap(id: string): { exit?: JobExit } {
    const err = errorBuffer();
    const stat: [number] = [0];
    const out = Buffer.alloc(DRMAA_BUFFER);
    if (this.lib.wait(id, out, DRMAA_BUFFER, stat, DRMAA_TIMEOUT_NO_WAIT, null, err, DRMAA_BUFFER) !== DrmaaErrno.SUCCESS) return {};
    const flag: [number] = [0];
    if (this.lib.wifexited(flag, stat[0], err, DRMAA_BUFFER) === DrmaaErrno.SUCCESS && flag[0] !== 0) {
      const code: [number] = [0];
      if (this.lib.wexitstatus(code, stat[0], err, DRMAA_BUFFER) === DrmaaErrno.SUCCESS) return { exit: { exitCode: code[0] } };
    }
    if (this.lib.wifsignaled(flag, stat[0], err, DRMAA_BUFFER) === DrmaaErrno.SUCCESS && flag[0] !== 0) {
      const signal = Buffer.alloc(DRMAA_BUFFER);
      if (this.lib.wtermsig(signal, DRMAA_BUFFER, stat[0], err, DRMAA_BUFFER) === DrmaaErrno.SUCCESS) return { exit: { signal: cString(signal) } };
    }
    return { exit: {} };
  }

  private allocateTemplate(template: JobTemplate): Pointer {
    const holder: [Pointer] = [null];
    this.check("drmaa_allocate_job_template", (err) => this.lib.allocateJobTemplate(holder, err, DRMAA_BUFFER));
    const jt = holder[0];
    try {
      const set = (name: string, value: string) =>
        this.check(`drmaa_set_attribute(${name})`, (err) => this.lib.setAttribute(jt, name, value, err, DRMAA_BUFFER));
      const setVector = (name: string, values: readonly string[]) =>
        this.check(`drmaa_set_vector_attribute(${name})`, (err) => this.lib.setVectorAttribute(jt, name, [...values, null], err, DRMAA_BUFFER));
      set(DrmaaAttribute.REMOTE_COMMAND, template.remoteCommand);
      if (template.args.length > 0) setVector(DrmaaAttribute.V_ARGV, template.args);
      const env = Object.entries(template.env).map(([k, v]) => `${k}=${v}`);
      if (env.length > 0) setVector(DrmaaAttribute.V_ENV, env);
      set(DrmaaAttribute.JOB_NAME, template.jobName);
      set(DrmaaAttribute.OUTPUT_PATH, template.outputPath);
      set(DrmaaAttribute.JOIN_FILES, "y");
      if (template.workingDirectory !== undefined) set(DrmaaAttribute.WD, template.workingDirectory);
      if (template.nativeSpecification !== "") set(DrmaaAttribute.NATIVE_SPECIFICATION, template.nativeSpecification);
      return jt;
    } catch (error) {
      this.lib.deleteJobTemplate(jt, errorBuffer(), DRMAA_BUFFER);
      throw error;
    }
  }

  /** Runs `call` with a fresh error buffer; a non-zero errno becomes a DrmaaCallError. */
  private check(name: string, call: (err: Buffer) => number): void {
    const err = errorBuffer();
    const errno = call(err);
    if (errno !== DrmaaErrno.SUCCESS) throw new DrmaaCallError(name, errno, this.message(errno, err));
  }

  /** The library's diagnosis, or `drmaa_strerror` when it wrote none. */
  private message(errno: number, err: Buffer): string {
    const said = cString(err).trim();
    const generic = this.lib.strerror(errno) ?? `DRMAA error ${errno}`;
    err.fill(0);
    return said || generic;
  }
}
