import koffi from "koffi";
import { DRMAA_BUFFER } from "./drmaa-constants.js";

/** An opaque C pointer handed out by koffi. */
export type Pointer = unknown;

/**
 * The DRMAA 1.0 C functions daskq calls, bound with koffi. Every function returns a DRMAA errno
 * (0 = success) and writes its message into the `err` buffer (`DRMAA_BUFFER` bytes). These calls
 * block; they run only in the DRMAA helper process, never on daskq's event loop.
 * Signatures: Grid Engine `source/libs/japi/drmaa.h`.
 */
export interface DrmaaLibrary {
  /** The path the library was loaded from. */
  readonly path: string;
  init(contact: string | null, err: Buffer, errLen: number): number;
  exit(err: Buffer, errLen: number): number;
  allocateJobTemplate(jt: [Pointer], err: Buffer, errLen: number): number;
  deleteJobTemplate(jt: Pointer, err: Buffer, errLen: number): number;
  setAttribute(jt: Pointer, name: string, value: string, err: Buffer, errLen: number): number;
  /** `value` is a string array ending in `null` (a NULL-terminated `const char *[]`). */
  setVectorAttribute(jt: Pointer, name: string, value: (string | null)[], err: Buffer, errLen: number): number;
  runBulkJobs(ids: [Pointer], jt: Pointer, start: number, end: number, incr: number, err: Buffer, errLen: number): number;
  getNextJobId(ids: Pointer, value: Buffer, valueLen: number): number;
  releaseJobIds(ids: Pointer): void;
  jobPs(jobId: string, ps: [number], err: Buffer, errLen: number): number;
  control(jobId: string, action: number, err: Buffer, errLen: number): number;
  wait(jobId: string, jobIdOut: Buffer, jobIdOutLen: number, stat: [number], timeout: number, rusage: null, err: Buffer, errLen: number): number;
  wifexited(exited: [number], stat: number, err: Buffer, errLen: number): number;
  wexitstatus(status: [number], stat: number, err: Buffer, errLen: number): number;
  wifsignaled(signaled: [number], stat: number, err: Buffer, errLen: number): number;
  wtermsig(signal: Buffer, signalLen: number, stat: number, err: Buffer, errLen: number): number;
  strerror(errno: number): string;
}

/** The library could not be loaded (missing file, wrong architecture, unresolved symbols, static TLS). */
export class LibraryLoadError extends Error {}

const ERR = "char *err, size_t errLen";

// The opaque C types, declared once per process (koffi refuses a second declaration of a name).
koffi.opaque("drmaa_job_template_t");
koffi.opaque("drmaa_job_ids_t");

/**
 * Loads the DRMAA library at `path` and binds the DRMAA 1.0 functions daskq uses.
 *
 * @throws LibraryLoadError with the dynamic loader's message when the library cannot be loaded or
 *   lacks a DRMAA 1.0 function.
 */
export function loadDrmaaLibrary(path: string): DrmaaLibrary {
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load(path);
  } catch (error) {
    throw new LibraryLoadError((error as Error).message);
  }
  const bind = (signature: string) => {
    try {
      return lib.func(signature);
    } catch (error) {
      throw new LibraryLoadError(`not a DRMAA 1.0 library: ${(error as Error).message}`);
    }
  };
  return {
    path,
    init: bind(`int drmaa_init(const char *contact, ${ERR})`),
    exit: bind(`int drmaa_exit(${ERR})`),
    allocateJobTemplate: bind(`int drmaa_allocate_job_template(_Out_ drmaa_job_template_t **jt, ${ERR})`),
    deleteJobTemplate: bind(`int drmaa_delete_job_template(drmaa_job_template_t *jt, ${ERR})`),
    setAttribute: bind(`int drmaa_set_attribute(drmaa_job_template_t *jt, const char *name, const char *value, ${ERR})`),
    setVectorAttribute: bind(`int drmaa_set_vector_attribute(drmaa_job_template_t *jt, const char *name, const char **value, ${ERR})`),
    runBulkJobs: bind(`int drmaa_run_bulk_jobs(_Out_ drmaa_job_ids_t **ids, drmaa_job_template_t *jt, int start, int end, int incr, ${ERR})`),
    getNextJobId: bind(`int drmaa_get_next_job_id(drmaa_job_ids_t *ids, char *value, size_t valueLen)`),
    releaseJobIds: bind(`void drmaa_release_job_ids(drmaa_job_ids_t *ids)`),
    jobPs: bind(`int drmaa_job_ps(const char *jobId, _Out_ int *ps, ${ERR})`),
    control: bind(`int drmaa_control(const char *jobId, int action, ${ERR})`),
    wait: bind(`int drmaa_wait(const char *jobId, char *jobIdOut, size_t jobIdOutLen, _Out_ int *stat, long timeout, void *rusage, ${ERR})`),
    wifexited: bind(`int drmaa_wifexited(_Out_ int *exited, int stat, ${ERR})`),
    wexitstatus: bind(`int drmaa_wexitstatus(_Out_ int *status, int stat, ${ERR})`),
    wifsignaled: bind(`int drmaa_wifsignaled(_Out_ int *signaled, int stat, ${ERR})`),
    wtermsig: bind(`int drmaa_wtermsig(char *signal, size_t signalLen, int stat, ${ERR})`),
    strerror: bind(`const char *drmaa_strerror(int errno)`),
  } as DrmaaLibrary;
}

/** A fresh error buffer of the size DRMAA expects. */
export function errorBuffer(): Buffer {
  return Buffer.alloc(DRMAA_BUFFER);
}

/** The NUL-terminated C string at the start of `buffer`. */
export function cString(buffer: Buffer): string {
  const end = buffer.indexOf(0);
  return buffer.toString("utf8", 0, end < 0 ? buffer.length : end);
}
