import { describe, expect, it } from "vitest";
import { testJobSpec } from "@daskq/testing";
import { workerLaunch, workerLifetime } from "../../src/index.js";

const argvOf = (overrides: Parameters<typeof testJobSpec>[0]) =>
  workerLaunch(testJobSpec(overrides), "tcp://10.0.0.1:8786", { kind: "fixed", name: "w" }).argv;

describe("workerLifetime", () => {
  it("gives a job with a walltime a lifetime a margin before it: by default a fifth of the walltime, at most 5 minutes", () => {
    expect(workerLifetime(testJobSpec({ walltime: 3600 }))).toEqual({ walltime: 3600, margin: 300, stagger: 0, lifetime: 3300, userLifetime: false });
    expect(workerLifetime(testJobSpec({ walltime: 120 }))?.lifetime).toBe(96);
    expect(workerLifetime(testJobSpec({ walltime: 600, lifetimeMargin: 60, lifetimeStagger: 20 }))?.lifetime).toBe(520);
  });

  it("is off without a walltime and with a margin of 0", () => {
    expect(workerLifetime(testJobSpec({ walltime: undefined }))).toBeUndefined();
    expect(workerLifetime(testJobSpec({ walltime: 600, lifetimeMargin: 0 }))).toBeUndefined();
  });

  it("adds --lifetime (and --lifetime-stagger when set) before the user's extra args, never --lifetime-restart", () => {
    const argv = argvOf({ walltime: 600, lifetimeMargin: 60, lifetimeStagger: 20, workerExtraArgs: ["--resources", "GPU=1"] });
    expect(argv.slice(argv.indexOf("--lifetime"))).toEqual(["--lifetime", "520s", "--lifetime-stagger", "20s", "--resources", "GPU=1"]);
    expect(argv.some((word) => word.startsWith("--lifetime-restart"))).toBe(false);
    expect(argvOf({ walltime: undefined })).not.toContain("--lifetime");
  });

  it("lets the user's own --lifetime win: daskq adds no second one (and no stagger)", () => {
    for (const extra of [["--lifetime", "55m"], ["--lifetime=55m"]]) {
      const argv = argvOf({ walltime: 3600, lifetimeStagger: 60, workerExtraArgs: extra });
      expect(argv.filter((word) => word.startsWith("--lifetime"))).toEqual([extra[0]]);
      expect(workerLifetime(testJobSpec({ walltime: 3600, workerExtraArgs: extra }))?.userLifetime).toBe(true);
    }
  });
});
