import { AuthenticationError, DaskqError } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { chooseVersion, offeredVersions } from "../src/api-version.js";
import { SlurmRestClient, SlurmRestError } from "../src/slurmrest-client.js";
import { FakeTransport, META, json, openapiDocument, slurmError } from "./helpers.js";

const auth = { user: "alice", token: "header.payload.sig" };

describe("version discovery", () => {
  it("reads the slurm plugin versions from /openapi, newest first", () => {
    expect(offeredVersions(openapiDocument(["v0.0.36", "v0.0.38", "v0.0.37"]))).toEqual(["v0.0.38", "v0.0.37", "v0.0.36"]);
    expect(offeredVersions(openapiDocument(["v0.0.40", "v0.0.39", "v0.0.9"]))).toEqual(["v0.0.40", "v0.0.39", "v0.0.9"]);
    expect(offeredVersions({ nothing: true })).toEqual([]);
  });

  it("speaks the newest version both sides have, or the pinned one", () => {
    expect(chooseVersion(["v0.0.38", "v0.0.37", "v0.0.36"], "x")).toBe("v0.0.38");
    expect(chooseVersion(["v0.0.40", "v0.0.39", "v0.0.37"], "x")).toBe("v0.0.37");
    expect(chooseVersion(["v0.0.38", "v0.0.37"], "x", "v0.0.37")).toBe("v0.0.37");
    expect(() => chooseVersion(["v0.0.41", "v0.0.40"], "http://h:6820")).toThrow(
      "[daskq:slurmrest] no OpenAPI version in common: slurmrestd at http://h:6820 offers v0.0.41, v0.0.40; daskq speaks v0.0.38, v0.0.37",
    );
    expect(() => chooseVersion(["v0.0.38"], "x", "v0.0.37")).toThrow(/api-version v0.0.37 cannot be used: slurmrestd at x offers v0.0.38/);
  });

  it("connect() discovers, then pings as the user, once; requests carry the JWT headers", async () => {
    const transport = new FakeTransport(["v0.0.37", "v0.0.36"]);
    const client = new SlurmRestClient(transport, auth);
    expect(await client.connect()).toBe("v0.0.37");
    expect(await client.connect()).toBe("v0.0.37");
    expect(transport.calls()).toEqual(["GET /openapi", "GET /slurm/v0.0.37/ping"]);
    for (const r of transport.requests) expect(r.headers).toMatchObject({ "X-SLURM-USER-NAME": "alice", "X-SLURM-USER-TOKEN": "header.payload.sig" });
  });

  it("the local socket mode sends no auth headers", async () => {
    const transport = new FakeTransport();
    await new SlurmRestClient(transport, undefined).connect();
    for (const r of transport.requests) expect(Object.keys(r.headers).filter((h) => h.startsWith("X-SLURM"))).toEqual([]);
  });

  it("a token slurmctld refuses fails connect() with a clear error, without the token", async () => {
    // What slurmrestd 22.05.8 answers when slurmctld rejects the JWT (bad signature or expired).
    const transport = new FakeTransport().on("GET", /\/ping$/, () => slurmError("slurmctld config is unable to load", "Unspecified error", -1, "slurm_load_ctl_conf"));
    const error = await new SlurmRestClient(transport, auth).connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DaskqError);
    const message = (error as Error).message;
    expect(message).toMatch(/^\[daskq:slurmrest\] slurmrestd at http:\/\/fake:6820 \(v0.0.38\) GET ping: slurmctld does not accept user alice with the given JWT/);
    expect(message).toContain("slurmctld config is unable to load (Unspecified error, error -1, slurm_load_ctl_conf)");
    expect(message).toContain("scontrol token");
    expect(message).not.toContain(auth.token);
  });

  it("HTTP 401 (no token, or slurmrestd without rest_auth/jwt) says so", async () => {
    const transport = new FakeTransport().on("GET", "/openapi", () => ({ status: 401, body: "Authentication failure" }));
    await expect(new SlurmRestClient(transport, auth).connect()).rejects.toThrow(
      /slurmrestd at http:\/\/fake:6820 \(discovering the API version\) refused GET \/openapi with user alice and a token: HTTP 401 Authentication failure/,
    );
    // Core's AuthenticationError: a cleanup after a dead owner does not retry it.
    await expect(new SlurmRestClient(transport, auth).connect()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("an unreachable server names the endpoint and the stage", async () => {
    const transport = new FakeTransport();
    transport.send = async () => {
      throw new DaskqError("slurmrest", "cannot reach slurmrestd at http://fake:6820 (GET /openapi): connect ECONNREFUSED 127.0.0.1:6820");
    };
    await expect(new SlurmRestClient(transport, auth).connect()).rejects.toThrow(
      "[daskq:slurmrest] discovering the API version: cannot reach slurmrestd at http://fake:6820 (GET /openapi): connect ECONNREFUSED 127.0.0.1:6820",
    );
  });
});

describe("requests", () => {
  it("submit posts script and job, resolves job_id", async () => {
    const transport = new FakeTransport().on("POST", "/slurm/v0.0.38/job/submit", () =>
      json({ meta: META, errors: [], job_id: 42, step_id: "BATCH", job_submit_user_msg: "" }),
    );
    const client = new SlurmRestClient(transport, auth);
    expect(await client.submit("#!/bin/bash\n", { name: "w", array: "0-3" })).toBe(42);
    const post = transport.requests.at(-1);
    expect(JSON.parse(post?.body ?? "")).toEqual({ script: "#!/bin/bash\n", job: { name: "w", array: "0-3" } });
    expect(post?.headers["content-type"]).toBe("application/json");
  });

  it("errors[] become a SlurmRestError with Slurm's text and the version", async () => {
    const transport = new FakeTransport().on("POST", /job\/submit$/, () =>
      slurmError("Invalid partition name specified", "Invalid partition name specified", 2000, "slurm_submit_batch_job()"),
    );
    const error = await new SlurmRestClient(transport, auth).submit("x", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlurmRestError);
    expect((error as Error).message).toBe(
      "[daskq:slurmrest] slurmrestd at http://fake:6820 (v0.0.38) POST job/submit: Invalid partition name specified (error 2000, slurm_submit_batch_job())",
    );
  });

  it("a body that is not JSON is reported with the version", async () => {
    const transport = new FakeTransport().on("GET", /\/jobs$/, () => ({ status: 502, body: "<html>Bad Gateway</html>" }));
    await expect(new SlurmRestClient(transport, auth).jobs()).rejects.toThrow(
      "[daskq:slurmrest] slurmrestd at http://fake:6820 (v0.0.38) GET jobs: HTTP 502 with a body that is not JSON: <html>Bad Gateway</html>",
    );
  });

  it("cancel: unknown and finished ids are harmless; other errors are not", async () => {
    const transport = new FakeTransport()
      .on("DELETE", /\/job\/1$/, () => json({ meta: META, errors: [] }))
      .on("DELETE", /\/job\/999$/, () => slurmError("unable to kill JobId=999 with signal 9: Invalid job id specified", "Invalid job id specified", 2017, "slurm_kill_job"))
      .on("DELETE", /\/job\/5$/, () => slurmError("unable to kill JobId=5 with signal 9: Access/permission denied", "Access/permission denied", 2002, "slurm_kill_job"));
    const client = new SlurmRestClient(transport, auth);
    expect(await client.cancel("1")).toBe(true);
    expect(await client.cancel("999")).toBe(false);
    await expect(client.cancel("5")).rejects.toThrow(/\(v0.0.38\) DELETE job\/5: unable to kill JobId=5 with signal 9: Access\/permission denied/);
  });
});
