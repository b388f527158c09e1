import type { Logger } from "@daskq/core";
import type { MarathonErrorBody } from "./marathon-api.js";
import { MarathonApiError } from "./marathon-error.js";

/** One of Marathon's answers: its status and JSON body. */
export interface MarathonAnswer {
  readonly status: number;
  readonly json: unknown;
}

/** A deployable request (create, scale, kill with `scale=true`, delete) and how it meets a lock. */
export interface DeployableRequest {
  /** `PUT /v2/apps/x`, for messages. */
  readonly request: string;
  /** Sends it, with `force=true` or not. */
  readonly send: (force: boolean) => Promise<MarathonAnswer>;
  /** Waits until none of these deployments is listed; resolves false when `timeoutMs` passed first. */
  readonly waitForDeployments: (ids: readonly string[], timeoutMs: number) => Promise<boolean>;
  /** Send `force=true` from the start (`jobqueue.marathon.force`). */
  readonly force: boolean;
  /** Cancel (force) the locking deployments instead of waiting when all of them are in `own`. */
  readonly overrideOwnDeployments: boolean;
  /** Deployments this client started. */
  readonly own: ReadonlySet<string>;
  readonly deploymentTimeoutMs: number;
  readonly logger: Logger;
}

/**
 * Sends a deployable request; while Marathon answers 409 "App is locked by one or more
 * deployments" (traits.raml `deployable`), waits until those deployments leave
 * `GET /v2/deployments` and sends it again, for at most `deploymentTimeoutMs`. Resolves the first
 * answer that is not a lock.
 *
 * @throws MarathonApiError (409) when the app is still locked at the deadline.
 */
export async function sendWhileLocked(deployable: DeployableRequest): Promise<MarathonAnswer> {
  const deadline = Date.now() + deployable.deploymentTimeoutMs;
  let force = deployable.force;
  for (;;) {
    const answer = await deployable.send(force);
    if (answer.status !== 409 || !isLocked(answer.json)) return answer;
    const locking = ((answer.json as MarathonErrorBody).deployments ?? []).map((d) => d.id);
    if (deployable.overrideOwnDeployments && locking.length > 0 && locking.every((id) => deployable.own.has(id))) {
      deployable.logger.warn(`marathon: ${deployable.request}: cancelling daskq's own deployment ${locking.join(", ")}, which cannot finish while tasks keep failing`);
      force = true;
      continue;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0 || !(await deployable.waitForDeployments(locking, remaining))) {
      throw new MarathonApiError(
        deployable.request,
        409,
        answer.json as MarathonErrorBody,
        `Still locked after ${Math.round(deployable.deploymentTimeoutMs / 1000)} s by deployment(s) ${locking.join(", ") || "(unnamed)"}: ` +
          "look at GET /v2/deployments, or set jobqueue.marathon.force: true to override deployments",
      );
    }
  }
}

function isLocked(body: unknown): boolean {
  const message = (body as MarathonErrorBody | undefined)?.message ?? "";
  return /locked by one or more deployments/i.test(message) || Array.isArray((body as MarathonErrorBody | undefined)?.deployments);
}
