// Where `cnnc train` reads its data: --data over the train section over Fashion-MNIST, each checked
// before any work with an error saying what is missing.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { FASHION_MNIST_DIR } from "../../runtime/data/fashionMnist.js";
import { resolveDataSource } from "../../src/cli/trainData.js";
import { tempDir } from "../runtime/data/files.js";
import { userError } from "../support/userError.js";

const IDX_NAMES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte.gz"];

/** A directory holding `names` (empty files: only their presence is checked here). */
function directoryWith(names: readonly string[]): string {
  const dir = tempDir();
  for (const name of names) writeFileSync(join(dir, name), "");
  return dir;
}

describe("resolveDataSource", () => {
  it("takes the train section's dataset and path, and --data over it", () => {
    const idx = directoryWith(IDX_NAMES);
    expect(resolveDataSource({ kind: "fashion_mnist", path: idx }, undefined)).toEqual({ kind: "fashion_mnist", directory: idx });
    expect(resolveDataSource({ kind: "mnist", path: idx }, undefined)).toEqual({ kind: "mnist", directory: idx });
    const npy = directoryWith(["train_images.npy", "train_labels.npy"]);
    expect(resolveDataSource({ kind: "fashion_mnist", path: idx }, npy)).toEqual({ kind: "directory", directory: npy });
    expect(resolveDataSource(undefined, idx)).toEqual({ kind: "directory", directory: idx });
  });

  it("defaults to Fashion-MNIST where Debian installs it, and says how to install it when missing", () => {
    for (const [setting, flag] of [[undefined, undefined], [undefined, "fashion-mnist"], [{ kind: "fashion_mnist" }, undefined]] as const) {
      let result;
      try {
        result = resolveDataSource(setting, flag);
      } catch (error) {
        expect((error as Error).message).toMatch(new RegExp(`^Fashion-MNIST is not installed: \`${FASHION_MNIST_DIR}\``));
        continue;
      }
      expect(result).toEqual({ kind: "fashion_mnist", directory: FASHION_MNIST_DIR });
    }
  });

  it("says which IDX files a dataset directory lacks", () => {
    const partial = directoryWith(IDX_NAMES.slice(0, 2));
    const mnist = userError(() => resolveDataSource({ kind: "mnist", path: partial }, undefined));
    expect(mnist.message).toBe(`MNIST is not in \`${partial}\`: it lacks t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz`);
    expect(mnist.hint).toMatch(/--data DIR/);
    const plain = userError(() => resolveDataSource(undefined, partial));
    expect(plain.message).toBe(`--data \`${partial}\` holds no .npy files and lacks the IDX files t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz`);
  });

  it("refuses a missing path, a file, and datasets cnnc train does not read", () => {
    const dir = tempDir();
    expect(userError(() => resolveDataSource(undefined, join(dir, "nothing"))).message).toMatch(/^--data `.*nothing` cannot be read: ENOENT/);
    writeFileSync(join(dir, "file.npy"), "");
    expect(userError(() => resolveDataSource(undefined, join(dir, "file.npy"))).message).toMatch(/^--data `.*file\.npy` is not a directory$/);
    mkdirSync(join(dir, "cifar"));
    const cifar = userError(() => resolveDataSource({ kind: "cifar10", path: join(dir, "cifar") }, undefined));
    expect(cifar.message).toMatch(/^cnnc train does not read `cifar10` data/);
    expect(cifar.hint).toMatch(/\.npy files/);
  });
});
