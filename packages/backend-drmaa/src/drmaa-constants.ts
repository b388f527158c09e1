/**
 * Constants of the DRMAA 1.0 C binding (`drmaa.h`, as shipped by Grid Engine in
 * `source/libs/japi/drmaa.h`; the same values in every DRMAA 1.0 library).
 */

/** Size of every error and job-id buffer (`DRMAA_ERROR_STRING_BUFFER`, `DRMAA_JOBNAME_BUFFER`). */
export const DRMAA_BUFFER = 1024;

/** `drmaa_errno_e` values daskq reacts to (0 is success). */
export const DrmaaErrno = {
  SUCCESS: 0,
  INVALID_ARGUMENT: 4,
  NO_ACTIVE_SESSION: 5,
  ALREADY_ACTIVE_SESSION: 11,
  EXIT_TIMEOUT: 24,
  NO_MORE_ELEMENTS: 25,
  INVALID_JOB: 18,
} as const;

/** `drmaa_job_ps` program states. */
export const DrmaaPs = {
  UNDETERMINED: 0x00,
  QUEUED_ACTIVE: 0x10,
  SYSTEM_ON_HOLD: 0x11,
  USER_ON_HOLD: 0x12,
  USER_SYSTEM_ON_HOLD: 0x13,
  RUNNING: 0x20,
  SYSTEM_SUSPENDED: 0x21,
  USER_SUSPENDED: 0x22,
  USER_SYSTEM_SUSPENDED: 0x23,
  DONE: 0x30,
  FAILED: 0x40,
} as const;

/** `drmaa_control` actions. */
export const DrmaaAction = { SUSPEND: 0, RESUME: 1, HOLD: 2, RELEASE: 3, TERMINATE: 4 } as const;

/** `drmaa_wait` timeout that returns at once (`DRMAA_TIMEOUT_NO_WAIT`). */
export const DRMAA_TIMEOUT_NO_WAIT = 0;

/** Placeholder replaced by the task index of a bulk job (allowed in paths and the working directory). */
export const DRMAA_INCR_PH = "$drmaa_incr_ph$";

/** Job template attribute names used by daskq. */
export const DrmaaAttribute = {
  REMOTE_COMMAND: "drmaa_remote_command",
  V_ARGV: "drmaa_v_argv",
  V_ENV: "drmaa_v_env",
  JOB_NAME: "drmaa_job_name",
  OUTPUT_PATH: "drmaa_output_path",
  JOIN_FILES: "drmaa_join_files",
  WD: "drmaa_wd",
  NATIVE_SPECIFICATION: "drmaa_native_specification",
} as const;
