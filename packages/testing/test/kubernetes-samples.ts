/**
 * Golden samples from the Kubernetes documentation, for the Kubernetes API server EMULATOR's tests.
 * Each names its source; the texts are copied unchanged (CC BY 4.0 / Apache 2.0), except where noted.
 */

/**
 * The 404 example of the API conventions, "Response Status Kind" (kubernetes/community at
 * d9bfbf25, contributors/devel/sig-architecture/api-conventions.md): the body of
 * `GET /api/v1/namespaces/default/pods/grafana` for a pod that does not exist.
 */
export const STATUS_404_SAMPLE = `{
  "kind": "Status",
  "apiVersion": "v1",
  "metadata": {},
  "status": "Failure",
  "message": "pods \\"grafana\\" not found",
  "reason": "NotFound",
  "details": {
    "name": "grafana",
    "kind": "pods"
  },
  "code": 404
}`;

/**
 * "Possible values for the reason and details fields" of the same section: each reason with its
 * HTTP status code, and the details it may carry.
 */
export const STATUS_REASONS = {
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Invalid: 422,
  BadRequest: 400,
} as const;

/**
 * The list example of "Efficient detection of changes" (kubernetes/website at 00996298,
 * content/en/docs/reference/using-api/api-concepts.md): `GET /api/v1/namespaces/test/pods`.
 * The documented sample elides the items (`[...]`); they are left empty here.
 */
export const POD_LIST_SAMPLE = `{
  "kind": "PodList",
  "apiVersion": "v1",
  "metadata": {"resourceVersion":"10245"},
  "items": []
}`;

/**
 * The watch example of the same section: `GET /api/v1/namespaces/test/pods?watch=1&resourceVersion=10245`
 * answers `200 OK`, `Transfer-Encoding: chunked`, `Content-Type: application/json` and one JSON
 * object per event. The sample's `...` are removed.
 */
export const WATCH_EVENTS_SAMPLE = [
  `{"type": "ADDED", "object": {"kind": "Pod", "apiVersion": "v1", "metadata": {"resourceVersion": "10596"}}}`,
  `{"type": "MODIFIED", "object": {"kind": "Pod", "apiVersion": "v1", "metadata": {"resourceVersion": "11020"}}}`,
];

/**
 * "410 Gone responses" of the same page: "Servers are not required to serve all older resource
 * versions and may return a HTTP 410 (Gone) status code if a client requests a resourceVersion
 * older than the server has retained." The watch cache sends it as an ERROR event whose object
 * is the Status of errors.NewResourceExpired (reason Expired, code 410) with the message
 * `too old resource version: <asked> (<oldest - 1>)` (kubernetes/kubernetes
 * staging/src/k8s.io/apiserver/pkg/storage/cacher/watch_cache.go, getAllEventsSinceLocked).
 */
export const EXPIRED_MESSAGE = /^too old resource version: \d+ \(\d+\)$/;

/**
 * The fields of `Pod`, `PodStatus`, `PodCondition`, `ContainerStatus` and the three
 * `ContainerState` members, as listed by the API reference (kubernetes/website at 0e48eb17,
 * content/en/docs/reference/kubernetes-api/workload-resources/pod-v1.md, sections "Pod",
 * "PodStatus"). Every field the emulator answers must be one of them.
 */
export const POD_FIELDS_REFERENCE = {
  pod: ["apiVersion", "kind", "metadata", "spec", "status"],
  podStatus: ["nominatedNodeName", "hostIP", "startTime", "phase", "message", "reason", "podIP", "podIPs", "conditions", "qosClass",
    "initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses"],
  podCondition: ["status", "type", "lastProbeTime", "lastTransitionTime", "message", "reason"],
  containerStatus: ["name", "image", "imageID", "containerID", "state", "lastState", "ready", "restartCount", "started"],
  running: ["startedAt"],
  terminated: ["containerID", "exitCode", "startedAt", "finishedAt", "message", "reason", "signal"],
  waiting: ["message", "reason"],
  /** "required" in the reference. */
  containerStatusRequired: ["name", "image", "imageID", "ready", "restartCount"],
  /** The phases the reference lists ("There are five possible phase values"). */
  phases: ["Pending", "Running", "Succeeded", "Failed", "Unknown"],
} as const;
