import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { EmulatedJob } from "./emulated-job.js";

/**
 * The JSON shapes of UNICORE's REST API as the emulator renders them. Every shape is pinned to
 * UNICORE's sources and checked against the golden samples in `emulators/unicore/golden/`:
 * - links: `{"<rel>": {"href", "description"?}}` (UNICORE-EU/use `RESTRendererBase.renderJSONLinks`);
 * - lists: `{"<name>": [url, ...], "_links": {self, next?, previous?}}` (use `PagingHelper.renderJson`):
 *   the jobs list carries job URLs ONLY, never their states;
 * - job properties: `Jobs.getProperties` + `BaseRESTController.getProperties` (unicorex / use);
 * - file listings: `{"content": {"/path": {isDirectory, size, ...}}, ...}` (unicorex `Files.getProperties`);
 * - errors: `{"errorMessage", "status"}` (use `RESTRendererBase.createErrorResponse`).
 */

type Links = Record<string, { href: string; description?: string }>;

/** `yyyy-MM-dd'T'HH:mm:ssZ`, as UNICORE's ISO8601 formatter prints dates. */
export function isoDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "+0000");
}

/** The core services' base resource (`GET {base}`): the client's identity and the server version. */
export function renderBase(base: string, user: string | undefined, version: string): Record<string, unknown> {
  const client = user
    ? { dn: dnOf(user), role: { selected: "user", availableRoles: ["user"] }, xlogin: { UID: user, availableUIDs: [user], group: user, availableGroups: [user] }, authenticationMethod: "PASSWORD" }
    : { dn: "CN=ANONYMOUS,O=UNKNOWN,OU=UNKNOWN", role: { selected: "anonymous", availableRoles: [] } };
  const links: Links = {};
  for (const name of ["factories", "sites", "jobs", "reservations", "storages", "storagefactories", "transfers", "client-server-transfers", "tasks"]) {
    links[name] = { href: `${base}/${name}` };
  }
  return { client, server: { version, jobSubmission: { enabled: true, message: "" } }, _links: links };
}

/** A paged list of child URLs. */
export function renderList(name: string, base: string, ids: readonly string[], offset: number, num: number): Record<string, unknown> {
  const linkBase = `${base}/${name}/`;
  const links: Links = {};
  if (offset + num < ids.length) links["next"] = { href: `${linkBase}?offset=${offset + num}&num=${Math.min(num, ids.length - num)}` };
  if (offset > 0) links["previous"] = { href: `${linkBase}?offset=${Math.max(offset - num, 0)}&num=${num}` };
  links["self"] = { href: `${linkBase}?offset=${offset}&num=${num}` };
  return { [name]: ids.slice(offset, offset + num).map((id) => `${linkBase}${id}`), _links: links };
}

/** A job's properties and links, filtered by `fields` as UNICORE does (`!name` excludes). */
export function renderJob(base: string, job: EmulatedJob, fields: string | undefined): Record<string, unknown> {
  const url = `${base}/jobs/${job.id}`;
  const resources = (job.description["Resources"] ?? {}) as Record<string, unknown>;
  const props: Record<string, unknown> = {
    owner: dnOf(job.owner),
    acl: [],
    terminationTime: isoDate(new Date(job.submissionTime.getTime() + 30 * 86_400_000)),
    resourceStatus: "READY",
    resourceStatusMessage: "N/A",
    tags: job.tags,
    submissionTime: isoDate(job.submissionTime),
    queue: typeof resources["Queue"] === "string" ? resources["Queue"] : "N/A",
    batchSystemID: job.batchSystemId ?? "N/A",
    consumedTime: { total: "N/A" },
    log: job.log,
    name: typeof job.description["Name"] === "string" ? job.description["Name"] : "N/A",
    submissionPreferences: {},
    jobType: job.jobType,
    status: job.status,
    statusMessage: job.statusMessage,
    ...(job.exitCode === undefined ? {} : { exitCode: String(job.exitCode) }),
    _links: {
      self: { href: url },
      details: { href: `${url}/details`, description: "BSS job details" },
      submitted: { href: `${url}/submitted`, description: "Submitted job description" },
      "action:start": { href: `${url}/actions/start`, description: "Start" },
      "action:abort": { href: `${url}/actions/abort`, description: "Abort" },
      "action:restart": { href: `${url}/actions/restart`, description: "Restart" },
      forwarding: { href: `${url}/forward-port`, description: "Start port forwarding" },
      workingDirectory: { href: `${base}/storages/${job.id}-uspace`, description: "Working directory" },
      parentTSS: { href: `${base}/sites/emulated-site`, description: "Parent TSS" },
    } satisfies Links,
  };
  return filterFields(props, fields);
}

/** A job's working directory as a storage resource. */
export function renderStorage(base: string, job: EmulatedJob): Record<string, unknown> {
  const url = `${base}/storages/${job.id}-uspace`;
  return {
    owner: dnOf(job.owner),
    acl: [],
    resourceStatus: "READY",
    resourceStatusMessage: "N/A",
    tags: [],
    mountPoint: job.workingDirectory,
    protocols: ["BFT"],
    description: "Job's workspace",
    filesystemDescription: "",
    umask: "77",
    _links: { self: { href: url }, files: { href: `${url}/files`, description: "Files" } },
  };
}

/** A directory listing (`content`) or a file's properties, for a path inside a working directory. */
export function renderPath(root: string, path: string, storageUrl: string): Record<string, unknown> | undefined {
  const full = join(root, path);
  let stat;
  try {
    stat = statSync(full);
  } catch {
    return undefined;
  }
  const props = fileProperties(stat);
  if (stat.isDirectory()) {
    const content: Record<string, unknown> = {};
    for (const name of readdirSync(full)) {
      let child;
      try {
        child = statSync(join(full, name));
      } catch {
        continue;
      }
      const childPath = `${path.replace(/\/$/, "")}/${name}`;
      content[child.isDirectory() ? `${childPath}/` : childPath] = fileProperties(child);
    }
    Object.assign(props, { content });
  }
  return { ...props, metadata: {}, _links: { parentStorage: { href: storageUrl, description: "Parent Storage" } } };
}

/** The error body UNICORE sends with every 4xx/5xx. */
export function renderError(status: number, message: string): Record<string, unknown> {
  return { errorMessage: message, status };
}

function fileProperties(stat: import("node:fs").Stats): Record<string, unknown> {
  return {
    isDirectory: stat.isDirectory(),
    lastAccessed: isoDate(stat.mtime),
    size: stat.isDirectory() ? 0 : stat.size,
    owner: "unicore",
    group: "unicore",
    permissions: (stat.mode & 0o777).toString(8),
  };
}

function filterFields(props: Record<string, unknown>, fields: string | undefined): Record<string, unknown> {
  if (!fields) return props;
  const requested = new Set<string>();
  const excluded = new Set<string>();
  for (const f of decodeURIComponent(fields).split(/[ +,]/).filter(Boolean)) (f.startsWith("!") ? excluded : requested).add(f.replace(/^!/, ""));
  return Object.fromEntries(Object.entries(props).filter(([k]) => !excluded.has(k) && (requested.size === 0 || requested.has(k))));
}

function dnOf(user: string): string {
  return `CN=${user}, O=UNICORE, C=EU`;
}
