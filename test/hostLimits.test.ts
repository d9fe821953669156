// Host array limits come from known numbers (V8's typed array cap, the machine's memory), and a size
// past them is a CnncUserError naming the array, with the largest batch that fits.
import { constants } from "node:buffer";
import { totalmem } from "node:os";

import { describe, expect, it, vi } from "vitest";

import { checkHostArray, checkHostBatch, checkHostTotal, fitsHostArray, hostArrayLimit, smallerBatchHint } from "../src/hostLimits.js";
import { userError } from "./support/userError.js";

// Counts the calls that read the machine's memory: it is read once, not per check.
const memoryReads = vi.hoisted(() => ({ count: 0 }));
vi.mock("node:os", async (original) => {
  const os = await original<typeof import("node:os")>();
  return {
    ...os,
    totalmem: () => {
      memoryReads.count += 1;
      return os.totalmem();
    },
  };
});

describe("host array limits", () => {
  it("are the smaller of V8's typed array length and the machine's memory", () => {
    for (const [type, size] of [
      ["byte", 1],
      ["float32", 4],
      ["float64", 8],
    ] as const) {
      expect(hostArrayLimit(type).elements).toBe(Math.min(constants.MAX_LENGTH, Math.floor(totalmem() / size)));
    }
    expect(fitsHostArray(hostArrayLimit("float32").elements, "float32")).toBe(true);
    expect(fitsHostArray(hostArrayLimit("float32").elements + 1, "float32")).toBe(false);
    expect(fitsHostArray(2 ** 53, "byte")).toBe(false);
  });

  it("name the array, its size and the limit", () => {
    const limit = hostArrayLimit("float32");
    const error = userError(() => checkHostArray("weight fc1.weight [100000000, 192]", 19_200_000_000, "float32", "use fewer features"));
    expect(error.message).toMatch(
      /^weight fc1\.weight \[100000000, 192\] needs 19,200,000,000 float32 values \(71\.5 GiB\); one array in cnnc's process holds at most [\d,]+ float32 values \(.*\), the limit of /,
    );
    expect(error.message).toContain(limit.reason);
    expect(error.hint).toBe("use fewer features");
  });

  it("say the largest batch that fits, or that none does", () => {
    const limit = hostArrayLimit("float32").elements;
    const perSample = 3 * 224 * 224;
    const batch = Math.floor(limit / perSample) + 1;
    const error = userError(() => checkHostBatch("random input x [N, 3, 224, 224]", perSample, batch, "float32"));
    expect(error.message).toContain(`random input x [N, 3, 224, 224] at batch ${batch.toLocaleString("en-US")} needs`);
    expect(error.hint).toBe(`use a smaller batch: at most ${(batch - 1).toLocaleString("en-US")} fits in one host array`);
    expect(() => checkHostBatch("x", perSample, batch - 1, "float32")).not.toThrow();
    expect(userError(() => checkHostBatch("x", limit + 1, 1, "float32")).hint).toBe(
      "even batch 1 does not fit in one host array: use a smaller input size",
    );
    expect(smallerBatchHint(0, "this GPU's storage buffers")).toBe("even batch 1 does not fit this GPU's storage buffers: use a smaller input size");
  });

  it("read the machine's memory once, however many checks run", () => {
    hostArrayLimit("byte");
    memoryReads.count = 0; // the tests' own calls count too
    for (let i = 0; i < 100; i++) {
      checkHostArray("x", 1, "float32", "");
      checkHostTotal("x", 1, "");
    }
    expect(memoryReads.count).toBe(0);
  });

  it("bound the total of arrays held at once by the machine's memory", () => {
    expect(() => checkHostTotal("the weights of N", totalmem(), "use fewer")).not.toThrow();
    expect(userError(() => checkHostTotal("the weights of N", totalmem() + 1, "use fewer")).message).toMatch(
      /^the weights of N need .* in all, more than this machine's memory/,
    );
  });
});
