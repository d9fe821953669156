// Training checkpoints: one safetensors file holding the weights under their PyTorch names (running
// statistics included), the optimizer state under `optimizer.<param>.<state>`, and in `__metadata__`
// what resuming needs to know (`format: "cnnc-checkpoint"`, the version, network, step, epoch and the
// run's settings). Written atomically, so a crash or a full disk never leaves a half-written
// checkpoint in place of the last good one; read back with a clear refusal for anything else.
import { CnncUserError } from "../../src/errors.js";
import { shapeSize } from "../../src/ir/graph.js";
import { makeTensor, type WeightMap } from "../../src/tensor.js";
import { dataFileKind, readUserFile } from "../readUserFile.js";
import { refusePytorchBytes, refusePytorchPath } from "../pytorchWeights.js";
import { readSafetensors, writeSafetensorsFile } from "../safetensors.js";
import { type ExpectedWeight, problemList, weightProblems } from "../weightMismatch.js";
import { decodeSafetensorsHeader } from "../safetensorsHeader.js";
import type { WriteFileSystem } from "../writeUserFile.js";

export interface Checkpoint {
  /** The network's name. */
  network: string;
  /** Optimizer steps taken. */
  step: number;
  /** Epochs completed. */
  epoch: number;
  /** PyTorch state_dict names, running statistics included. */
  weights: WeightMap;
  /** `<param>.<state>`, e.g. `conv1.weight.momentum_buffer`. */
  optimizerState: WeightMap;
  /** What resuming must match (optimizer kind, seed, batch, data identity, ...). */
  settings: Record<string, string>;
}

export const CHECKPOINT_FORMAT = "cnnc-checkpoint";
export const CHECKPOINT_VERSION = 1;
const STATE_PREFIX = "optimizer.";

const METADATA = {
  format: "format",
  version: "cnnc_checkpoint_version",
  network: "network",
  step: "step",
  epoch: "epoch",
  /** JSON list of the optimizer-state names (`<param>.<state>`), so a weight named `optimizer.x` stays a weight. */
  optimizerState: "optimizer_state",
  /** JSON object of strings. */
  settings: "settings",
} as const;

const START_OVER = "train from the start without resuming";
const START_OVER_HINT = `resume from another checkpoint, or ${START_OVER}`;

/** Writes `checkpoint` to `path` atomically (the previous file stays intact if the write fails). */
export function saveCheckpoint(path: string, checkpoint: Checkpoint, fileSystem?: WriteFileSystem): void {
  checkCount("step", checkpoint.step);
  checkCount("epoch", checkpoint.epoch);
  const tensors: WeightMap = new Map(checkpoint.weights);
  for (const [name, tensor] of checkpoint.optimizerState) {
    const stored = `${STATE_PREFIX}${name}`;
    if (tensors.has(stored)) throw new Error(`internal: checkpoint tensor ${stored} is both a weight and optimizer state`);
    tensors.set(stored, tensor);
  }
  const metadata: Record<string, string> = {
    [METADATA.format]: CHECKPOINT_FORMAT,
    [METADATA.version]: String(CHECKPOINT_VERSION),
    [METADATA.network]: checkpoint.network,
    [METADATA.step]: String(checkpoint.step),
    [METADATA.epoch]: String(checkpoint.epoch),
    [METADATA.optimizerState]: JSON.stringify([...checkpoint.optimizerState.keys()]),
    [METADATA.settings]: JSON.stringify(checkpoint.settings),
  };
  writeSafetensorsFile(path, tensors, metadata, fileSystem);
}

function checkCount(what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`internal: checkpoint ${what} ${value}`);
}

