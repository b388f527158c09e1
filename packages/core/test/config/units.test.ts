import { describe, expect, it } from "vitest";
import { formatBytes, formatWalltime, parseBytes, parseWalltime } from "../../src/config/units.js";

describe("parseBytes", () => {
  it("reads plain numbers and unitless strings as bytes", () => {
    expect(parseBytes(1024)).toBe(1024);
    expect(parseBytes("1024")).toBe(1024);
    expect(parseBytes("100 B")).toBe(100);
    expect(parseBytes("1e6")).toBe(1_000_000);
    expect(parseBytes(1.6)).toBe(2);
  });

  it("reads the decimal units, long and short, in any case", () => {
    expect(parseBytes("5kB")).toBe(5_000);
    expect(parseBytes("5k")).toBe(5_000);
    expect(parseBytes("5 KB")).toBe(5_000);
    expect(parseBytes("3MB")).toBe(3e6);
    expect(parseBytes("3m")).toBe(3e6);
    expect(parseBytes("16GB")).toBe(16e9);
    expect(parseBytes("16g")).toBe(16e9);
    expect(parseBytes("16 gb")).toBe(16e9);
    expect(parseBytes("2TB")).toBe(2e12);
    expect(parseBytes("2t")).toBe(2e12);
    expect(parseBytes("1PB")).toBe(1e15);
    expect(parseBytes("1p")).toBe(1e15);
  });

  it("reads the binary units, long and short, in any case", () => {
    expect(parseBytes("1KiB")).toBe(1024);
    expect(parseBytes("1ki")).toBe(1024);
    expect(parseBytes("2MiB")).toBe(2 * 2 ** 20);
    expect(parseBytes("2mi")).toBe(2 * 2 ** 20);
    expect(parseBytes("16GiB")).toBe(2 ** 34);
    expect(parseBytes("16 gib")).toBe(2 ** 34);
    expect(parseBytes("16Gi")).toBe(2 ** 34);
    expect(parseBytes("1TiB")).toBe(2 ** 40);
    expect(parseBytes("1ti")).toBe(2 ** 40);
    expect(parseBytes("1PiB")).toBe(2 ** 50);
    expect(parseBytes("1pi")).toBe(2 ** 50);
  });

  it("reads decimals and exponents, rounding to whole bytes", () => {
    expect(parseBytes("5.4 kB")).toBe(5_400);
    expect(parseBytes("1.5GiB")).toBe(1.5 * 2 ** 30);
    expect(parseBytes(".5kB")).toBe(500);
    expect(parseBytes("1.0005kB")).toBe(1001);
    expect(parseBytes("2e3MB")).toBe(2e9);
  });

  it("rejects garbage, unknown units and negative sizes with the accepted forms", () => {
    expect(() => parseBytes("lots")).toThrow(/invalid size "lots": expected .*16GB/);
    expect(() => parseBytes("16 GX")).toThrow(/invalid size "16 GX": unknown unit "GX"; use B, kB.*KiB/);
    expect(() => parseBytes("16GB extra")).toThrow(/invalid size/);
    expect(() => parseBytes("-5GB")).toThrow(/invalid size "-5GB"/);
    expect(() => parseBytes(-1)).toThrow(/invalid size -1/);
    expect(() => parseBytes(Number.NaN)).toThrow(/invalid size/);
    expect(() => parseBytes("")).toThrow(/invalid size ""/);
    expect(() => parseBytes("1e30PB")).toThrow(/too large/);
  });
});

describe("formatBytes", () => {
  it("shows exact binary multiples in binary units and everything else in decimal units", () => {
    expect(formatBytes(16e9)).toBe("16.00 GB");
    expect(formatBytes(2 ** 34)).toBe("16.00 GiB");
    expect(formatBytes(1.5 * 2 ** 30)).toBe("1.50 GiB");
    expect(formatBytes(1024)).toBe("1.00 KiB");
    expect(formatBytes(1000)).toBe("1.00 kB");
    expect(formatBytes(5_400)).toBe("5.40 kB");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(2 ** 50)).toBe("1.00 PiB");
    expect(formatBytes(3e15)).toBe("3.00 PB");
  });
});

