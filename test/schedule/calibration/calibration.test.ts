import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { adapterSlug, loadCalibration, type Calibration } from "../../../src/schedule/calibration/calibration.js";
import { PORTABLE_TARGET, type Target } from "../../../src/schedule/types.js";
import { rateKey } from "../../../src/schedule/costModel.js";
import { SCHEDULE_KINDS } from "../../../src/schedule/registry.js";
import { handCalibration } from "../handCalibration.js";

const LLVMPIPE = "mesa|llvmpipe||llvmpipe (LLVM 15.0.6, 256 bits)|opengles|compatibility";
const NVIDIA = "nvidia|hopper|0x2335|NVIDIA H200|vulkan|core";
const directory = mkdtempSync(join(tmpdir(), "cnnc-calibration-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function write(name: string, calibration: Calibration | string): void {
  writeFileSync(join(directory, name), typeof calibration === "string" ? calibration : JSON.stringify(calibration));
}
write(`${adapterSlug(LLVMPIPE)}.json`, handCalibration({ secondsPerFlop: { direct: 1e-9 } }, LLVMPIPE));
write(`${adapterSlug(NVIDIA)}.json`, handCalibration({ secondsPerFlop: { direct: 1e-12 } }, NVIDIA));
// Sorts first: a tie must still go to llvmpipe's file, not to the first file read.
write("a-first.json", handCalibration({ secondsPerFlop: { direct: 1e-11 } }, "zeta|gpu|7|Zeta GPU|vulkan|core"));

function target(adapter: string): Target {
  return { ...PORTABLE_TARGET, adapter, description: `adapter ${adapter}` };
}

describe("adapterSlug", () => {
  it("keeps letters and digits, joined by dashes", () => {
    expect(adapterSlug(NVIDIA)).toBe("nvidia-hopper-0x2335-nvidia-h200-vulkan-core");
    expect(adapterSlug("|||")).toBe("unnamed-adapter");
    expect(adapterSlug("x".repeat(500))).toHaveLength(100);
  });
});

describe("loadCalibration", () => {
  it("loads the adapter's own file", () => {
    const loaded = loadCalibration(target(NVIDIA), directory);
    expect(loaded.exact).toBe(true);
    expect(loaded.calibration.coefficients.secondsPerFlop["direct"]).toBe(1e-12);
    expect(loaded.note).toBe(`calibrated for adapter ${NVIDIA}`);
  });

  it("falls back to llvmpipe's file for an unknown adapter, saying so", () => {
    const loaded = loadCalibration(target("acme|rocket|1|Acme Rocket|metal|core"), directory);
    expect(loaded.exact).toBe(false);
    expect(loaded.calibration.adapter).toBe(LLVMPIPE);
    expect(loaded.note).toMatch(/^not calibrated for this adapter: estimates use the .*llvmpipe.* adapter's calibration/);
  });

  it("prefers the file sharing the most identity fields", () => {
    const loaded = loadCalibration(target("nvidia|hopper|0x2330|NVIDIA H100|vulkan|core"), directory);
    expect(loaded).toMatchObject({ exact: false, calibration: { adapter: NVIDIA } });
  });

  it("rejects a malformed file as an internal error naming it", () => {
    const broken = mkdtempSync(join(tmpdir(), "cnnc-calibration-broken-"));
    try {
      writeFileSync(join(broken, "llvmpipe.json"), JSON.stringify({ ...handCalibration({ secondsPerFlop: { direct: -1 } }), adapter: LLVMPIPE }));
      expect(() => loadCalibration(target(LLVMPIPE), broken)).toThrow(/internal: calibration file .*llvmpipe.json is malformed: coefficients.secondsPerFlop.direct is not a non-negative number/);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});

describe("the shipped calibration", () => {
  it("is llvmpipe's, measured by npm run calibrate, and the fallback for a target without its own", () => {
    const loaded = loadCalibration(PORTABLE_TARGET);
    expect(loaded.exact).toBe(false);
    expect(loaded.calibration.adapter).toMatch(/llvmpipe/);
    expect(loaded.calibration.command).toMatch(/^npm run calibrate/);
    expect(loaded.calibration.fit?.workloads.length).toBeGreaterThan(0);
    // Rates for every kind computing a forward conv or fc, per op (what npm run calibrate measures).
    const forward = SCHEDULE_KINDS.flatMap((kind) => kind.ops.filter((op) => op === "conv" || op === "fc").map((op) => rateKey(kind.kind, op)));
    for (const table of ["secondsPerFlop", "secondsPerRowOperandByte", "secondsPerColumnOperandByte", "secondsPerSpilledByte", "secondsPerInvocation", "secondsPerOutputByte"] as const) {
      expect(Object.keys(loaded.calibration.coefficients[table]).sort()).toEqual(forward.sort());
    }
  });
});
