// Where `cnnc train` reads its images: --data, else the train section's `data = ...`, else Fashion-MNIST
// where Debian installs it. The datasets are checked here, before any work: a known dataset must have
// its four IDX files, a directory must exist and hold IDX or .npy files.
import { readdirSync, statSync } from "node:fs";

import { FASHION_MNIST_DIR, MNIST_DIR, findFashionMnist, findIdxFiles } from "../../runtime/data/fashionMnist.js";
import { CnncUserError } from "../errors.js";
import type { TrainConfig } from "../ir/graph.js";

export type { DataSource } from "../../runtime/training/trainingData.js";
import type { DataSource } from "../../runtime/training/trainingData.js";


function findMnist(directory: string): void {
  findIdxFiles(
    directory,
    (missing) =>
      new CnncUserError(`MNIST is not in \`${directory}\`: it lacks ${missing.join(", ")}`, {
        hint: `put MNIST's four IDX files there, or name their directory: --data DIR or \`data = mnist("DIR")\` in the train section`,
      }),
  );
}

/** A directory of IDX files (the MNIST names) or .npy files; anything else is an error saying which. */
function checkDataDirectory(directory: string, source: string): void {
  let entries: string[];
  try {
    if (!statSync(directory).isDirectory()) {
      throw new CnncUserError(`${source} \`${directory}\` is not a directory`, { hint: "give the directory holding the dataset's IDX or .npy files" });
    }
    entries = readdirSync(directory);
  } catch (error) {
    if (error instanceof CnncUserError) throw error;
    throw new CnncUserError(`${source} \`${directory}\` cannot be read: ${(error as Error).message}`, {
      hint: "give fashion-mnist, mnist, or an existing directory of IDX or .npy files",
      cause: error,
    });
  }
  if (entries.some((name) => name.endsWith(".npy"))) return;
  findIdxFiles(
    directory,
    (missing) =>
      new CnncUserError(`${source} \`${directory}\` holds no .npy files and lacks the IDX files ${missing.join(", ")}`, {
        hint: "a dataset directory holds train and test images and labels as .npy files, or as IDX files named as MNIST's",
      }),
  );
}

/**
 * The dataset to train on: `flag` (--data: `fashion-mnist`, `mnist`, or a directory; write `./mnist`
 * for a directory of that name) wins over the train section's `setting`; neither gives Fashion-MNIST.
 */
export function resolveDataSource(setting: TrainConfig["data"], flag: string | undefined): DataSource {
  if (flag !== undefined) {
    const kind = flag.trim().replace(/-/g, "_");
    if (kind === "fashion_mnist") return fashionMnist(FASHION_MNIST_DIR);
    if (kind === "mnist") return mnist(MNIST_DIR);
    checkDataDirectory(flag, "--data");
    return { kind: "directory", directory: flag };
  }
  if (setting === undefined) return fashionMnist(FASHION_MNIST_DIR);
  switch (setting.kind) {
    case "fashion_mnist":
      return fashionMnist(setting.path ?? FASHION_MNIST_DIR);
    case "mnist":
      return mnist(setting.path ?? MNIST_DIR);
    default:
      throw new CnncUserError(`cnnc train does not read \`${setting.kind}\` data: it reads Fashion-MNIST, MNIST, or a directory of IDX or .npy files`, {
        hint: `convert the dataset to .npy files (images N×C×H×W, labels N) and give their directory with --data DIR`,
      });
  }
}

function fashionMnist(directory: string): DataSource {
  findFashionMnist(directory);
  return { kind: "fashion_mnist", directory };
}

function mnist(directory: string): DataSource {
  findMnist(directory);
  return { kind: "mnist", directory };
}

