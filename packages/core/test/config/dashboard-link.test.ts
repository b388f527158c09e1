import { afterEach, describe, expect, it } from "vitest";
import { dashboardLinkTemplate, DEFAULT_DASHBOARD_LINK, formatDashboardLink } from "../../src/config/dashboard-link.js";
import { ConfigError } from "../../src/errors.js";
import { sandbox, type Sandbox } from "./helpers.js";

describe("Dask's distributed.dashboard.link", () => {
  let box: Sandbox;
  afterEach(() => box?.cleanup());

  it("defaults to dask's {scheme}://{host}:{port}/status", () => {
    box = sandbox();
    const template = dashboardLinkTemplate({ env: box.env, homeDir: box.home });
    expect(template).toEqual({ template: DEFAULT_DASHBOARD_LINK, source: "default" });
    expect(formatDashboardLink(template, { host: "10.0.0.7", port: 8787 }, box.env)).toBe("http://10.0.0.7:8787/status");
    expect(formatDashboardLink(template, { host: "::1", port: 8787 }, box.env)).toBe("http://[::1]:8787/status");
  });

  it("carries JupyterHub's prefix when the template asks for it (dask-jobqueue #443, #111)", () => {
    box = sandbox();
    const env = { ...box.env, JUPYTERHUB_SERVICE_PREFIX: "/user/alice/", DASK_DISTRIBUTED__DASHBOARD__LINK: "{JUPYTERHUB_SERVICE_PREFIX}proxy/{port}/status" };
    const template = dashboardLinkTemplate({ env, homeDir: box.home });
    expect(template.source).toBe("env DASK_DISTRIBUTED__DASHBOARD__LINK");
    expect(formatDashboardLink(template, { host: "127.0.0.1", port: 41234 }, env)).toBe("/user/alice/proxy/41234/status");
  });

  it("reads the template from the dask config files, the later file winning, env over files", () => {
    box = sandbox();
    box.write(`${box.etcDask}/a.yaml`, "distributed:\n  dashboard:\n    link: 'https://hub.example/{port}'\n");
    box.write(`${box.userDask}/b.yaml`, "distributed:\n  dashboard:\n    link: '{JUPYTERHUB_SERVICE_PREFIX}proxy/{port}/status'\n");
    const fromFiles = dashboardLinkTemplate({ env: box.env, homeDir: box.home });
    expect(fromFiles.template).toBe("{JUPYTERHUB_SERVICE_PREFIX}proxy/{port}/status");
    expect(fromFiles.source).toMatch(/b\.yaml$/);
    const env = { ...box.env, DASK_DISTRIBUTED__DASHBOARD__LINK: "{{literal}}/{host}:{port}" };
    expect(formatDashboardLink(dashboardLinkTemplate({ env, homeDir: box.home }), { host: "n1", port: 1 }, env)).toBe("{literal}/n1:1");
  });

  it("names the template's source when it refers to an unset variable or is not a string", () => {
    box = sandbox();
    const env = { ...box.env, DASK_DISTRIBUTED__DASHBOARD__LINK: "{JUPYTERHUB_SERVICE_PREFIX}proxy/{port}/status" };
    const template = dashboardLinkTemplate({ env, homeDir: box.home });
    expect(() => formatDashboardLink(template, { host: "h", port: 1 }, env)).toThrow(
      /\[daskq:config\] env DASK_DISTRIBUTED__DASHBOARD__LINK: distributed\.dashboard\.link: .*\{JUPYTERHUB_SERVICE_PREFIX\}, which is neither host, port, scheme nor a set environment variable/,
    );
    box.write(`${box.etcDask}/bad.yaml`, "distributed:\n  dashboard:\n    link: 8787\n");
    expect(() => dashboardLinkTemplate({ env: box.env, homeDir: box.home })).toThrow(ConfigError);
  });
});
