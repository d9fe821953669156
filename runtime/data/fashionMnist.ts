// Finds Fashion-MNIST as Debian's `dataset-fashion-mnist` package installs it (IDX files, gzip) under
// /usr/share/datasets/fashion-mnist/; a decompressed copy (the same names without .gz) is accepted too.
// MNIST ships the same four file names, so any directory of them is found the same way (findIdxFiles).
import { existsSync } from "node:fs";
import { join } from "node:path";

import { CnncUserError } from "../../src/errors.js";

export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";
/** Where MNIST is looked for without a path (Debian packages no MNIST: this is where to put it). */
export const MNIST_DIR = "/usr/share/datasets/mnist";
export const FASHION_MNIST_CLASSES = 10;

/** The four IDX files of an MNIST-format dataset (Fashion-MNIST, MNIST). */
export interface IdxDatasetFiles {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

const BASE_NAMES: Record<keyof IdxDatasetFiles, string> = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
};

/**
 * The four IDX files in `dir` (each `NAME.gz` or `NAME`); when some are missing, the error
 * `missingError` makes of their names (`train-labels-idx1-ubyte.gz`, ...).
 */
export function findIdxFiles(dir: string, missingError: (missing: string[]) => CnncUserError): IdxDatasetFiles {
  const found: Partial<IdxDatasetFiles> = {};
  const missing: string[] = [];
  for (const [key, base] of Object.entries(BASE_NAMES) as [keyof IdxDatasetFiles, string][]) {
    const path = [`${base}.gz`, base].map((name) => join(dir, name)).find((candidate) => existsSync(candidate));
    if (path === undefined) missing.push(`${base}.gz`);
    else found[key] = path;
  }
  const { trainImages, trainLabels, testImages, testLabels } = found;
  if (trainImages === undefined || trainLabels === undefined || testImages === undefined || testLabels === undefined) throw missingError(missing);
  return { trainImages, trainLabels, testImages, testLabels };
}

/** The four Fashion-MNIST files in `dir` (each `NAME.gz` or `NAME`), or an error saying what to install. */
export function findFashionMnist(dir: string = FASHION_MNIST_DIR): IdxDatasetFiles {
  return findIdxFiles(
    dir,
    (missing) =>
      new CnncUserError(`Fashion-MNIST is not installed: \`${dir}\` lacks ${missing.join(", ")}`, {
        hint: "install Debian's dataset-fashion-mnist package: `sudo apt-get install dataset-fashion-mnist` (or run `scripts/setup-system.sh --data`)",
      }),
  );
}