describe("parseWalltime", () => {
  it("reads bare numbers and digit strings in the batch system's unit (minutes by default)", () => {
    expect(parseWalltime(60)).toBe(3600);
    expect(parseWalltime("90")).toBe(5400);
    expect(parseWalltime(" 30 ")).toBe(1800);
    expect(parseWalltime(3600, "minutes:seconds", "seconds")).toBe(3600);
    expect(parseWalltime(90.4, "minutes:seconds", "seconds")).toBe(90);
    expect(parseWalltime("90", "minutes:seconds", "seconds")).toBe(90);
  });

  it("reads HH:MM:SS, with hours beyond 24", () => {
    expect(parseWalltime("00:30:00")).toBe(1800);
    expect(parseWalltime("01:30:15")).toBe(5415);
    expect(parseWalltime("48:00:00")).toBe(48 * 3600);
  });

  it("reads Slurm's day forms", () => {
    expect(parseWalltime("1-00:00:00")).toBe(86_400);
    expect(parseWalltime("2-12:30:05")).toBe(2 * 86_400 + 12 * 3600 + 30 * 60 + 5);
    expect(parseWalltime("1-12:30")).toBe(86_400 + 12 * 3600 + 30 * 60);
    expect(parseWalltime("1-12")).toBe(86_400 + 12 * 3600);
  });

  it("reads A:B per the batch system's rule", () => {
    expect(parseWalltime("01:30")).toBe(5400);
    expect(parseWalltime("01:30", "hours:minutes")).toBe(5400);
    expect(parseWalltime("30:00", "minutes:seconds")).toBe(1800);
    expect(parseWalltime("90:15", "minutes:seconds")).toBe(90 * 60 + 15);
  });

  it("reads unit forms", () => {
    expect(parseWalltime("90m")).toBe(5400);
    expect(parseWalltime("1h30m")).toBe(5400);
    expect(parseWalltime("1h 30m")).toBe(5400);
    expect(parseWalltime("2h")).toBe(7200);
    expect(parseWalltime("3600s")).toBe(3600);
    expect(parseWalltime("1d")).toBe(86_400);
    expect(parseWalltime("1.5h")).toBe(5400);
    expect(parseWalltime("1D2H")).toBe(26 * 3600);
    expect(parseWalltime("1d2h3m4s")).toBe(86_400 + 2 * 3600 + 3 * 60 + 4);
  });

  it("rejects negatives, garbage and out-of-range minutes or seconds, listing the accepted forms", () => {
    const forms = /expected HH:MM:SS \(e\.g\. 01:30:00\).*1h30m/;
    expect(() => parseWalltime(-1)).toThrow(forms);
    expect(() => parseWalltime("-01:00:00")).toThrow(forms);
    expect(() => parseWalltime("soon")).toThrow(/invalid walltime "soon": expected/);
    expect(() => parseWalltime("")).toThrow(forms);
    expect(() => parseWalltime("h")).toThrow(forms);
    expect(() => parseWalltime("30m1h")).toThrow(forms);
    expect(() => parseWalltime("01:60:00")).toThrow(/invalid walltime "01:60:00": minutes must be below 60; expected/);
    expect(() => parseWalltime("01:00:60")).toThrow(/seconds must be below 60/);
    expect(() => parseWalltime("01:75")).toThrow(/minutes must be below 60/);
    expect(() => parseWalltime("30:75", "minutes:seconds")).toThrow(/seconds must be below 60.*MM:SS/);
    expect(() => parseWalltime("1-24:00:00")).toThrow(/hours must be below 24/);
    expect(() => parseWalltime("1:2:3:4")).toThrow(forms);
  });
});

describe("formatWalltime", () => {
  it("formats HH:MM:SS without wrapping hours into days", () => {
    expect(formatWalltime(0)).toBe("00:00:00");
    expect(formatWalltime(5415)).toBe("01:30:15");
    expect(formatWalltime(36 * 3600)).toBe("36:00:00");
    expect(formatWalltime(250 * 3600 + 59)).toBe("250:00:59");
  });

  it("round-trips parseWalltime", () => {
    expect(formatWalltime(parseWalltime("2-01:02:03"))).toBe("49:02:03");
  });
});
