import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { findFashionMnist } from "../../../runtime/data/fashionMnist.js";
import { userError } from "../../support/userError.js";
import { tempDir } from "./files.js";

describe("findFashionMnist", () => {
  it("says exactly what to install when the files are missing", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "train-images-idx3-ubyte.gz"), "");
    const error = userError(() => findFashionMnist(dir));
    expect(error.message).toBe(
      `Fashion-MNIST is not installed: \`${dir}\` lacks train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz`,
    );
    expect(error.hint).toBe(
      "install Debian's dataset-fashion-mnist package: `sudo apt-get install dataset-fashion-mnist` (or run `scripts/setup-system.sh --data`)",
    );
  });

  it("finds the .gz files and decompressed ones", () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    for (const name of ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte.gz"]) {
      writeFileSync(join(dir, name), "");
    }
    expect(findFashionMnist(dir)).toEqual({
      trainImages: join(dir, "train-images-idx3-ubyte.gz"),
      trainLabels: join(dir, "train-labels-idx1-ubyte"),
      testImages: join(dir, "t10k-images-idx3-ubyte"),
      testLabels: join(dir, "t10k-labels-idx1-ubyte.gz"),
    });
  });
});
