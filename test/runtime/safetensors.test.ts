import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { readSafetensors, readSafetensorsFile, writeSafetensors, writeSafetensorsFile } from "../../runtime/safetensors.js";
import { makeTensor, type WeightMap } from "../../src/tensor.js";
import { userError } from "../support/userError.js";

function sampleWeights(): WeightMap {
  const ramp = (count: number, scale: number): Float32Array => Float32Array.from({ length: count }, (_, i) => (i - 3) * scale);
  return new Map([
    ["fc1.weight", makeTensor([3, 5], ramp(15, 0.5))],
    ["c1.weight", makeTensor([2, 1, 3, 3], ramp(18, 0.125))],
    ["c1.bias", makeTensor([2], ramp(2, 1))],
    ["bn1.running_var", makeTensor([3], ramp(3, 2))],
  ]);
}


/** A safetensors file from an explicit header object and data bytes (to build bad files). */
function rawFile(header: unknown, data: Uint8Array, padTo = 8): Uint8Array {
  let json = JSON.stringify(header);
  while (json.length % padTo !== 0) json += " ";
  const bytes = new Uint8Array(8 + json.length + data.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(new TextEncoder().encode(json), 8);
  bytes.set(data, 8 + json.length);
  return bytes;
}

function headerOf(bytes: Uint8Array): { length: number; json: Record<string, unknown> } {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { length, json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Record<string, unknown> };
}

describe("safetensors", () => {
  it("reads a file's aligned tensors in place, and copies a caller's bytes", () => {
    const dir = mkdtempSync(join(tmpdir(), "cnnc-safetensors-"));
    try {
      const path = join(dir, "w.safetensors");
      writeSafetensorsFile(path, sampleWeights());
      const fileSize = readFileSync(path).length;
      const fromFile = readSafetensorsFile(path);
      for (const tensor of fromFile.values()) expect(tensor.data.buffer.byteLength).toBe(fileSize);
      const bytes = readFileSync(path);
      for (const tensor of readSafetensors(bytes, "w.safetensors").values()) expect(tensor.data.buffer).not.toBe(bytes.buffer);
      expect(readSafetensors(bytes).get("c1.bias")!.data).toEqual(fromFile.get("c1.bias")!.data);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("round-trips: write then read gives the same tensors", () => {
    const weights = sampleWeights();
    const back = readSafetensors(writeSafetensors(weights));
    expect([...back.keys()].sort()).toEqual([...weights.keys()].sort());
    for (const [name, tensor] of weights) {
      expect(back.get(name)?.shape).toEqual(tensor.shape);
      expect(back.get(name)?.data).toEqual(tensor.data);
    }
  });

  it("writes the layout the spec describes: sorted, contiguous, 8-byte aligned, format pt", () => {
    const bytes = writeSafetensors(sampleWeights());
    const { length, json } = headerOf(bytes);
    expect(length % 8).toBe(0);
    expect(json.__metadata__).toEqual({ format: "pt" });
    expect(json["bn1.running_var"]).toEqual({ dtype: "F32", shape: [3], data_offsets: [0, 12] });
    expect(json["c1.bias"]).toEqual({ dtype: "F32", shape: [2], data_offsets: [12, 20] });
    expect(json["c1.weight"]).toEqual({ dtype: "F32", shape: [2, 1, 3, 3], data_offsets: [20, 92] });
    expect(json["fc1.weight"]).toEqual({ dtype: "F32", shape: [3, 5], data_offsets: [92, 152] });
    expect(bytes.length).toBe(8 + length + 152);
    // The first stored value is bn1.running_var[0] = (0 - 3) * 2.
    expect(new DataView(bytes.buffer).getFloat32(8 + length, true)).toBe(-6);
  });

  it("reads a PyTorch-style file with unaligned data and skips num_batches_tracked", () => {
    const data = new Uint8Array(8 + 8);
    new DataView(data.buffer).setBigInt64(0, 7n, true); // bn.num_batches_tracked, int64
    new DataView(data.buffer).setFloat32(8, 1.5, true);
    new DataView(data.buffer).setFloat32(12, -2, true);
    const bytes = rawFile(
      {
        "bn.num_batches_tracked": { dtype: "I64", shape: [], data_offsets: [0, 8] },
        "bn.weight": { dtype: "F32", shape: [2], data_offsets: [8, 16] },
        __metadata__: { format: "pt" },
      },
      data,
      3,
    );
    const weights = readSafetensors(bytes);
    expect([...weights.keys()]).toEqual(["bn.weight"]);
    expect(Array.from(weights.get("bn.weight")?.data ?? [])).toEqual([1.5, -2]);
  });

  it("rejects a truncated file", () => {
    const bytes = writeSafetensors(sampleWeights());
    expect(userError(() => readSafetensors(bytes.subarray(0, bytes.length - 10), "w.safetensors")).message).toBe(
      "`w.safetensors`: tensor fc1.weight has data_offsets [92, 152] outside the 142 bytes of data in the file",
    );
    expect(userError(() => readSafetensors(bytes.subarray(0, 100), "w.safetensors")).message).toMatch(
      /^`w\.safetensors` is truncated or not a safetensors file: its header length field says \d+ bytes, but only 92 follow$/,
    );
    expect(userError(() => readSafetensors(bytes.subarray(0, 5), "w.safetensors")).message).toBe(
      "`w.safetensors` is truncated or not a safetensors file: it has only 5 bytes",
    );
  });

  it("rejects a header that is not JSON, or not an object, or has bad entries", () => {
    const notJson = rawFile({ a: 1 }, new Uint8Array(0));
    notJson[9] = "#".charCodeAt(0);
    expect(userError(() => readSafetensors(notJson, "w.safetensors")).message).toMatch(
      /^`w\.safetensors` has a malformed safetensors header: .*JSON/,
    );
    expect(userError(() => readSafetensors(rawFile([1, 2], new Uint8Array(0)), "w.safetensors")).message).toBe(
      "`w.safetensors` has a malformed safetensors header: it is not a JSON object",
    );
    const noOffsets = rawFile({ "c1.weight": { dtype: "F32", shape: [1] } }, new Uint8Array(4));
    expect(userError(() => readSafetensors(noOffsets, "w.safetensors")).message).toBe(
      "`w.safetensors` has a malformed safetensors header: tensor c1.weight has no valid data_offsets",
    );
  });

  it("rejects a tensor whose offsets do not match its shape", () => {
    const bytes = rawFile({ "c1.bias": { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8));
    expect(userError(() => readSafetensors(bytes, "w.safetensors")).message).toBe(
      "`w.safetensors`: tensor c1.bias has shape [3] (12 bytes of F32) but data_offsets [0, 8] span 8 bytes",
    );
  });

  it("rejects overlapping tensors, which would read one tensor from another's bytes", () => {
    const data = new Uint8Array(12);
    const overlap = rawFile(
      {
        "c1.weight": { dtype: "F32", shape: [2], data_offsets: [0, 8] },
        "c1.bias": { dtype: "F32", shape: [2], data_offsets: [4, 12] },
      },
      data,
    );
    const error = userError(() => readSafetensors(overlap, "w.safetensors"));
    expect(error.message).toBe(
      "`w.safetensors`: tensor c1.bias (data_offsets [4, 12]) overlaps tensor c1.weight (data_offsets [0, 8]): each tensor must have bytes of its own",
    );
    expect(error.hint).toMatch(/truncated or corrupt/);
    const same = rawFile(
      {
        a: { dtype: "F32", shape: [1], data_offsets: [0, 4] },
        b: { dtype: "F32", shape: [1], data_offsets: [0, 4] },
      },
      new Uint8Array(4),
    );
    expect(userError(() => readSafetensors(same, "w.safetensors")).message).toMatch(/^`w\.safetensors`: tensor b .* overlaps tensor a/);
  });

  it("rejects gaps: before the first tensor, between tensors, and after the last", () => {
    const leading = rawFile({ a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8));
    expect(userError(() => readSafetensors(leading, "w.safetensors")).message).toBe(
      "`w.safetensors`: the first tensor, a (data_offsets [4, 8]), starts at 4, not 0: 4 bytes of data belong to no tensor",
    );
    const between = rawFile(
      {
        a: { dtype: "F32", shape: [1], data_offsets: [0, 4] },
        b: { dtype: "F32", shape: [1], data_offsets: [8, 12] },
      },
      new Uint8Array(12),
    );
    expect(userError(() => readSafetensors(between, "w.safetensors")).message).toBe(
      "`w.safetensors`: 4 bytes between tensor a (ending at 4) and tensor b (data_offsets [8, 12]) belong to no tensor",
    );
    const trailing = rawFile({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, new Uint8Array(6));
    expect(userError(() => readSafetensors(trailing, "w.safetensors")).message).toBe(
      "`w.safetensors`: the data section has 2 bytes after the tensors (the last tensor, a, ends at 4, the data is 6 bytes)",
    );
    const empty = rawFile({}, new Uint8Array(4));
    expect(userError(() => readSafetensors(empty, "w.safetensors")).message).toBe(
      "`w.safetensors`: the data section has 4 bytes after the tensors (the file has no tensors, the data is 4 bytes)",
    );
  });

  it("checks every tensor's size against its dtype and shape, skipped ones included", () => {
    const counter = rawFile({ "bn.num_batches_tracked": { dtype: "I64", shape: [], data_offsets: [0, 4] } }, new Uint8Array(4));
    expect(userError(() => readSafetensors(counter, "w.safetensors")).message).toBe(
      "`w.safetensors`: tensor bn.num_batches_tracked has shape [] (8 bytes of I64) but data_offsets [0, 4] span 4 bytes",
    );
    const unknown = rawFile({ a: { dtype: "F12", shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4));
    expect(userError(() => readSafetensors(unknown, "w.safetensors")).message).toBe(
      "`w.safetensors` has a malformed safetensors header: tensor a has an unknown dtype `F12`",
    );
    const backwards = rawFile({ a: { dtype: "F32", shape: [0], data_offsets: [4, 0] } }, new Uint8Array(4));
    expect(userError(() => readSafetensors(backwards, "w.safetensors")).message).toBe(
      "`w.safetensors` has a malformed safetensors header: tensor a has data_offsets [4, 0] that end before they begin",
    );
    const overflow = rawFile({ a: { dtype: "F32", shape: [2 ** 40, 2 ** 40], data_offsets: [0, 4] } }, new Uint8Array(4));
    expect(userError(() => readSafetensors(overflow, "w.safetensors")).message).toMatch(
      /^`w\.safetensors`: tensor a has shape \[1099511627776, 1099511627776\] \(a size that is not a whole number of bytes of F32\)/,
    );
  });

  it("applies the format's header rules: bounded length, a JSON object first, string metadata", () => {
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 100_000_001n, true);
    expect(userError(() => readSafetensors(huge, "w.safetensors")).message).toBe(
      "`w.safetensors` is truncated or not a safetensors file: its header length field says 100000001 bytes; the format allows at most 100,000,000",
    );
    const spaced = rawFile({}, new Uint8Array(0));
    spaced.copyWithin(9, 8, spaced.length - 1);
    spaced[8] = 0x20;
    expect(userError(() => readSafetensors(spaced, "w.safetensors")).message).toBe(
      "`w.safetensors` has a malformed safetensors header: it does not start with `{`",
    );
    const metadata = rawFile({ __metadata__: { format: "pt", epoch: 3 } }, new Uint8Array(0));
    expect(userError(() => readSafetensors(metadata, "w.safetensors")).message).toBe(
      "`w.safetensors` has a malformed safetensors header: __metadata__ is not a map of strings to strings",
    );
    expect(readSafetensors(rawFile({ __metadata__: { format: "pt" } }, new Uint8Array(0))).size).toBe(0);
  });

  it("rejects non-F32 tensors, listing all of them, with the conversion", () => {
    const bytes = rawFile(
      {
        "c1.weight": { dtype: "F16", shape: [2], data_offsets: [0, 4] },
        "c1.bias": { dtype: "BF16", shape: [2], data_offsets: [4, 8] },
        "fc.bias": { dtype: "F32", shape: [1], data_offsets: [8, 12] },
      },
      new Uint8Array(12),
    );
    const error = userError(() => readSafetensors(bytes, "w.safetensors"));
    expect(error.message).toBe("`w.safetensors` holds tensors that are not float32: c1.weight (F16), c1.bias (BF16); cnnc reads F32");
    expect(error.hint).toMatch(/v\.float\(\)/);
  });
});
