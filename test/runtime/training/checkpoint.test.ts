// Checkpoints: a bit-exact round trip, a clear refusal of damaged, foreign, plain-weights and
// other-version files and of checkpoints of another run, and a failed write that keeps the last one.
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Checkpoint, checkpointMatches, loadCheckpoint, saveCheckpoint } from "../../../runtime/training/checkpoint.js";
import { writeSafetensorsFile } from "../../../runtime/safetensors.js";
import { makeTensor, type Tensor, type WeightMap } from "../../../src/tensor.js";
import { failingWrites } from "../../support/failingWrites.js";
import { seededRandom } from "../../support/seededRandom.js";
import { userError } from "../../support/userError.js";

const dir = fs.mkdtempSync(join(tmpdir(), "cnnc-checkpoint-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function randomTensor(random: () => number, shape: number[]): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return makeTensor(shape, Float32Array.from({ length: size }, () => random() * 2 - 1));
}

/** A small network's checkpoint; the first weight holds values whose bits a careless copy would change. */
function sampleCheckpoint(seed = 1): Checkpoint {
  const random = seededRandom(seed);
  const special = new Float32Array([0, -0, NaN, Infinity, -Infinity, 1e-45, -3.4e38, 1 / 3]);
  new Uint32Array(special.buffer)[2] = 0x7fa00001; // a NaN with a payload: kept, not canonicalized
  const weights: WeightMap = new Map([
    ["conv1.weight", makeTensor([2, 1, 2, 2], special)],
    ["conv1.bias", randomTensor(random, [2])],
    ["bn1.running_mean", randomTensor(random, [2])],
    ["bn1.running_var", randomTensor(random, [2])],
    // A layer named `optimizer`: its weight must not be taken for optimizer state.
    ["optimizer.weight", randomTensor(random, [3, 8])],
  ]);
  const optimizerState: WeightMap = new Map(
    ["conv1.weight", "conv1.bias", "optimizer.weight"].map((name) => [`${name}.momentum_buffer`, randomTensor(random, weights.get(name)!.shape)]),
  );
  return { network: "Tiny", step: 1234, epoch: 3, weights, optimizerState, settings: { optimizer: "sgd", seed: "7", batch: "64", data: "fashion_mnist:abc123" } };
}

const bitsOf = (tensor: Tensor | undefined) => [...new Uint32Array(tensor!.data.buffer, tensor!.data.byteOffset, tensor!.data.length)];

function expectSameTensors(actual: WeightMap, expected: WeightMap): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [name, tensor] of expected) {
    expect(actual.get(name)!.shape, name).toEqual(tensor.shape);
    expect(bitsOf(actual.get(name)), name).toEqual(bitsOf(tensor));
  }
}

