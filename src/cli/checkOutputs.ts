// What `cnnc run` says about its outputs beyond the preview: a warning when an output holds NaN or
// Inf, and `--check`, the comparison with the CPU reference. NaN and Inf are never hidden: an output
// holding any fails --check (even where the reference agrees), and --check then names where they
// first appeared (a network input, or the first layer producing them, found by re-running layer by
// layer) and what the float64 reference computes there: float32 overflow, the same NaN/Inf (the network
// itself produces them for this input), or finite values (a kernel bug).
import { CHECK_TOLERANCE_TEXT, compareOutput, type OutputComparison } from "../../runtime/compareOutputs.js";
import { intermediateBound } from "../../runtime/float32Bounds.js";
import {
  describeNonFinite,
  FLOAT32_MAX,
  judgeReferenceValue,
  locateFirstNonFinite,
  nonFiniteCount,
  scanNonFinite,
  type LayerByLayerRunner,
  type NonFiniteOrigin,
  type NonFiniteScan,
} from "../../runtime/nonFinite.js";
import { formatLocation } from "../elaborate/reporter.js";
import { CnncUserError } from "../errors.js";
import { opLabel } from "../ir/opLabel.js";
import { runReference } from "../reference/interpret.js";
import type { Tensor, WeightMap } from "../tensor.js";
import type { LineOutput } from "./lineOutput.js";

/** Each output's NaN/Inf scan, by output name: made once per run, for the warning or --check. */
export function scanOutputs(outputs: Map<string, Tensor>): Map<string, NonFiniteScan> {
  return new Map([...outputs].map(([name, tensor]) => [name, scanNonFinite(tensor.data)] as const));
}

const NON_FINITE_HELP = "run with --check to find the layer that first produces them and what the CPU reference computes there";

/**
 * Warns on stderr about each output holding NaN or Inf (a plain run: the exit status stays 0). `help`
 * says how to find where they come from (a built plan's run has no --check).
 */
export function warnNonFiniteOutputs(outputs: Map<string, Tensor>, output: LineOutput, scans = scanOutputs(outputs), help = NON_FINITE_HELP): void {
  for (const [name, tensor] of outputs) {
    const scan = scans.get(name)!;
    if (scan.firstIndex === undefined) continue;
    output.err(`warning: output ${name} holds ${describeNonFinite(scan, tensor.shape)}`);
    output.err(`  = help: ${help}`);
  }
}

/** What --check needs of a Session: its graph and weights, and a layer-by-layer re-run to locate NaN/Inf. */
export interface CheckedRun extends LayerByLayerRunner {
  readonly weights: WeightMap;
}

/**
 * `--check`: compares every output with the reference and prints one line each, explains any NaN or
 * Inf, and returns whether everything passed. `scans`: the outputs' scanOutputs, when the caller has it.
 */
export async function checkOutputs(
  session: CheckedRun,
  inputs: Map<string, Tensor>,
  outputs: Map<string, Tensor>,
  output: LineOutput,
  scans = scanOutputs(outputs),
): Promise<boolean> {
  const graph = session.graph;
  const gpuNonFinite = [...scans.values()].some((scan) => scan.firstIndex !== undefined);
  // Where NaN/Inf first appeared decides which reference values are needed: a layer and its inputs
  // (to judge the layer), none when an input already holds them.
  const origin = gpuNonFinite ? await locateFirstNonFinite(session, inputs) : undefined;
  const keep = origin?.kind === "layer" ? [origin.node.id, ...origin.node.inputs] : undefined;
  const reference = runReference(graph, inputs, session.weights, keep === undefined ? {} : { keep });
  const comparisons: OutputComparison[] = [];
  for (const [name, expected] of reference.outputs) {
    const actual = outputs.get(name);
    if (actual === undefined) throw new Error(`internal: the GPU run has no output ${name}`);
    const comparison = compareOutput(name, actual, expected, scans.get(name));
    comparisons.push(comparison);
    output.out(`check ${name}: ${verdict(comparison, actual.shape)}`);
  }
  let explanation: OriginExplanation | undefined;
  if (gpuNonFinite) {
    explanation = explainOrigin(origin, session, reference.values);
    for (const line of explanation.lines) output.out(`check: ${line}`);
  }
  output.out(`check tolerance: ${CHECK_TOLERANCE_TEXT}`);
  const nonFinite = comparisons.filter((comparison) => nonFiniteCount(comparison.gpu) > 0 || nonFiniteCount(comparison.reference) > 0);
  if (nonFinite.length > 0) {
    const names = nonFinite.map((comparison) => comparison.name).join(", ");
    const subject = nonFinite.length === 1 ? `output ${names} holds` : `outputs ${names} hold`;
    // Without an explanation the GPU's outputs are finite where the reference's are not: a NaN was lost.
    const error =
      explanation === undefined
        ? new CnncUserError(`the CPU reference's ${subject} NaN or Inf where the GPU's is finite (see the check lines above)`, {
            hint: "the GPU lost NaN or Inf that the CPU reference computes: this is a bug in cnnc, please report it",
          })
        : new CnncUserError(`${subject} NaN or Inf (see the check lines above)`, { hint: explanation.hint });
    output.err(error.describe());
    return false;
  }
  if (comparisons.some((comparison) => !comparison.passed)) {
    output.err("error: the GPU result differs from the CPU reference beyond the tolerance");
    return false;
  }
  return true;
}