/** Reads a checkpoint written by saveCheckpoint; anything else is a CnncUserError saying what it is. */
export function loadCheckpoint(path: string): Checkpoint {
  const bytes = readUserFile(path, dataFileKind("checkpoint"));
  let layout: ReturnType<typeof decodeSafetensorsHeader>;
  try {
    layout = decodeSafetensorsHeader(bytes, path);
  } catch (error) {
    if (!(error instanceof CnncUserError)) throw error;
    throw new CnncUserError(`\`${path}\` is not a readable checkpoint: ${error.message}`, {
      hint: `the file is damaged or not a cnnc checkpoint (was its write cut short, or the copy incomplete?): ${START_OVER_HINT}`,
      cause: error,
    });
  }
  const { entries, dataStart, metadata } = layout;
  const format = metadata[METADATA.format];
  if (format !== CHECKPOINT_FORMAT) {
    const what = format === "pt" ? "a weights file (safetensors with format \"pt\")" : format === undefined ? "a safetensors file without cnnc checkpoint metadata" : `a safetensors file of format "${format}"`;
    throw new CnncUserError(`\`${path}\` is ${what}, not a cnnc training checkpoint`, {
      hint: "resume from a checkpoint written by `cnnc train`; to start training from these weights, load them as the initial weights instead",
    });
  }
  const version = metadata[METADATA.version];
  if (version !== String(CHECKPOINT_VERSION)) {
    throw new CnncUserError(`\`${path}\` is a cnnc checkpoint of version ${version ?? "(none)"}; this cnnc reads version ${CHECKPOINT_VERSION}`, {
      hint: `resume it with the cnnc that wrote it, or ${START_OVER}`,
    });
  }
  const damaged = (detail: string) => new CnncUserError(`\`${path}\` is a damaged checkpoint: ${detail}`, { hint: START_OVER_HINT });
  const count = (key: string): number => {
    const text = metadata[key];
    const value = text === undefined || !/^\d+$/.test(text) ? NaN : Number(text);
    if (!Number.isSafeInteger(value)) throw damaged(`its metadata \`${key}\` is ${text === undefined ? "missing" : `"${text}"`}, not a count`);
    return value;
  };
  const network = metadata[METADATA.network];
  if (network === undefined) throw damaged("its metadata has no network name");
  const stateNames = parseJson(metadata[METADATA.optimizerState], (value): value is string[] => Array.isArray(value) && value.every((name) => typeof name === "string"));
  if (stateNames === undefined) throw damaged(`its metadata \`${METADATA.optimizerState}\` is not a list of names`);
  const settings = parseJson(metadata[METADATA.settings], (value): value is Record<string, string> => isStringRecord(value));
  if (settings === undefined) throw damaged(`its metadata \`${METADATA.settings}\` is not a map of strings`);

  const tensors: WeightMap = new Map();
  for (const entry of entries) {
    if (entry.dtype !== "F32") throw damaged(`tensor ${entry.name} is ${entry.dtype}; checkpoints hold F32 only`);
    const start = dataStart + entry.begin;
    // A copy: the checkpoint's tensors outlive the file's bytes, and need not be 4-byte aligned there.
    const data = new Float32Array(new Uint8Array(bytes.subarray(start, start + shapeSize(entry.shape) * 4)).buffer);
    tensors.set(entry.name, makeTensor(entry.shape, data));
  }
  const optimizerState: WeightMap = new Map();
  for (const name of stateNames) {
    const tensor = tensors.get(`${STATE_PREFIX}${name}`);
    if (tensor === undefined) throw damaged(`it lists optimizer state ${name} but holds no tensor ${STATE_PREFIX}${name}`);
    optimizerState.set(name, tensor);
    tensors.delete(`${STATE_PREFIX}${name}`);
  }
  return { network, step: count(METADATA.step), epoch: count(METADATA.epoch), weights: tensors, optimizerState, settings };
}

function parseJson<T>(text: string | undefined, accept: (value: unknown) => value is T): T | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return accept(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.values(value).every((entry) => typeof entry === "string");
}

export interface ExpectedCheckpoint {
  network: string;
  weights: readonly ExpectedWeight[];
  optimizerState: readonly ExpectedWeight[];
  settings: Record<string, string>;
}

/**
 * Throws a CnncUserError naming what in `checkpoint` differs from the run about to resume: another
 * network, other settings (another optimizer, batch, ...), missing, extra or mis-shaped tensors.
 * `source` is the checkpoint's path, for the message.
 */
export function checkpointMatches(checkpoint: Checkpoint, expected: ExpectedCheckpoint, source = "the checkpoint"): void {
  const subject = source === "the checkpoint" ? source : `checkpoint \`${source}\``;
  const hint = `resume with the network and settings that wrote it, or ${START_OVER}`;
  if (checkpoint.network !== expected.network) {
    throw new CnncUserError(`${subject} is of network \`${checkpoint.network}\`, not \`${expected.network}\``, { hint });
  }
  const differences: string[] = [];
  for (const key of new Set([...Object.keys(expected.settings), ...Object.keys(checkpoint.settings)])) {
    const saved = checkpoint.settings[key];
    const now = expected.settings[key];
    if (saved !== now) differences.push(`${key}: ${saved === undefined ? "(not recorded)" : saved} in the checkpoint, ${now === undefined ? "(not set)" : now} now`);
  }
  if (differences.length > 0) {
    throw new CnncUserError(`${subject} was written with other settings:\n  ${differences.join("\n  ")}`, { hint });
  }
  for (const [what, expectedTensors, tensors] of [
    ["weights", expected.weights, checkpoint.weights],
    ["optimizer state", expected.optimizerState, checkpoint.optimizerState],
  ] as const) {
    const problems = weightProblems(expectedTensors, tensors);
    if (problems.length > 0) throw new CnncUserError(`${subject}'s ${what} ${what === "weights" ? "do" : "does"} not match this run ${problemList(problems)}`, { hint });
  }
}

/**
 * The weights of a `--weights` file: a plain state_dict in safetensors, or a cnnc training checkpoint,
 * whose optimizer state is left out (so `cnnc run --weights RUN_DIR/checkpoint.safetensors` works).
 */
export function readWeightsFile(path: string): WeightMap {
  refusePytorchPath(path);
  const bytes = readUserFile(path, dataFileKind("safetensors file"));
  let format: string | undefined;
  try {
    format = decodeSafetensorsHeader(bytes, path).metadata[METADATA.format];
  } catch {
    refusePytorchBytes(path, bytes);
    format = undefined; // readSafetensors reports what is wrong with the file
  }
  return format === CHECKPOINT_FORMAT ? loadCheckpoint(path).weights : readSafetensors(bytes, path);
}
