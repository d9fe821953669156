// examples/api/train_fashion.ts, the README's TypeScript training loop, runs as written: on a small
// Fashion-MNIST-shaped dataset the test writes (28x28 images whose class is a bright band), for one
// epoch, printing its epoch line and saving a checkpoint that loads as weights.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readSafetensors } from "../../runtime/safetensors.js";
import { idxBytes, tempDir, writeFile } from "../runtime/data/files.js";

const ROOT = join(import.meta.dirname, "../..");

function bands(count: number): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    labels[n] = n % 10;
    for (let row = 0; row < 28; row++) for (let col = 0; col < 28; col++) images[n * 784 + row * 28 + col] = Math.floor(row / 3) === labels[n] ? 220 : (n * 7 + row * 3 + col) % 50;
  }
  return { images, labels };
}

describe("examples/api/train_fashion.ts", () => {
  it("trains, evaluates and saves a checkpoint", () => {
    const data = tempDir();
    for (const [prefix, count] of [["train", 256], ["t10k", 64]] as const) {
      const { images, labels } = bands(count);
      writeFile(data, `${prefix}-images-idx3-ubyte.gz`, idxBytes([count, 28, 28], images), true);
      writeFile(data, `${prefix}-labels-idx1-ubyte.gz`, idxBytes([count], labels), true);
    }
    const out = join(tempDir(), "api.safetensors");
    const run = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "examples/api/train_fashion.ts"), data, "--epochs", "1", "--out", out], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^epoch 1\/1: train loss \d+\.\d{4}, accuracy \d+\.\d%; test loss \d+\.\d{4}, accuracy \d+\.\d%\nsaved /);
    const saved = readSafetensors(readFileSync(out));
    expect(saved.has("conv1.weight")).toBe(true);
    expect(saved.has("optimizer.conv1.weight.momentum_buffer")).toBe(true);
  });
});
