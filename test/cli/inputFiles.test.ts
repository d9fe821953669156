// Every file cnnc reads must be a regular file within a bound. Named pipes are the case that hangs
// (opening one for reading waits for a writer), so those run the CLI in a child process with a time
// limit: a regression fails the test instead of blocking the test run.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { writeNpy } from "../../runtime/npy.js";
import { runModel } from "../../src/cli/run.js";
import { hostArrayLimit } from "../../src/hostLimits.js";
import { makeTensor } from "../../src/tensor.js";
import { cnncProcess } from "../support/cnncProcess.js";

const dir = mkdtempSync(join(tmpdir(), "cnnc-inputs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NETWORK = "network N {\n  input x: 2x4x4\n  conv(2, 3, pad=1) -> relu\n}\n";
const model = join(dir, "net.cnn");
writeFileSync(model, NETWORK);
const fifo = join(dir, "pipe");
execFileSync("mkfifo", [fifo]);

describe("named pipes are refused without being opened", () => {
  const NOT_REGULAR = `\`${fifo}\` is a named pipe (FIFO), not a regular file`;

  it("as the model, and as a `use`d file", () => {
    const asModel = cnncProcess(["check", fifo], { timeoutMs: 30_000 });
    expect(asModel.timedOut).toBe(false);
    expect(asModel.code).toBe(1);
    expect(asModel.stderr).toContain(`${fifo}:1:1: error[file-unreadable]: ${NOT_REGULAR}`);
    const user = join(dir, "uses-pipe.cnn");
    writeFileSync(user, `use "pipe"\n${NETWORK}`);
    const asUse = cnncProcess(["check", user], { timeoutMs: 30_000 });
    expect(asUse.timedOut).toBe(false);
    expect(asUse.code).toBe(1);
    expect(asUse.stderr).toContain(`${user}:1:1: error[use-unreadable]: ${NOT_REGULAR}`);
  });

  it("as --input and as --weights (before any device is opened)", () => {
    for (const args of [
      ["--input", fifo],
      ["--random-input", "--weights", fifo],
    ]) {
      const result = cnncProcess(["run", model, ...args], { timeoutMs: 30_000 });
      expect(result.timedOut, args.join(" ")).toBe(false);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(`error: ${NOT_REGULAR}`);
    }
  });
});

describe("cnnc run data files", () => {
  async function run(options: Parameters<typeof runModel>[1]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await runModel(model, options, { stdout: (text) => (out += text), stderr: (text) => (err += text) });
    return { code, out, err };
  }

  it("refuses a directory and a file past the host bound, naming the path", async () => {
    const directory = await run({ input: [dir] });
    expect(directory.code).toBe(1);
    expect(directory.err).toBe(`error: \`${dir}\` is a directory\n  = help: give the path of a .npy file (a file)\n`);
    const huge = join(dir, "huge.safetensors");
    writeFileSync(huge, "");
    truncateSync(huge, hostArrayLimit("byte").elements + 1); // sparse: nothing is written or read
    const weights = await run({ randomInput: true, weights: huge });
    expect(weights.code).toBe(1);
    expect(weights.err).toMatch(/^error: `.*huge\.safetensors` is .*; cnnc reads safetensors files up to .*\n  = help: .* is the limit of /);
  });

  it("matches every --input to an input name before reading any file", async () => {
    const result = await run({ input: [join(dir, "never-read.npy"), "z=q.npy"] });
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      "error: --input `z=q.npy`: the network N has no input named `z`, and there is no file `z=q.npy`\n" +
        "  = help: its inputs are `x` [N, 2, 4, 4]; for a file whose name holds `=`, write --input ./z=q.npy\n",
    );
    const twice = await run({ input: [`x=${join(dir, "never-read.npy")}`, join(dir, "never-read.npy")] });
    expect(twice.err).toBe("error: input `x` is given twice\n");
  });

  it("reads `a=b.npy` as a file name when `a` is no input name and that file exists", async () => {
    writeFileSync(join(dir, "a=b.npy"), writeNpy(makeTensor([1, 2, 4, 4])));
    const cwd = process.cwd();
    process.chdir(dir); // the spec is a relative path without a `/`
    try {
      const result = await run({ input: ["a=b.npy"] });
      expect(result.err).toBe("");
      expect(result.code).toBe(0);
    } finally {
      process.chdir(cwd);
    }
  });

  it("reads a good input next to these checks", async () => {
    const input = join(dir, "x.npy");
    writeFileSync(input, writeNpy(makeTensor([1, 2, 4, 4])));
    const result = await run({ input: [input] });
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
  });
});
