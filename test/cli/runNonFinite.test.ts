// `cnnc run` with NaN and Inf, end to end in-process: a plain run warns (exit 0) when an output holds
// them; --check fails (exit 1) and says where they came from: the input itself, the first layer that
// produced them (with the reference agreeing), or a layer overflowing float32 where the float64
// reference stays finite. Inputs and weights are written by the tests into a temporary directory.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { writeNpy } from "../../runtime/npy.js";
import { readSafetensorsFile, writeSafetensorsFile } from "../../runtime/safetensors.js";
import { makeTensor, type Tensor } from "../../src/tensor.js";
import { cnnc } from "./cliHelpers.js";

const dir = mkdtempSync(join(tmpdir(), "cnnc-nonfinite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const modelPath = join(dir, "spill.cnn");
writeFileSync(
  modelPath,
  `network Spill {
  input x: 2x4x4
  c1 = conv(3, 3, pad=1) -> batchnorm -> relu
  f1 = fc(4) -> relu
  out = fc(3) -> softmax
}
`,
);

function writeInput(name: string, fill: (index: number) => number): string {
  const path = join(dir, name);
  writeFileSync(path, writeNpy(makeTensor([1, 2, 4, 4], Float32Array.from({ length: 32 }, (_, i) => fill(i)))));
  return path;
}

/** The network's seeded weights, with `change` applied, written as safetensors. */
async function writeWeights(name: string, change: (weights: Map<string, Tensor>) => void): Promise<string> {
  const seeded = join(dir, `seeded-${name}`);
  expect((await cnnc(["run", modelPath, "--random-input", "--save-weights", seeded])).code).toBe(0);
  const weights = readSafetensorsFile(seeded);
  change(weights);
  const path = join(dir, name);
  writeSafetensorsFile(path, weights);
  return path;
}

const finiteInput = writeInput("finite.npy", (i) => Math.sin(i));
// One +Inf at [0, 1, 2, 3] (flat index 16 + 2 * 4 + 3 = 27).
const infInput = writeInput("inf.npy", (i) => (i === 27 ? Infinity : Math.sin(i)));

describe("cnnc run with NaN and Inf", () => {
  it("a plain run warns on stderr about an output holding NaN, and exits 0", async () => {
    const result = await cnnc(["run", modelPath, "--input", infInput]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("sample 0: argmax 0 (NaN)");
    expect(result.stderr).toContain("warning: output out.softmax holds 3 NaN of 3 values (the first at [0, 0])");
    expect(result.stderr).toContain("run with --check to find the layer");
  });

  it("--check fails on an Inf input and says the input itself holds it", async () => {
    const result = await cnnc(["run", modelPath, "--input", infInput, "--check"]);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toMatch(/: ok$/m);
    expect(result.stdout).toContain(
      "check out.softmax: FAILED: the GPU output holds 3 NaN of 3 values (the first at [0, 0]); so does the reference's, at the same elements",
    );
    expect(result.stdout).toContain("check: the input x itself holds 1 +Inf of 32 values (the first at [0, 1, 2, 3])");
    expect(result.stderr).toContain("error: output out.softmax holds NaN or Inf (see the check lines above)");
    expect(result.stderr).toContain("help: replace the NaN/Inf in input x by finite values");
  });

  it("--check names the first layer producing NaN from finite inputs, and that the reference agrees", async () => {
    // A negative running variance: sqrt(var + eps) is NaN in batchnorm, on the GPU and in the reference.
    const weights = await writeWeights("negative-var.safetensors", (map) => map.get("c1.batchnorm.running_var")!.data.fill(-1));
    const result = await cnnc(["run", modelPath, "--input", finiteInput, "--weights", weights, "--check"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /check: the first layer producing NaN or Inf is c1\.batchnorm \(batchnorm at \S*spill\.cnn:3:\d+\), from finite inputs: 48 NaN of 48 values \(the first at \[0, 0, 0, 0\]\)/,
    );
    expect(result.stdout).toContain(
      "check: the reference computes NaN or Inf at c1.batchnorm too: 48 NaN of 48 values (the first at [0, 0, 0, 0]); " +
        "this input with these weights makes the network itself produce them",
    );
    expect(result.stderr).toContain("error: output out.softmax holds NaN or Inf");
  });

  it("--check reports float32 overflow where the float64 reference stays finite, not a mismatch", async () => {
    // All-ones weights and an input of 1e37: c1 sums at most 18 inputs (1.8e38, still a float32);
    // f1 sums 48 of those, about 5e39, past float32's 3.4e38.
    const weights = await writeWeights("ones.safetensors", (map) => {
      for (const name of ["c1.weight", "f1.weight"]) map.get(name)!.data.fill(1);
      for (const name of ["c1.bias", "f1.bias"]) map.get(name)!.data.fill(0);
    });
    const input = writeInput("large.npy", () => 1e37);
    const plain = await cnnc(["run", modelPath, "--input", input, "--weights", weights]);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toMatch(/warning: output out\.softmax holds \d NaN/);
    const result = await cnnc(["run", modelPath, "--input", input, "--weights", weights, "--check"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/check: the first layer producing NaN or Inf is f1 \(fc at \S*spill\.cnn:4:\d+\), from finite inputs: 4 \+Inf of 4 values/);
    expect(result.stdout).toMatch(/check: layer f1 overflows float32: the reference's largest \|value\| there is \d\.\de\+39, above float32's 3\.4e\+38/);
    expect(result.stdout).toContain("the reference's is finite; 3 of 3 elements disagree");
    expect(result.stderr).toContain("help: scale the input or the weights down so that the values of layer f1 stay below 3.4e+38");
  });

  it("--check reports float32 overflow inside a layer whose result fits (a global average of values near 1e37)", async () => {
    const pooledPath = join(dir, "pooled.cnn");
    writeFileSync(pooledPath, "network Pooled {\n  input x: 2x7x7\n  pooled = global_avgpool\n  out = fc(3)\n}\n");
    const input = join(dir, "pooled.npy");
    writeFileSync(input, writeNpy(makeTensor([1, 2, 7, 7], new Float32Array(98).fill(1e37))));
    const result = await cnnc(["run", pooledPath, "--input", input, "--check"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/check: the first layer producing NaN or Inf is pooled \(global_avgpool at \S*pooled\.cnn:3:\d+\), from finite inputs: 2 \+Inf of 2 values/);
    expect(result.stdout).toContain(
      "check: layer pooled overflows float32 inside its computation: the reference's largest |value| there is 1.0e+37, " +
        "but its sums of 49 inputs of |value| up to 1.0e+37 can reach 4.9e+38, above float32's 3.4e+38",
    );
    expect(result.stderr).toContain("help: scale the input or the weights down so that the sums inside layer pooled stay below 3.4e+38");
  });

  it("--check still says ok for a finite run", async () => {
    const result = await cnnc(["run", modelPath, "--input", finiteInput, "--check"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/check out\.softmax: max abs error .*: ok/);
  });
});
