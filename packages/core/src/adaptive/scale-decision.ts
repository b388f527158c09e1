/** One decision of an adaptive policy, with the numbers behind it (for logs and events). */
export interface ScaleDecision {
  readonly action: "up" | "down" | "same";
  /** The scheduler's raw `adaptive_target` answer. */
  readonly rawTarget: number;
  /** The target in the policy's unit (workers or jobs), clamped to [minimum, maximum]. */
  readonly target: number;
  /** Current planned count in the same unit (arrived or not). */
  readonly current: number;
  /** Of `current`, how many have not arrived yet (queued jobs). */
  readonly pending: number;
  /** Workers or jobs being removed, when `action` is `down`. */
  readonly removing: readonly string[];
  /** One line a person can read. */
  readonly reason: string;
}
