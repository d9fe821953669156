import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cnnc, tempFile } from "./cliHelpers.js";

const LENET = join(import.meta.dirname, "../../examples/lenet5.cnn");

describe("cnnc summary", () => {
  it("prints the notes-style table and totals", async () => {
    const run = await cnnc(["summary", LENET]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe("LeNet5: input 1x32x32 (CxHxW); output volumes are HxWxC as in the course notes");
    expect(lines[2]).toMatch(/^name\s+op\s+output\s+activations\s+params\s+MACs$/);
    expect(lines[3]).toMatch(/^image\s+input\s+32x32x1\s+32\*32\*1 = 1K\s+0\s+0$/);
    expect(lines[4]).toMatch(/^c1\s+conv\s+28x28x6\s+28\*28\*6 = 4.7K\s+\(5\*5\*1\)\*6 \+ 6 = 156\s+118K$/);
    expect(lines[5]).toMatch(/^c1\.tanh\s+tanh\s+28x28x6\s+in place\s+0\s+0$/);
    expect(run.stdout).toContain("c5           fc       120");
    expect(run.stdout).toContain("params:                 61,706 (241.0 KiB as float32)\n");
    expect(run.stdout).toContain("activations per image:  ");
    expect(run.stdout).toContain("forward memory, batch 1: ");
  });

  it("prints exactly the stable JSON interface", async () => {
    const run = await cnnc(["summary", LENET, "--json"]);
    expect(run.code).toBe(0);
    const json: unknown = JSON.parse(run.stdout);
    const layer = (name: string, op: string, output: number[], params: number, macs: number, activations: number) => ({ name, op, output, params, macs, activations });
    expect(json).toEqual({
      network: "LeNet5",
      input: [1, 32, 32],
      outputs: [{ name: "out.softmax", output: [10] }],
      layers: [
        layer("image", "input", [1, 32, 32], 0, 0, 1024),
        layer("c1", "conv", [6, 28, 28], 156, 117_600, 4704),
        layer("c1.tanh", "tanh", [6, 28, 28], 0, 0, 0),
        layer("s2", "avgpool", [6, 14, 14], 0, 0, 1176),
        layer("c3", "conv", [16, 10, 10], 2416, 240_000, 1600),
        layer("c3.tanh", "tanh", [16, 10, 10], 0, 0, 0),
        layer("s4", "avgpool", [16, 5, 5], 0, 0, 400),
        layer("c5", "fc", [120], 48_120, 48_000, 120),
        layer("c5.tanh", "tanh", [120], 0, 0, 0),
        layer("f6", "fc", [84], 10_164, 10_080, 84),
        layer("f6.tanh", "tanh", [84], 0, 0, 0),
        layer("out", "fc", [10], 850, 840, 10),
        layer("out.softmax", "softmax", [10], 0, 0, 0),
      ],
      totals: { params: 61_706, macs: 416_520, activations: 1024 + 4704 + 1176 + 1600 + 400 + 120 + 84 + 10 },
      memory: { batch: 1, activationBytes: 9118 * 4, parameterBytes: 61_706 * 4, forwardBytes: (9118 + 61_706) * 4, trainingBytes: (2 * 9118 + 3 * 61_706) * 4 },
    });
    expect(Object.keys(json as object)).toEqual(["network", "input", "outputs", "layers", "totals", "memory"]);
  });

  it("puts the memory totals at --batch into the JSON", async () => {
    const run = await cnnc(["summary", join(import.meta.dirname, "../../examples/vgg16.cnn"), "--json", "--batch", "64"]);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as { memory: Record<string, number> };
    const activationBytes = 64 * 15_237_608 * 4;
    const parameterBytes = 138_357_544 * 4;
    expect(json.memory).toEqual({
      batch: 64,
      activationBytes,
      parameterBytes,
      forwardBytes: activationBytes + parameterBytes,
      trainingBytes: 2 * activationBytes + 3 * parameterBytes,
    });
  });

  it("scales the memory estimates with --batch", async () => {
    const run = await cnnc(["summary", join(import.meta.dirname, "../../examples/vgg16.cnn"), "--batch", "64"]);
    expect(run.code).toBe(0);
    // 64 x 15,237,608 activations x 4 bytes = 3,720.1 MiB; params 527.8 MiB.
    expect(run.stdout).toContain("forward memory, batch 64: 4,247.9 MiB = activations 3,720.1 MiB + params 527.8 MiB\n");
    expect(run.stdout).toContain(
      "training estimate, batch 64: 9,023.6 MiB = activations and their gradients 2 x 3,720.1 MiB + params, gradients and optimizer state 3 x 527.8 MiB\n",
    );
  });

  it("prints the table of a network with 150,000 rows (no argument-list spread of the rows)", async () => {
    const inputs = Array.from({ length: 150_000 }, (_, i) => `  input x${i}: 1`).join("\n");
    const run = await cnnc(["summary", tempFile("wide.cnn", `network Wide {\n${inputs}\n  relu\n}\n`)]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("activations per image:  150,001 ("); // the relu does not overwrite an input
  });

  it("rejects a bad --batch and a file that does not compile, exit 1", async () => {
    const bad = await cnnc(["summary", LENET, "--batch", "0"]);
    expect(bad).toMatchObject({ code: 1, stdout: "" });
    expect(bad.stderr).toBe("error: option '--batch <n>' argument '0' is invalid. the batch must be at least 1\n");
    expect((await cnnc(["summary", LENET, "--batch", "1e3"])).stderr).toBe(
      "error: option '--batch <n>' argument '1e3' is invalid. the batch must be a whole number written in digits, from 1 to 9,007,199,254,740,991 (2^53 - 1)\n",
    );
    const broken = await cnnc(["summary", tempFile("b.cnn", "network B {\n  input x: 1x4x4\n  fc(0)\n}\n"), "--json"]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe("");
    expect(broken.stderr).toContain("error[bad-argument-value]: `out` must be at least 1, got 0");
  });
});