describe("saveCheckpoint and loadCheckpoint", () => {
  it("round-trip weights, optimizer state, counters and settings bit for bit", () => {
    const path = join(dir, "round.safetensors");
    const checkpoint = sampleCheckpoint();
    saveCheckpoint(path, checkpoint);
    const loaded = loadCheckpoint(path);
    expect({ network: loaded.network, step: loaded.step, epoch: loaded.epoch, settings: loaded.settings }).toEqual({
      network: "Tiny",
      step: 1234,
      epoch: 3,
      settings: checkpoint.settings,
    });
    expectSameTensors(loaded.weights, checkpoint.weights);
    expectSameTensors(loaded.optimizerState, checkpoint.optimizerState);
    // Stored as the brief's layout: weights under their names, state under `optimizer.<param>.<state>`.
    const header = fs.readFileSync(path).subarray(8, 8 + Number(fs.readFileSync(path).readBigUInt64LE(0))).toString();
    expect(header).toContain('"optimizer.conv1.weight.momentum_buffer"');
    expect(header).toContain('"format":"cnnc-checkpoint"');
  });

  it("refuses a file truncated anywhere", () => {
    const path = join(dir, "whole.safetensors");
    saveCheckpoint(path, sampleCheckpoint());
    const bytes = fs.readFileSync(path);
    const headerEnd = 8 + Number(bytes.readBigUInt64LE(0));
    for (const cut of [0, 5, 8, 9, Math.floor(headerEnd / 2), headerEnd, headerEnd + 13, bytes.length - 1]) {
      const truncated = join(dir, `cut-${cut}.safetensors`);
      fs.writeFileSync(truncated, bytes.subarray(0, cut));
      const error = userError(() => loadCheckpoint(truncated));
      expect(error.message, `cut at ${cut}`).toMatch(new RegExp(`^\`${truncated}\` is not a readable checkpoint: `));
      expect(error.hint, `cut at ${cut}`).toMatch(/damaged or not a cnnc checkpoint.*train from the start without resuming/);
    }
  });

  it("refuses a file that is not safetensors", () => {
    const path = join(dir, "notes.txt");
    fs.writeFileSync(path, "step 1234: loss 0.31\nstep 1235: loss 0.30\n");
    expect(userError(() => loadCheckpoint(path)).message).toMatch(/is not a readable checkpoint: .*(truncated or not a safetensors file|header)/);
  });

  it("refuses a plain weights file and another safetensors format, saying what they are", () => {
    const weightsPath = join(dir, "weights.safetensors");
    writeSafetensorsFile(weightsPath, sampleCheckpoint().weights);
    const error = userError(() => loadCheckpoint(weightsPath));
    expect(error.message).toBe(`\`${weightsPath}\` is a weights file (safetensors with format "pt"), not a cnnc training checkpoint`);
    expect(error.hint).toMatch(/checkpoint written by `cnnc train`.*initial weights/);
    const otherPath = join(dir, "other.safetensors");
    writeSafetensorsFile(otherPath, sampleCheckpoint().weights, { format: "np" });
    expect(userError(() => loadCheckpoint(otherPath)).message).toMatch(/is a safetensors file of format "np", not a cnnc training checkpoint/);
  });

  it("refuses another checkpoint version, and damaged metadata", () => {
    const path = join(dir, "v2.safetensors");
    writeSafetensorsFile(path, new Map(), { format: "cnnc-checkpoint", cnnc_checkpoint_version: "2" });
    const error = userError(() => loadCheckpoint(path));
    expect(error.message).toBe(`\`${path}\` is a cnnc checkpoint of version 2; this cnnc reads version 1`);
    expect(error.hint).toMatch(/the cnnc that wrote it/);
    const damagedPath = join(dir, "damaged.safetensors");
    const metadata = { format: "cnnc-checkpoint", cnnc_checkpoint_version: "1", network: "Tiny", step: "-4", epoch: "0", optimizer_state: "[]", settings: "{}" };
    writeSafetensorsFile(damagedPath, new Map(), metadata);
    expect(userError(() => loadCheckpoint(damagedPath)).message).toMatch(/is a damaged checkpoint: its metadata `step` is "-4", not a count/);
    writeSafetensorsFile(damagedPath, new Map(), { ...metadata, step: "4", optimizer_state: '["conv1.weight.exp_avg"]' });
    expect(userError(() => loadCheckpoint(damagedPath)).message).toMatch(/lists optimizer state conv1.weight.exp_avg but holds no tensor optimizer.conv1.weight.exp_avg/);
  });

  it("keeps the previous checkpoint when a write fails part way", () => {
    const sub = fs.mkdtempSync(join(dir, "full-"));
    const path = join(sub, "last.safetensors");
    const previous = sampleCheckpoint(1);
    saveCheckpoint(path, previous);
    const fullAfter100Bytes = failingWrites("ENOSPC", 100);
    const error = userError(() => saveCheckpoint(path, { ...sampleCheckpoint(2), step: 2000 }, fullAfter100Bytes));
    expect(error.message).toBe(`cannot write \`${path}\`: the device is full`);
    const kept = loadCheckpoint(path);
    expect(kept.step).toBe(1234);
    expectSameTensors(kept.weights, previous.weights);
    expect(fs.readdirSync(sub)).toEqual(["last.safetensors"]);
  });
});

describe("checkpointMatches", () => {
  const checkpoint = sampleCheckpoint();
  const shapes = (tensors: WeightMap) => [...tensors].map(([name, tensor]) => ({ name, shape: [...tensor.shape] }));
  const expected = { network: "Tiny", weights: shapes(checkpoint.weights), optimizerState: shapes(checkpoint.optimizerState), settings: { ...checkpoint.settings } };

  it("accepts the run that wrote it", () => {
    expect(() => checkpointMatches(checkpoint, expected, "last.safetensors")).not.toThrow();
  });

  it("names another network", () => {
    const error = userError(() => checkpointMatches(checkpoint, { ...expected, network: "Other" }, "last.safetensors"));
    expect(error.message).toBe("checkpoint `last.safetensors` is of network `Tiny`, not `Other`");
    expect(error.hint).toMatch(/network and settings that wrote it/);
  });

  it("names other settings: another optimizer, a setting not recorded", () => {
    const error = userError(() => checkpointMatches(checkpoint, { ...expected, settings: { ...expected.settings, optimizer: "adamw", loss: "mse" } }));
    expect(error.message).toBe("the checkpoint was written with other settings:\n  optimizer: sgd in the checkpoint, adamw now\n  loss: (not recorded) in the checkpoint, mse now");
  });

  it("names missing, extra and mis-shaped tensors", () => {
    const weights = expected.weights.filter((w) => w.name !== "bn1.running_var").concat([{ name: "fc.weight", shape: [10, 8] }]);
    const weightsError = userError(() => checkpointMatches(checkpoint, { ...expected, weights }));
    expect(weightsError.message).toMatch(/^the checkpoint's weights do not match this run \(2 problems\):\n {2}missing fc.weight, expected shape \[10, 8\]\n {2}unexpected tensor bn1.running_var/);
    const optimizerState = expected.optimizerState.map((s) => (s.name === "conv1.bias.momentum_buffer" ? { ...s, shape: [3] } : s));
    const stateError = userError(() => checkpointMatches(checkpoint, { ...expected, optimizerState }));
    expect(stateError.message).toMatch(/^the checkpoint's optimizer state does not match this run \(1 problem\):\n {2}conv1.bias.momentum_buffer has shape \[2\], expected \[3\]/);
  });
});
