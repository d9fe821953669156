// `cnnc train` end to end on small data the test writes (IDX files of 8x8 images whose class is the
// bright quadrant): the run directory's files, the trained model accepted by `cnnc run --weights`, a
// run killed mid-epoch (SIGKILL) and resumed ending bit for bit where an uninterrupted run ends, and
// the refusals: a truncated checkpoint, a missing dataset, a run directory in use, a diverging run.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readSafetensors } from "../../runtime/safetensors.js";
import { idxBytes, npyBytes, tempDir, writeFile } from "../runtime/data/files.js";
import { seededRandom } from "../support/seededRandom.js";
import { cnnc } from "./cliHelpers.js";

const ROOT = join(import.meta.dirname, "../..");

const MODEL = `network Quadrants {
  input image: 1x8x8
  conv(4, 3, pad=1, bias=false) as conv1 -> batchnorm as bn1 -> relu -> maxpool(2)
  fc(4) as fc1
}

train {
  loss = cross_entropy
  optimizer = sgd(momentum=0.9, nesterov=true, weight_decay=1e-4)
  lr = 0.05
  schedule = cosine
  batch = 16
  epochs = 2
}
`;

/** `count` 8x8 images whose label k is the quadrant that is bright, plus noise. */
function quadrants(count: number, seed: number): { images: Uint8Array; labels: Uint8Array } {
  const random = seededRandom(seed);
  const images = new Uint8Array(count * 64);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const label = n % 4;
    labels[n] = label;
    for (let row = 0; row < 8; row++) {
      for (let col = 0; col < 8; col++) {
        const quadrant = (row < 4 ? 0 : 2) + (col < 4 ? 0 : 1);
        images[n * 64 + row * 8 + col] = Math.floor((quadrant === label ? 160 : 40) + random() * 80);
      }
    }
  }
  return { images, labels };
}

function dataset(): string {
  const dir = tempDir();
  for (const [prefix, count, seed] of [["train", 320, 1], ["t10k", 64, 2]] as const) {
    const { images, labels } = quadrants(count, seed);
    writeFile(dir, `${prefix}-images-idx3-ubyte.gz`, idxBytes([count, 8, 8], images), true);
    writeFile(dir, `${prefix}-labels-idx1-ubyte.gz`, idxBytes([count], labels, 0x08), true);
  }
  return dir;
}

function model(text = MODEL): string {
  const path = join(tempDir(), "quadrants.cnn");
  writeFileSync(path, text);
  return path;
}

