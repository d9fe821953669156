// Sizes past host or device limits: `cnnc run` says which tensor, how large, the limit and the fix
// (the largest batch that fits) before allocating anything, and before opening the device where the
// limit is not the device's; `check` and `summary`, which allocate nothing, still print the numbers,
// and refuse only counts past 2^53 (check estimates no memory, so no batch can be past it).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { cnnc } from "./cliHelpers.js";

const dir = mkdtempSync(join(tmpdir(), "cnnc-sizes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function model(name: string, input: string, body: string): string {
  const path = join(dir, `${name}.cnn`);
  writeFileSync(path, `network ${name} {\n  input x: ${input}\n${body}\n}\n`);
  return path;
}

const hugeInput = model("HugeInput", "3x100000x100000", "  conv(4, 3, pad=1) -> relu\n  global_avgpool\n  fc(10)");
const hugeFc = model("HugeFc", "3x8x8", "  fc(100000000)");
const tiny = model("Tiny", "3x8x8", "  conv(4, 3, pad=1) -> relu\n  global_avgpool\n  fc(10)");

describe("sizes past the limits", () => {
  it("check and summary of a huge network work and print the numbers", async () => {
    const check = await cnnc(["check", hugeInput]);
    expect(check).toEqual({ code: 0, stdout: "ok: HugeInput (4 layers, 162 params)\n", stderr: "" });
    const summary = await cnnc(["summary", hugeInput, "--json"]);
    expect(summary.code).toBe(0);
    expect(JSON.parse(summary.stdout)).toMatchObject({ totals: { params: 162, activations: 70_000_000_014 } });
    expect((await cnnc(["summary", hugeFc])).stdout).toContain("params:                 19,300,000,000 ");
  });

  it("summary refuses memory estimates past 2^53 and names the largest batch that fits", async () => {
    const result = await cnnc(["summary", hugeInput, "--batch", "1000000"]);
    expect(result.code).toBe(1);
    // The training estimate, 2 x activations x 4 bytes per image plus 3 x the parameters' bytes, is the largest.
    const largest = Math.floor((2 ** 53 - 1 - 3 * 162 * 4) / (2 * 70_000_000_014 * 4));
    expect(result.stderr).toBe(
      "error: the memory estimates of HugeInput at batch 1,000,000 need about 5.60e+17 bytes, more than cnnc can count exactly: whole numbers go up to 9,007,199,254,740,991 (2^53 - 1)\n" +
        `  = help: use a smaller batch: at most ${largest.toLocaleString("en-US")} fits in exact byte counts\n`,
    );
    expect((await cnnc(["summary", hugeInput, "--batch", String(largest)])).code).toBe(0);
  });

  it("check accepts a network whose memory estimates are past 2^53 even at batch 1; summary says so", async () => {
    const wide = model("Wide", "1x100000000x10000000", "  conv(1, 1)");
    expect(await cnnc(["check", wide])).toEqual({ code: 0, stdout: "ok: Wide (1 layer, 2 params)\n", stderr: "" });
    const summary = await cnnc(["summary", wide]);
    expect(summary.code).toBe(1);
    expect(summary.stderr).toContain("  = help: even batch 1 does not fit in exact byte counts: use a smaller input size\n");
  });

  it("check and summary refuse a network whose totals are past 2^53 though each layer's counts are exact", async () => {
    const sum = model("Sum", "8000x1000000x1000000", "  maxpool(1)");
    for (const command of ["check", "summary"]) {
      const result = await cnnc([command, sum]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(
        "Sum.cnn:3:3: error[count-too-large]: with this layer the network has about 1.60e+16 activations per sample, more than cnnc can count exactly\n",
      );
      expect(result.stderr).toContain("  = help: use smaller sizes (fewer channels or features, a smaller input)\n");
    }
  });

  it("run: a value past the kernels' indices even at batch 1, before the device is opened", async () => {
    const result = await cnnc(["run", hugeInput, "--random-input"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(""); // no adapter line
    expect(result.stderr).toBe(
      "error: the output of layer conv1 [1, 4, 100000, 100000] has 40,000,000,000 values at batch 1, more than cnnc's 32-bit kernel indices reach (4,294,967,295)\n" +
        "  = help: even batch 1 does not fit cnnc's 32-bit kernel indices: use a smaller input size\n",
    );
  });

  it("run: a weight past the kernels' indices, before the device is opened or anything is drawn", async () => {
    const result = await cnnc(["run", hugeFc, "--random-input"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "error: weight fc1.weight [100000000, 192] has 19,200,000,000 values, more than cnnc's 32-bit kernel indices reach (4,294,967,295)\n" +
        "  = help: weights do not depend on the batch: give fc1 fewer channels or features, or a smaller input\n",
    );
  });

  it("run: --batch past the GPU's buffers says the largest batch that fits, and that batch runs", async () => {
    // Within the kernels' indices and one host array, past any GPU's storage buffer (9.5 GiB).
    const result = await cnnc(["run", tiny, "--random-input", "--batch", "10000000"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^adapter: /);
    const largest = /at most ([\d,]+) fits this GPU's storage buffers/.exec(result.stderr)?.[1];
    expect(result.stderr, result.stderr).toMatch(/^error: the output of layer relu1 \[10000000, 4, 8, 8\] needs 9\.5 GiB at batch 10,000,000/);
    expect(largest).toBeDefined();
    const batch = Number(largest!.replace(/,/g, ""));
    const atLimit = await cnnc(["run", tiny, "--random-input", "--batch", String(batch)]);
    expect(atLimit.stderr.replace(/^Warning: .*\n/gm, "")).toBe("");
    expect(atLimit.code).toBe(0);
    const past = await cnnc(["run", tiny, "--random-input", "--batch", String(batch + 1)]);
    expect(past.code).toBe(1);
  });
});
