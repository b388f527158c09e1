/**
 * The messages between daskq and its DRMAA helper process: one JSON object per line, requests on the
 * helper's stdin, answers on its file descriptor 3 (stdout and stderr stay free for whatever the C
 * library prints). The helper answers requests one at a time, in order.
 */

/** A DRMAA job template, as daskq fills it in. */
export interface JobTemplate {
  /** `drmaa_remote_command`: the program, run without a shell. */
  readonly remoteCommand: string;
  /** `drmaa_v_argv`: its arguments, passed verbatim. */
  readonly args: readonly string[];
  /** `drmaa_v_env`: environment variables of the job. */
  readonly env: Readonly<Record<string, string>>;
  /** `drmaa_job_name`. */
  readonly jobName: string;
  /** `drmaa_output_path` (`[host]:path`, may hold `$drmaa_incr_ph$`); stderr joins it (`drmaa_join_files`). */
  readonly outputPath: string;
  /** `drmaa_wd`; unset: the library's default (the user's home on Grid Engine). */
  readonly workingDirectory?: string;
  /** `drmaa_native_specification`, passed verbatim; empty: none. */
  readonly nativeSpecification: string;
}

/** How an ended job ended (from `drmaa_wait`): exit code, or the signal that killed it, or neither (aborted). */
export interface JobExit {
  readonly exitCode?: number;
  readonly signal?: string;
}

/** One job's `drmaa_job_ps` answer: the program state (and for ended jobs how they ended), or the error. */
export type JobPsAnswer = { readonly ps: number; readonly exit?: JobExit } | { readonly errno: number; readonly message: string };

/** What daskq asks. */
export type HelperRequest =
  | { readonly id: number; readonly op: "runBulkJobs"; readonly template: JobTemplate; readonly count: number }
  | { readonly id: number; readonly op: "jobPs"; readonly ids: readonly string[] }
  | { readonly id: number; readonly op: "control"; readonly ids: readonly string[]; readonly action: number }
  | { readonly id: number; readonly op: "exit" };

/** A failed request: the DRMAA function and errno when a DRMAA call failed, else just the message. */
export interface HelperFailure {
  readonly message: string;
  readonly call?: string;
  readonly errno?: number;
  /** True when the library itself could not be loaded (id 0, the greeting). */
  readonly load?: boolean;
}

/**
 * What the helper answers. Id 0 is the greeting, sent once the library is loaded and `drmaa_init`
 * succeeded (or why not).
 */
export type HelperResponse = { readonly id: number; readonly result: unknown } | { readonly id: number; readonly error: HelperFailure };

/** The helper's greeting result. */
export interface HelperGreeting {
  readonly library: string;
  readonly pid: number;
}
