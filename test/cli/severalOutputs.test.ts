// The CLI on a network with several outputs: check and summary name them, run prints, checks and
// writes each (one .npy per output, named after it), train asks which one the loss reads.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { readNpy } from "../../runtime/npy.js";
import { cnnc, tempFile } from "./cliHelpers.js";

const HEADS = `network Heads {
  input image: 1x6x6
  trunk = conv(3, 3, pad=1) -> relu
  boxes = trunk -> conv(4, 1)
  scores = trunk -> global_avgpool -> fc(5) -> softmax
  outputs boxes, scores
}
`;

describe("a network with several outputs", () => {
  it("check and summary name every output", async () => {
    const file = tempFile("heads.cnn", HEADS);
    const check = await cnnc(["check", file]);
    expect(check).toEqual({ code: 0, stdout: "ok: Heads (6 layers, 66 params; outputs boxes, scores.softmax)\n", stderr: "" });
    const summary = await cnnc(["summary", file]);
    expect(summary.stdout.split("\n").slice(0, 2)).toEqual([
      "Heads: input 1x6x6 (CxHxW); output volumes are HxWxC as in the course notes",
      "outputs: boxes (6x6x4), scores.softmax (5)",
    ]);
    const json = JSON.parse((await cnnc(["summary", file, "--json"])).stdout) as { outputs: unknown };
    expect(json.outputs).toEqual([
      { name: "boxes", output: [4, 6, 6] },
      { name: "scores.softmax", output: [5] },
    ]);
  });

  it("run prints and checks every output and writes one file per output", async () => {
    const file = tempFile("heads.cnn", HEADS);
    const output = join(dirname(file), "y.npy");
    const run = await cnnc(["run", file, "--random-input", "--batch", "2", "--check", "--output", output]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("output boxes: [2, 4, 6, 6]");
    expect(run.stdout).toContain("output scores.softmax: [2, 5]");
    expect(run.stdout).toMatch(/check boxes: .*: ok/);
    expect(run.stdout).toMatch(/check scores\.softmax: .*: ok/);
    for (const [name, shape] of [["boxes", [2, 4, 6, 6]], ["scores.softmax", [2, 5]]] as const) {
      const path = join(dirname(file), `y.${name}.npy`);
      expect(existsSync(path), path).toBe(true);
      expect(readNpy(readFileSync(path), path).shape).toEqual(shape);
    }
  });

  it("train refuses a network with several outputs whose train section does not pick one", async () => {
    const run = await cnnc(["train", tempFile("heads.cnn", HEADS), "--data", "/nonexistent"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error: Heads has 2 outputs (boxes, scores.softmax), and training takes the loss of one");
    expect(run.stderr).toContain("`train { output = NAME }`");
  });
});
