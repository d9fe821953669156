// The data of a training run: the train and test splits, from Debian's Fashion-MNIST, an MNIST-format
// directory (IDX files, raw or gzip) or a directory of .npy files (train_images.npy, train_labels.npy,
// test_images.npy, test_labels.npy), optionally cut to the first `limit` images of each split, with
// the per-channel standardization computed from the training split.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { CnncUserError } from "../../src/errors.js";
import { datasetFromIdx, datasetFromNpy, type Dataset } from "../data/dataset.js";
import { findIdxFiles, type IdxDatasetFiles } from "../data/fashionMnist.js";
import { channelStatistics } from "../data/normalize.js";
import type { TrainingData } from "./trainingRun.js";

/** Where a run's data is (src/cli/trainData.ts resolves and checks it). */
export type DataSource = { kind: "fashion_mnist" | "mnist"; directory: string } | { kind: "directory"; directory: string };

const NPY_FILES = { trainImages: "train_images.npy", trainLabels: "train_labels.npy", testImages: "test_images.npy", testLabels: "test_labels.npy" };

export interface LoadOptions {
  /** Classes the network's output distinguishes (labels must lie below). */
  classCount: number;
  /** Keep the first `limit` images of each split. */
  limit?: number;
  classNames: (kind: string, classes: number) => string[];
}

function npyFiles(directory: string): typeof NPY_FILES | undefined {
  const paths = Object.fromEntries(Object.entries(NPY_FILES).map(([key, name]) => [key, join(directory, name)])) as typeof NPY_FILES;
  return Object.values(paths).every((path) => existsSync(path)) ? paths : undefined;
}

export function loadTrainingData(source: DataSource, options: LoadOptions): TrainingData {
  const directory = resolve(source.directory);
  const datasetOptions = { classCount: options.classCount, ...(options.limit === undefined ? {} : { limit: options.limit }) };
  let train: Dataset;
  let test: Dataset;
  const npy = source.kind === "directory" ? npyFiles(directory) : undefined;
  if (npy !== undefined) {
    train = datasetFromNpy(npy.trainImages, npy.trainLabels, datasetOptions);
    test = datasetFromNpy(npy.testImages, npy.testLabels, datasetOptions);
  } else {
    const files = idxFiles(source, directory);
    train = datasetFromIdx(files.trainImages, files.trainLabels, datasetOptions);
    test = datasetFromIdx(files.testImages, files.testLabels, datasetOptions);
  }
  if (train.shape.slice(1).join("x") !== test.shape.slice(1).join("x")) {
    throw new CnncUserError(`the train images are ${train.shape.slice(1).join("x")} but the test images ${test.shape.slice(1).join("x")}`, {
      hint: "both splits must hold images of one shape",
    });
  }
  const kind = source.kind === "directory" ? "directory" : source.kind;
  return {
    train,
    test,
    normalization: channelStatistics(train),
    identity: `${kind}:${directory}${options.limit === undefined ? "" : ` (first ${options.limit})`}`,
    classNames: options.classNames(kind, options.classCount),
  };
}

/** The four IDX files of `directory` (named as MNIST's), or an error naming what is missing. */
function idxFiles(source: DataSource, directory: string): IdxDatasetFiles {
  const what = source.kind === "fashion_mnist" ? "Fashion-MNIST" : source.kind === "mnist" ? "MNIST" : "the dataset";
  return findIdxFiles(
    directory,
    (missing) =>
      new CnncUserError(`${what} is not in \`${directory}\`: it lacks ${missing.join(", ")}`, {
        hint:
          source.kind === "fashion_mnist"
            ? "install Debian's dataset-fashion-mnist package: `sudo apt-get install dataset-fashion-mnist` (or run `scripts/setup-system.sh --data`)"
            : `give a directory with MNIST-format files, or with ${Object.values(NPY_FILES).join(", ")}`,
      }),
  );
}