function records(runDirectory: string): Record<string, unknown>[] {
  return readFileSync(join(runDirectory, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** `cnnc train` in a child process (so that it can be killed), from source through tsx. */
function trainChild(args: string[]): ReturnType<typeof spawn> {
  const script = `const { runCli } = await import(${JSON.stringify(join(ROOT, "src/cli/main.ts"))}); process.exitCode = await runCli(${JSON.stringify(args)});`;
  return spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, stdio: "ignore" });
}

describe("cnnc train", () => {
  it("trains to a high accuracy and writes metrics, curves, the confusion matrix, a checkpoint and a model `cnnc run` accepts", async () => {
    const data = dataset();
    const modelPath = model();
    const out = join(tempDir(), "run");
    const run = await cnnc(["train", modelPath, "--data", data, "--out", out, "--log-every", "5"]);
    expect(run.stderr).toContain("training Quadrants: loss cross_entropy, sgd(momentum=0.9, nesterov=true");
    expect(run.code, run.stderr).toBe(0);
    const lines = records(out);
    for (const line of lines) expect(Object.keys(line)).toEqual(["epoch", "step", "train_loss", "train_acc", "test_loss", "test_acc", "images_per_s", "lr"]);
    const epochs = lines.filter((line) => line.test_acc !== null);
    expect(epochs.map((line) => [line.epoch, line.step])).toEqual([
      [1, 20],
      [2, 40],
    ]);
    expect(epochs[1]!.test_acc as number).toBeGreaterThan(0.9);
    expect(lines.filter((line) => line.test_acc === null).map((line) => line.step)).toEqual([5, 10, 15, 25, 30, 35]);
    expect(run.stdout).toMatch(/confusion matrix on the test split/);
    expect(run.stdout).toMatch(/test accuracy \d+\.\d\d%/);
    expect(readFileSync(join(out, "curves.svg"), "utf8")).toMatch(/^<svg[^>]*>[\s\S]*<\/svg>\s*$/);
    expect(readFileSync(join(out, "confusion.txt"), "utf8")).toContain("class 3");
    expect(readFileSync(join(out, "confusion.svg"), "utf8")).toContain("<svg");
    const weights = readSafetensors(readFileSync(join(out, "model.safetensors")));
    expect([...weights.keys()].sort()).toEqual(["bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.weight", "conv1.weight", "fc1.bias", "fc1.weight"]);
    const inference = await cnnc(["run", modelPath, "--weights", join(out, "model.safetensors"), "--random-input", "--batch", "2", "--check"]);
    expect(inference.code, inference.stderr).toBe(0);
    // The checkpoint serves as weights too (its optimizer state is left out).
    const fromCheckpoint = await cnnc(["run", modelPath, "--weights", join(out, "checkpoint.safetensors"), "--random-input"]);
    expect(fromCheckpoint.code, fromCheckpoint.stderr).toBe(0);
    // The directory holds a run now: a fresh run there is refused, and says how to go on.
    const again = await cnnc(["train", modelPath, "--data", data, "--out", out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`already holds a training run`);
    expect(again.stderr).toContain(`--resume ${out}`);
  });

  it("resumes a run killed mid-epoch (SIGKILL) and ends bit for bit where an uninterrupted run ends", async () => {
    const data = dataset();
    const modelPath = model(MODEL.replace("epochs = 2", "epochs = 3"));
    const whole = join(tempDir(), "whole");
    const uninterrupted = await cnnc(["train", modelPath, "--data", data, "--out", whole, "--log-every", "3", "--seed", "4"]);
    expect(uninterrupted.code, uninterrupted.stderr).toBe(0);

    const killed = join(tempDir(), "killed");
    const child = trainChild(["train", modelPath, "--data", data, "--out", killed, "--log-every", "3", "--seed", "4"]);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    // Kill it once it has checkpointed inside the second epoch.
    for (let waited = 0; waited < 120_000; waited += 50) {
      const path = join(killed, "metrics.jsonl");
      if (existsSync(path) && records(killed).some((line) => (line.step as number) > 21)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    expect(existsSync(join(killed, "model.safetensors"))).toBe(false);

    const resumed = await cnnc(["train", modelPath, "--data", data, "--resume", killed, "--log-every", "3", "--seed", "4"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resumed at step \d+/);
    const a = readSafetensors(readFileSync(join(whole, "model.safetensors")));
    const b = readSafetensors(readFileSync(join(killed, "model.safetensors")));
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, tensor] of a) expect(Buffer.from(b.get(name)!.data.buffer).equals(Buffer.from(tensor.data.buffer)), name).toBe(true);
    // metrics.jsonl holds each step once, as the uninterrupted run's does.
    expect(records(killed).map((line) => line.step)).toEqual(records(whole).map((line) => line.step));
  });

  it("refuses a truncated checkpoint, a missing one, and a dataset that is not there", async () => {
    const data = dataset();
    const modelPath = model(MODEL.replace("epochs = 2", "epochs = 1"));
    const out = join(tempDir(), "run");
    const augmented = await cnnc(["train", modelPath, "--data", data, "--out", out, "--flip", "--crop", "1"]);
    expect(augmented.code, augmented.stderr).toBe(0);
    expect(augmented.stderr).toContain("1 epoch, random flips and random crops (padding 1)");
    const checkpoint = join(out, "checkpoint.safetensors");
    truncateSync(checkpoint, Math.floor(readFileSync(checkpoint).length / 2));
    const truncated = await cnnc(["train", modelPath, "--data", data, "--resume", out]);
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toMatch(/checkpoint/i);
    expect(truncated.stderr).toMatch(/truncated|cut short|shorter/i);

    const none = await cnnc(["train", modelPath, "--data", data, "--resume", tempDir()]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("holds no checkpoint.safetensors");

    const empty = tempDir();
    const missing = await cnnc(["train", model(MODEL.replace("epochs = 2", `epochs = 1\n  data = fashion_mnist("${empty}")`)), "--out", join(tempDir(), "x")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("dataset-fashion-mnist");
  });

  it("trains from a directory of .npy files (float32 images, int64 labels) with mse on one-hot targets", async () => {
    const dir = tempDir();
    for (const [prefix, count, seed] of [["train", 96, 3], ["test", 32, 4]] as const) {
      const { images, labels } = quadrants(count, seed);
      writeFile(dir, `${prefix}_images.npy`, npyBytes("<f4", [count, 1, 8, 8], Float32Array.from(images, (value) => value / 255)));
      writeFile(dir, `${prefix}_labels.npy`, npyBytes("<i8", [count], BigInt64Array.from(labels, (label) => BigInt(label))));
    }
    const out = join(tempDir(), "run");
    const run = await cnnc(["train", model(MODEL.replace("loss = cross_entropy", "loss = mse")), "--data", dir, "--out", out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("96 training and 32 test images");
    const last = records(out).at(-1)!;
    expect(last.train_acc).toBeNull();
    expect(last.test_loss as number).toBeLessThan(0.25);
  });

  it("stops when the loss goes non-finite, naming the step and the first layer", async () => {
    const run = await cnnc(["train", model(), "--data", dataset(), "--out", join(tempDir(), "run"), "--lr", "1e30", "--log-every", "2"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/training stopped: the loss became non-finite at step \d+; the first non-finite value \(\S+\) is the \w+( \w+)? of layer [\w.+]+ \(kernel [\w.]+\)/);
  });
});