function errors(comparison: OutputComparison): string {
  return `max abs error ${comparison.maxAbsError.toExponential(2)}, max rel error ${comparison.maxRelError.toExponential(2)}`;
}

/** The text after `check NAME: `. */
function verdict(comparison: OutputComparison, shape: readonly number[]): string {
  const { gpu, reference, failures, elements, finiteElements } = comparison;
  if (nonFiniteCount(gpu) === 0 && nonFiniteCount(reference) === 0) {
    return `${errors(comparison)}: ${failures === 0 ? "ok" : `FAILED (${failures} of ${elements} elements out of tolerance)`}`;
  }
  const gpuPart = nonFiniteCount(gpu) > 0 ? `the GPU output holds ${describeNonFinite(gpu, shape)}` : "the GPU output is finite";
  const referencePart =
    failures === 0
      ? "so does the reference's, at the same elements"
      : `the reference's ${nonFiniteCount(reference) > 0 ? `holds ${describeNonFinite(reference, shape)}` : "is finite"}; ${failures} of ${elements} elements disagree`;
  const finitePart = finiteElements === 0 ? "" : ` (over the ${finiteElements} elements finite on both sides: ${errors(comparison)})`;
  return `FAILED: ${gpuPart}; ${referencePart}${finitePart}`;
}

interface OriginExplanation {
  lines: string[];
  /** How to fix it, for the final error. */
  hint: string;
}

/** Where the GPU's NaN/Inf first appeared, what the reference computes there, and what to do. */
function explainOrigin(
  origin: NonFiniteOrigin | undefined,
  run: CheckedRun,
  referenceValues: Map<number, Float64Array> | undefined,
): OriginExplanation {
  if (origin === undefined) {
    return {
      lines: ["re-running layer by layer found no NaN or Inf: the GPU gave different results on the two runs"],
      hint: "a GPU result that changes from run to run is a bug in cnnc or in the GPU driver: please report it",
    };
  }
  const { node, scan, shape } = origin;
  if (origin.kind === "input") {
    return {
      lines: [`the input ${node.name} itself holds ${describeNonFinite(scan, shape)}; the network propagates them`],
      hint: `replace the NaN/Inf in input ${node.name} by finite values`,
    };
  }
  const first = `the first layer producing NaN or Inf is ${node.name} (${opLabel(node.attrs)} at ${formatLocation(node.span)}), from finite inputs: ${describeNonFinite(scan, shape)}`;
  const referenceValue = referenceValues?.get(node.id);
  if (referenceValues === undefined || referenceValue === undefined) throw new Error(`internal: the reference kept no value for ${node.name}`);
  const reference = judgeReferenceValue(referenceValue, intermediateBound(run.graph, node, referenceValues, run.weights));
  const float32Max = FLOAT32_MAX.toExponential(1);
  switch (reference.kind) {
    case "overflow":
      return {
        lines: [
          first,
          `layer ${node.name} overflows float32: the reference's largest |value| there is ${reference.largest.toExponential(1)}, ` +
            `above float32's ${float32Max}`,
        ],
        hint: `scale the input or the weights down so that the values of layer ${node.name} stay below ${float32Max}`,
      };
    case "intermediate-overflow":
      return {
        lines: [
          first,
          `layer ${node.name} overflows float32 inside its computation: the reference's largest |value| there is ` +
            `${reference.largest.toExponential(1)}, but ${reference.intermediate.description} can reach ` +
            `${reference.intermediate.bound.toExponential(1)}, above float32's ${float32Max}`,
        ],
        hint: `scale the input or the weights down so that the sums inside layer ${node.name} stay below ${float32Max}`,
      };
    case "non-finite":
      return {
        lines: [
          first,
          `the reference computes NaN or Inf at ${node.name} too: ${describeNonFinite(reference.scan, shape)}; ` +
            "this input with these weights makes the network itself produce them",
        ],
        hint: `look at the weights of ${node.name} and at the values reaching it`,
      };
    case "finite":
      return {
        lines: [
          first,
          `the reference is finite at ${node.name} (largest |value| ${reference.largest.toExponential(1)}), and so is everything ` +
            "computing it in float32: its GPU kernel should not produce NaN or Inf",
        ],
        hint: `the GPU kernel of ${node.name} is wrong where the reference is finite: this is a bug in cnnc, please report it`,
      };
  }
}
