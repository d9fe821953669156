// `cnnc run DIR` on a plan `cnnc build` wrote: the same outputs as `cnnc run MODEL.cnn` (seeded weights
// and inputs, and given ones), and the options a built plan cannot honour refused before any GPU work.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { writeNpy } from "../../runtime/npy.js";
import { writeSafetensorsFile } from "../../runtime/safetensors.js";
import { makeTensor } from "../../src/tensor.js";
import { TINY_MODEL } from "../planFile/planFixture.js";
import { cnnc } from "./cliHelpers.js";

const root = mkdtempSync(join(tmpdir(), "cnnc-run-dir-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const model = join(root, "tiny.cnn");
writeFileSync(model, TINY_MODEL);
const built = join(root, "built");

beforeAll(async () => {
  const result = await cnnc(["build", model, "-o", built, "--batch", "2"]);
  if (result.code !== 0) throw new Error(`cnnc build failed: ${result.stderr}`);
});

/** The lines after the adapter line: the run line's timing differs from run to run. */
function resultLines(stdout: string): string[] {
  return stdout.split("\n").filter((line) => !line.startsWith("adapter:") && !line.startsWith("ran ") && !line.startsWith("wrote "));
}

describe("cnnc run DIR", () => {
  it("gives the outputs `cnnc run MODEL.cnn` gives for the same seed, and the weights it saves run the same", async () => {
    const fromPlan = join(root, "plan.npy");
    const fromModel = join(root, "model.npy");
    const weights = join(root, "saved.safetensors");
    const planRun = await cnnc(["run", built, "--random-input", "--seed", "7", "--output", fromPlan, "--save-weights", weights]);
    expect(planRun.stderr).toBe("");
    expect(planRun.code).toBe(0);
    expect(planRun.stdout).toMatch(/^adapter: .*\nran Tiny at batch 2: \d+ kernels, \d+ ms/);
    const modelRun = await cnnc(["run", model, "--random-input", "--seed", "7", "--batch", "2", "--output", fromModel]);
    expect(modelRun.code).toBe(0);
    expect(readFileSync(fromPlan)).toEqual(readFileSync(fromModel));
    expect(resultLines(planRun.stdout)).toEqual(resultLines(modelRun.stdout));

    // Given inputs and the saved weights (another seed must not matter).
    const input = join(root, "x.npy");
    writeFileSync(input, writeNpy(makeTensor([2, 3, 14, 14], Float32Array.from({ length: 2 * 3 * 196 }, (_, i) => Math.cos(i)))));
    const planGiven = join(root, "plan-given.npy");
    const modelGiven = join(root, "model-given.npy");
    expect((await cnnc(["run", built, "--input", `image=${input}`, "--weights", weights, "--seed", "99", "--output", planGiven])).code).toBe(0);
    expect((await cnnc(["run", model, "--input", input, "--seed", "7", "--output", modelGiven])).code).toBe(0);
    expect(readFileSync(planGiven)).toEqual(readFileSync(modelGiven));
  });

  it("refuses another batch, saying which was built and how to build another", async () => {
    const result = await cnnc(["run", built, "--random-input", "--batch", "4"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: --batch is 4, but the plan in \`${built}\` was built for batch 2\n` +
        "  = help: a built plan runs its batch only: build one for batch 4 with `cnnc build MODEL.cnn -o DIR --batch 4`\n",
    );
    const input = join(root, "three.npy");
    writeFileSync(input, writeNpy(makeTensor([3, 3, 14, 14])));
    const fromFile = await cnnc(["run", built, "--input", input]);
    expect(fromFile.code).toBe(1);
    expect(fromFile.stderr).toContain(`error: the inputs' batch (first) dimension is 3, but the plan in \`${built}\` was built for batch 2`);
  });

  it("refuses weights whose names are not the plan's", async () => {
    const weights = join(root, "wrong.safetensors");
    writeSafetensorsFile(weights, new Map([["conv9.weight", makeTensor([8, 3, 3, 3])]]));
    const result = await cnnc(["run", built, "--random-input", "--weights", weights]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: \`${weights}\` does not match the network (10 problems):`);
    expect(result.stderr).toContain("missing conv1.weight [8, 3, 3, 3]: found conv9.weight of that shape (rename it)");
    expect(result.stderr).toContain("missing conv1.bias, expected shape [8]");
  });

  it("refuses --check and --schedule, which need the model", async () => {
    const check = await cnnc(["run", built, "--random-input", "--check"]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(`error: --check does not apply to a built plan (\`${built}\`)`);
    expect(check.stderr).toContain("cnnc run MODEL.cnn --check");
    const schedule = await cnnc(["run", built, "--random-input", "--schedule", "im2col"]);
    expect(schedule.code).toBe(1);
    expect(schedule.stderr).toContain(`--schedule im2col`);
  });

  it("says a directory without plan.json is not a build", async () => {
    const empty = mkdtempSync(join(root, "empty-"));
    const result = await cnnc(["run", empty, "--random-input"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: \`${empty}\` has no plan.json: it is not a directory \`cnnc build\` wrote`);
  });

  it("refuses an --output that would overwrite the plan", async () => {
    const result = await cnnc(["run", built, "--random-input", "--output", join(built, "plan.json")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is the plan");
  });
});
