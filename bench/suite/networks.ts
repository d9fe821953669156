// Part 2 of the suite: whole networks, inference images/s at each batch, on cnnc (fused with the
// default schedules, tuned where the adapter module has a tuner, and --no-fuse) and on tfjs-webgpu
// running the same architecture with the same seeded weights (tfjsGraph.ts), interleaved round by
// round on one device. tfjs's outputs are checked against cnnc's fused outputs, and cnnc's
// configurations against each other; a time without agreeing outputs does not count and says why.
import { readFileSync } from "node:fs";

import * as tf from "@tensorflow/tfjs-core";

import { formatDiagnostics, hasErrors } from "../../grammar/diagnostics.js";
import { compareOutput, CHECK_TOLERANCE_TEXT } from "../../runtime/compareOutputs.js";
import { initWeights, randomNormalTensor } from "../../runtime/init.js";
import { createSession, type Session } from "../../runtime/session.js";
import { CnncUserError } from "../../src/errors.js";
import { compileSource } from "../../src/compile.js";
import type { Graph } from "../../src/ir/graph.js";
import type { Tensor } from "../../src/tensor.js";
import type { TfjsWebgpu } from "../peers/tfjsWebgpu.js";
import { tunedNetworkSchedule } from "./schedules.js";
import { buildTfjsModel, type TfjsModel } from "./tfjsGraph.js";
import { round, spreadOf, timeInterleaved, type Contestant, type Spread } from "./timing.js";

/** Timed rounds of one network and batch stop past this (after at least MIN_ROUNDS). */
export const NETWORK_BUDGET_SECONDS = 40;

export interface NetworkCase {
  name: string;
  file: string;
  batches: number[];
}

export interface ConfigurationResult {
  /** `cnnc fused`, `cnnc fused+tuned`, `cnnc --no-fuse`, `tfjs-webgpu`. */
  name: string;
  /** Undefined when not measured or its outputs disagree: `note` says why. */
  time?: Spread & { imagesPerSecond: number };
  note?: string;
  maxAbsErrorVsFused?: number;
}

export interface NetworkResult {
  network: string;
  file: string;
  batch: number;
  configurations: ConfigurationResult[];
}

export function loadNetwork(file: string): Graph {
  const result = compileSource(readFileSync(file, "utf8"), file);
  if (hasErrors(result.diagnostics) || result.graph === undefined) throw new Error(`${file} does not compile:\n${formatDiagnostics(result.diagnostics, result.sources)}`);
  return result.graph;
}

/** Uploads, runs and reads back a tfjs model's outputs (in cnnc's layout); frees every tensor it made. */
export async function runTfjsModel(model: TfjsModel, prepared: ReadonlyMap<string, { data: Float32Array; shape: number[] }>): Promise<Map<string, Tensor>> {
  const inputs = new Map([...prepared].map(([name, { data, shape }]) => [name, tf.tensor(data, shape)]));
  const outputs: Record<string, tf.Tensor> = tf.tidy(() => Object.fromEntries(model.forward(inputs, false)));
  try {
    const result = new Map<string, Tensor>();
    for (const [name, tensor] of Object.entries(outputs)) result.set(name, model.outputAsCnnc(name, await tensor.data<"float32">(), tensor.shape));
    return result;
  } finally {
    for (const tensor of inputs.values()) tensor.dispose();
    for (const tensor of Object.values(outputs)) tensor.dispose();
  }
}

/** The largest element error of `actual` against `expected` over every output, or why they disagree. */
function agreement(actual: ReadonlyMap<string, Tensor>, expected: ReadonlyMap<string, Tensor>): { maxAbsError: number; problem?: string } {
  let maxAbsError = 0;
  for (const [name, tensor] of expected) {
    const other = actual.get(name);
    if (other === undefined) return { maxAbsError, problem: `no output ${name}` };
    const comparison = compareOutput(name, other, tensor);
    maxAbsError = Math.max(maxAbsError, comparison.maxAbsError);
    if (!comparison.passed) return { maxAbsError, problem: `output ${name}: ${comparison.failures} of ${comparison.elements} elements beyond ${CHECK_TOLERANCE_TEXT} (max abs error ${comparison.maxAbsError.toExponential(2)})` };
  }
  return { maxAbsError };
}

