/**
 * `Status` objects (meta/v1) of the Kubernetes API server EMULATOR, as the API conventions define
 * them (kubernetes/community d9bfbf25, contributors/devel/sig-architecture/api-conventions.md,
 * "Response Status Kind": kind Status, apiVersion v1, status Failure, message, reason, details,
 * code) with the messages of k8s.io/apimachinery pkg/api/errors (NewNotFound, NewAlreadyExists,
 * NewConflict, NewInvalid, NewBadRequest, NewResourceExpired, NewUnauthorized, NewForbidden).
 */

/** One entry of `details.causes` (meta/v1 StatusCause). */
export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field: string;
}

/** A meta/v1 `Status`. */
export interface StatusJson {
  readonly kind: "Status";
  readonly apiVersion: "v1";
  readonly metadata: Record<string, never>;
  readonly status: "Failure" | "Success";
  readonly message: string;
  readonly reason: string;
  readonly details?: { readonly name?: string; readonly group?: string; readonly kind?: string; readonly causes?: readonly StatusCause[] };
  readonly code: number;
}

/** An API error: thrown by the emulator's handlers and answered as its `Status`. */
export class ApiError extends Error {
  constructor(readonly status: StatusJson) {
    super(status.message);
  }
  get code(): number {
    return this.status.code;
  }
}

function failure(code: number, reason: string, message: string, details?: StatusJson["details"]): ApiError {
  return new ApiError({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, ...(details ? { details } : {}), code });
}

/** 404 `pods "grafana" not found` (the api-conventions example). `resource` is the plural, e.g. `pods`. */
export function notFound(resource: string, name: string): ApiError {
  return failure(404, "NotFound", `${resource} "${name}" not found`, { name, kind: resource });
}

/** 409 `pods "x" already exists`. */
export function alreadyExists(resource: string, name: string): ApiError {
  return failure(409, "AlreadyExists", `${resource} "${name}" already exists`, { name, kind: resource });
}

/** 409 Conflict: `Operation cannot be fulfilled on pods "x": <why>`. */
export function conflict(resource: string, name: string, why: string): ApiError {
  return failure(409, "Conflict", `Operation cannot be fulfilled on ${resource} "${name}": ${why}`, { name, kind: resource });
}

/** 422 Invalid: `Pod "x" is invalid: <field>: <message>` (several: `[a, b]`), with one cause per field error. */
export function invalid(kind: string, name: string, causes: readonly StatusCause[]): ApiError {
  const texts = causes.map((c) => `${c.field}: ${c.message}`);
  const joined = texts.length === 1 ? texts[0] : `[${texts.join(", ")}]`;
  return failure(422, "Invalid", `${kind} "${name}" is invalid: ${joined}`, { name, kind, causes });
}

/** 400 BadRequest. */
export function badRequest(message: string): ApiError {
  return failure(400, "BadRequest", message);
}

/** 410 Expired: a watch from a resourceVersion older than the retained history. */
export function expired(message: string): ApiError {
  return failure(410, "Expired", message);
}

/** 401: a bearer token the server does not know. */
export function unauthorized(): ApiError {
  return failure(401, "Unauthorized", "Unauthorized");
}

/** 403 for `system:anonymous` (no credentials): `pods is forbidden: User "system:anonymous" cannot list resource "pods" ...`. */
export function forbidden(verb: string, resource: string, namespace: string | undefined): ApiError {
  const where = namespace === undefined ? " at the cluster scope" : ` in the namespace "${namespace}"`;
  return failure(403, "Forbidden", `${resource} is forbidden: User "system:anonymous" cannot ${verb} resource "${resource}" in API group ""${where}`, { kind: resource });
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(method: string, path: string): ApiError {
  return failure(405, "MethodNotAllowed", `the server does not allow this method on the requested resource (${method} ${path})`);
}

/** A required-value cause (`FieldValueRequired`, message `Required value`). */
export function required(field: string, detail?: string): StatusCause {
  return { reason: "FieldValueRequired", message: detail ? `Required value: ${detail}` : "Required value", field };
}

/** An invalid-value cause (`FieldValueInvalid`, message `Invalid value: "v": detail`). */
export function invalidValue(field: string, value: unknown, detail: string): StatusCause {
  return { reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(value)}: ${detail}`, field };
}

/** A duplicate-value cause (`FieldValueDuplicate`). */
export function duplicate(field: string, value: unknown): StatusCause {
  return { reason: "FieldValueDuplicate", message: `Duplicate value: ${JSON.stringify(value)}`, field };
}

/** An unsupported-value cause (`FieldValueNotSupported`). */
export function notSupported(field: string, value: unknown, supported: readonly string[]): StatusCause {
  return { reason: "FieldValueNotSupported", message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => `"${s}"`).join(", ")}`, field };
}
