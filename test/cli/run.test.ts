// `cnnc run` end to end through runModel (the command's implementation, in-process): output preview,
// --check, .npy output, weights saved and loaded back, and clear errors (exit 1) for bad inputs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { readNpy, writeNpy } from "../../runtime/npy.js";
import { readSafetensorsFile } from "../../runtime/safetensors.js";
import { runCli } from "../../src/cli/main.js";
import { runModel, type RunOptions } from "../../src/cli/run.js";
import { makeTensor } from "../../src/tensor.js";

const dir = mkdtempSync(join(tmpdir(), "cnnc-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MODEL = `network Tiny {
  input image: 3x14x14
  conv(8, 3, pad=1) -> relu -> maxpool(2)
  conv(6, 3, stride=2, pad=1) as c2 -> batchnorm -> leaky_relu
  global_avgpool
  fc(10) -> softmax
}
`;
const modelPath = join(dir, "tiny.cnn");
writeFileSync(modelPath, MODEL);

async function run(options: RunOptions, model = modelPath): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runModel(model, options, { stdout: (text) => out.push(text), stderr: (text) => err.push(text) });
  return { code, out: out.join(""), err: err.join("") };
}

describe("cnnc run", () => {
  it("runs a random input, prints adapter, shape and argmax, checks against the reference", async () => {
    const output = join(dir, "y.npy");
    const result = await run({ randomInput: true, batch: "3", seed: "4", check: true, output });
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^adapter: /);
    expect(result.out).toContain("output ");
    expect(result.out).toContain("[3, 10]");
    expect(result.out).toMatch(/sample 2: argmax \d/);
    expect(result.out).toMatch(/check \S+: max abs error .*, max rel error .*: ok/);
    expect(result.out).toContain("check tolerance:");
    const y = readNpy(output);
    expect(y.shape).toEqual([3, 10]);
    for (let n = 0; n < 3; n++) {
      const sum = y.data.slice(n * 10, n * 10 + 10).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 5);
    }
  });

  it("saves the weights and reproduces the output from them with another seed", async () => {
    const weightsPath = join(dir, "w.safetensors");
    const inputPath = join(dir, "x.npy");
    const input = makeTensor([2, 3, 14, 14], Float32Array.from({ length: 2 * 3 * 196 }, (_, i) => Math.sin(i)));
    writeFileSync(inputPath, writeNpy(input));
    const first = join(dir, "first.npy");
    const second = join(dir, "second.npy");
    expect((await run({ input: [inputPath], seed: "5", saveWeights: weightsPath, output: first })).code).toBe(0);
    const saved = readSafetensorsFile(weightsPath);
    expect([...saved.keys()]).toContain("c2.weight");
    const again = await run({ input: [`image=${inputPath}`], seed: "9", weights: weightsPath, output: second, check: true });
    expect(again.err).toBe("");
    expect(again.code).toBe(0);
    expect(readNpy(second).data).toEqual(readNpy(first).data);
    // A different seed without the file gives different weights, hence a different output.
    const third = join(dir, "third.npy");
    expect((await run({ input: [inputPath], seed: "9", output: third })).code).toBe(0);
    expect(readNpy(third).data).not.toEqual(readNpy(first).data);
  });

  it("rejects an input of the wrong shape, naming the expected NCHW shape", async () => {
    const path = join(dir, "bad-shape.npy");
    writeFileSync(path, writeNpy(makeTensor([1, 3, 14, 13])));
    const result = await run({ input: [path] });
    expect(result.code).toBe(1);
    expect(result.err).toContain("[N, 3, 14, 14]");
    expect(result.err).toContain("NCHW");
  });

  it("rejects a float64 .npy", async () => {
    const path = join(dir, "f64.npy");
    const bytes = Buffer.from(writeNpy(makeTensor([1, 3, 14, 14])));
    writeFileSync(path, Buffer.from(bytes.toString("latin1").replace("'<f4'", "'<f8'"), "latin1"));
    const result = await run({ input: [path] });
    expect(result.code).toBe(1);
    expect(result.err).toContain("float32");
  });

  it("rejects a truncated safetensors file", async () => {
    const good = join(dir, "good.safetensors");
    expect((await run({ randomInput: true, saveWeights: good })).code).toBe(0);
    const truncated = join(dir, "truncated.safetensors");
    const bytes = readFileSync(good);
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 100));
    const result = await run({ randomInput: true, weights: truncated });
    expect(result.code).toBe(1);
    expect(result.err).toContain("truncated.safetensors");
    expect(result.err).toMatch(/error: /);
  });

  it("rejects weights of another network, listing what is expected", async () => {
    const other = join(dir, "other.cnn");
    writeFileSync(other, MODEL.replace("fc(10)", "fc(7)"));
    const weights = join(dir, "other.safetensors");
    expect((await run({ randomInput: true, saveWeights: weights }, other)).code).toBe(0);
    const result = await run({ randomInput: true, weights });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/fc\S*\.weight has shape \[7, 6\], expected \[10, 6\]/);
  });

  it("rejects an unknown backend, a missing model, missing files and bad numbers", async () => {
    const backend = await run({ randomInput: true, backend: "metal" });
    expect(backend.code).toBe(1);
    expect(backend.err).toContain("unknown backend `metal`");
    const model = await run({ randomInput: true }, join(dir, "nope.cnn"));
    expect(model.code).toBe(1);
    expect(model.err).toContain("nope.cnn");
    const input = await run({ input: [join(dir, "missing.npy")] });
    expect(input.code).toBe(1);
    expect(input.err).toContain("missing.npy");
    const none = await run({});
    expect(none.code).toBe(1);
    expect(none.err).toContain("--random-input");
    const batch = await run({ randomInput: true, batch: "zero" });
    expect(batch.code).toBe(1);
    expect(batch.err).toContain("--batch");
  });

  it("says the range of --seed and --batch, before compiling anything", async () => {
    for (const [options, message] of [
      [{ seed: "9007199254740992" }, "--seed must be at most 9,007,199,254,740,991 (2^53 - 1), got `9007199254740992`"],
      [{ seed: "-1" }, "--seed must be at least 0, got `-1`"],
      [{ batch: "1e3" }, "--batch must be a whole number written in digits, from 1 to 9,007,199,254,740,991 (2^53 - 1), got `1e3`"],
      [{ batch: "-1" }, "--batch must be at least 1, got `-1`"],
      [{ batch: "0" }, "--batch must be at least 1, got `0`"],
      [{ batch: "99999999999999999999" }, "--batch must be at most 9,007,199,254,740,991 (2^53 - 1), got `99999999999999999999`"],
    ] as const) {
      const result = await run({ randomInput: true, ...options }, join(dir, "not-compiled.cnn"));
      expect(result.code).toBe(1);
      expect(result.err).toBe(`error: ${message}\n`);
    }
  });

  it("selects conv schedules with --schedule and rejects unknown layers", async () => {
    for (const schedule of ["direct", "im2col", "im2col,c2=direct"]) {
      const result = await run({ randomInput: true, batch: "2", check: true, schedule });
      expect(result.err, schedule).toBe("");
      expect(result.code).toBe(0);
    }
    const unknown = await run({ randomInput: true, schedule: "c3=direct" });
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("did you mean `c2`");
    const kind = await run({ randomInput: true, schedule: "imcol" });
    expect(kind.code).toBe(1);
    expect(kind.err).toContain("unknown schedule `imcol` for all layers");
    const illegal = await run({ randomInput: true, schedule: "c2=gemm" });
    expect(illegal.code).toBe(1);
    expect(illegal.err).toContain("error: layer `c2` cannot run as `gemm` (asked for with --schedule): gemm computes 1x1 convs as a plain GEMM; this kernel is 3x3");
    expect(illegal.err).toContain("= help: schedules legal for `c2`: `direct`, `im2col`, `implicit_gemm`\n");
  });
});

describe("cnnc run through the command line parser", () => {
  async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text) });
    return { code, out: out.join(""), err: err.join("") };
  }

  it("parses the options and reports the exit status", async () => {
    const output = join(dir, "cli.npy");
    const ok = await cli(["run", modelPath, "--random-input", "--batch", "2", "--seed", "3", "--check", "--output", output]);
    expect(ok.err).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.out).toContain("[2, 10]");
    expect(readNpy(output).shape).toEqual([2, 10]);
    const bad = await cli(["run", modelPath, "--random-input", "--backend", "cuda"]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("unknown backend `cuda`");
  });
});