/** Measures one network at one batch on `peer`'s device. */
export async function measureNetwork(peer: TfjsWebgpu, network: NetworkCase, batch: number, rounds: number): Promise<NetworkResult> {
  const graph = loadNetwork(network.file);
  const weights = initWeights(graph, 0);
  const inputs = new Map(graph.inputs.map((id) => [graph.nodes[id]!.name, randomNormalTensor([batch, ...graph.nodes[id]!.shape], 0, `input:${id}`)] as const));
  const tuned = await tunedNetworkSchedule(peer.gpu, graph, batch);
  const sessions: { name: string; session: Session; outputs?: Map<string, Tensor> }[] = [];
  let model: TfjsModel | undefined;
  let tfjsProblem: string | undefined;
  const configurations: ConfigurationResult[] = [];
  try {
    const cnncConfigurations = [
      { name: "cnnc fused", fuse: true, tunedSchedule: undefined },
      { name: "cnnc fused+tuned", fuse: true, tunedSchedule: tuned },
      { name: "cnnc --no-fuse", fuse: false, tunedSchedule: undefined },
    ];
    for (const { name, fuse, tunedSchedule } of cnncConfigurations) {
      const session = await createSession(graph, { gpu: peer.gpu, weights, fuse, ...(tunedSchedule === undefined ? {} : { tunedSchedule }) });
      sessions.push({ name, session });
      await session.prepare(batch);
    }
    const contestants: Contestant[] = sessions.map((entry) => ({
      name: entry.name,
      run: async () => {
        entry.outputs = await entry.session.run(inputs);
      },
    }));
    let tfjsOutputs: Map<string, Tensor> | undefined;
    const errorsBefore = peer.validationErrors();
    try {
      const built = buildTfjsModel(graph, weights);
      model = built;
      const prepared = built.prepareInputs(inputs);
      contestants.push({
        name: "tfjs-webgpu",
        run: async () => {
          tfjsOutputs = await runTfjsModel(built, prepared);
        },
      });
    } catch (error) {
      if (!(error instanceof CnncUserError)) throw error;
      tfjsProblem = error.message;
    }
    const times = await timeInterleaved(contestants, rounds, 1, NETWORK_BUDGET_SECONDS);
    const fused = sessions[0]!.outputs!;
    const timed = (name: string): ConfigurationResult["time"] => {
      const spread = spreadOf(times.get(name)!);
      return { ...spread, imagesPerSecond: round((batch * 1000) / spread.medianMs, 1) };
    };
    for (const { name, outputs } of sessions) {
      const { maxAbsError, problem } = agreement(outputs!, fused);
      configurations.push(problem === undefined ? { name, time: timed(name), maxAbsErrorVsFused: maxAbsError } : { name, note: `disagrees with cnnc fused: ${problem}; its time does not count`, maxAbsErrorVsFused: maxAbsError });
    }
    if (tfjsProblem !== undefined) {
      configurations.push({ name: "tfjs-webgpu", note: tfjsProblem });
    } else {
      const errors = peer.validationErrors() - errorsBefore;
      const { maxAbsError, problem } = agreement(tfjsOutputs!, fused);
      if (errors > 0) configurations.push({ name: "tfjs-webgpu", note: `${errors} WebGPU errors on tfjs's device (${peer.errorMessages()[0] ?? ""}); its time does not count` });
      else if (problem !== undefined) configurations.push({ name: "tfjs-webgpu", note: `disagrees with cnnc fused: ${problem}; its time does not count`, maxAbsErrorVsFused: maxAbsError });
      else configurations.push({ name: "tfjs-webgpu", time: timed("tfjs-webgpu"), maxAbsErrorVsFused: maxAbsError });
    }
    return { network: network.name, file: network.file, batch, configurations };
  } finally {
    for (const { session } of sessions) session.destroy();
    model?.dispose();
  }
}
