// A one-layer network computing a workload, as .cnn source: the conv or fc of the workload's shapes,
// with the epilogue its signature names (bias, folded batchnorm, a residual add, an activation) and
// the pool it computes, so that compiling it gives a kernel graph whose one scheduled kernel is the
// workload. The tuner times schedules on it (measure.ts).
import type { ConvShape, Workload } from "../../src/schedule/types.js";

export interface WorkloadNetwork {
  source: string;
  batch: number;
}

/** Stage names of an epilogue signature that are not activations. */
const NON_ACTIVATION_STAGES = new Set(["bias", "scale_shift", "batchnorm", "add"]);

export function workloadNetwork(workload: Workload): WorkloadNetwork {
  if (workload.op !== "conv" && workload.op !== "fc") {
    // The backward ops' workloads are timed inside a training step; their one-layer networks are the trainer's side (engineer B's part).
    throw new Error(`internal: measuring a ${workload.op} workload needs a training step, which workloadNetwork does not build`);
  }
  const stages = workload.epilogue === "" ? [] : workload.epilogue.split("+");
  const bias = stages.includes("bias");
  const tail = stages.flatMap((stage) => {
    if (stage === "scale_shift" || stage === "batchnorm") return ["batchnorm"];
    if (stage === "add") return ["add"];
    return NON_ACTIVATION_STAGES.has(stage) ? [] : [stage];
  });
  if (workload.op === "fc") {
    if (tail.includes("add")) throw new Error("internal: an fc workload with a residual add");
    return { batch: workload.batch, source: network([`input x: ${workload.inFeatures}`], [`fc(${workload.outFeatures}, bias=${bias}) as measured`, ...tail]) };
  }
  const conv = workload.conv;
  const oneD = conv.H === 1 && conv.KH === 1 && conv.OH === 1;
  const inputs = [`input x: ${oneD ? `${conv.C}x${conv.W}` : `${conv.C}x${conv.H}x${conv.W}`}`];
  if (tail.includes("add")) inputs.push(`input residual: ${oneD ? `${conv.K}x${conv.OW}` : `${conv.K}x${conv.OH}x${conv.OW}`}`);
  const layers = [`${convCall(conv, bias, oneD)} as measured`, ...tail];
  if (workload.pooled !== "") layers.push(poolCall(workload.pooled));
  return { batch: conv.batch, source: network(inputs, layers) };
}

/** The layers as statements from input x; an `add` starts a statement of its own (it takes its operands as arguments). */
function network(inputs: string[], layers: string[]): string {
  const statements: string[] = [];
  let chain = ["x"];
  for (const layer of layers) {
    if (layer !== "add") {
      chain.push(layer);
      continue;
    }
    statements.push(`beforeAdd = ${chain.join(" -> ")}`);
    chain = ["add(beforeAdd, residual)"];
  }
  statements.push(`out = ${chain.join(" -> ")}`);
  return `network Measured {\n${[...inputs, ...statements].map((line) => `  ${line}\n`).join("")}}\n`;
}

function convCall(conv: ConvShape, bias: boolean, oneD: boolean): string {
  const pair = ([h, w]: readonly [number, number]): string => (oneD ? `${w}` : `${h}x${w}`);
  const { top, bottom, left, right } = conv.padding;
  const pad = oneD ? `[${left}, ${right}]` : `[${top}, ${bottom}, ${left}, ${right}]`;
  return (
    `conv(${conv.K}, kernel=${pair([conv.KH, conv.KW])}, stride=${pair(conv.stride)}, pad=${pad}, dilation=${pair(conv.dilation)}, ` +
    `groups=${conv.groups}, bias=${bias}, padding_mode=${conv.paddingMode}, rounding=floor)`
  );
}

/** A pooled text (src/schedule/pooledText.ts: `max 2x2/2x2`, then ` pad T,B,L,R`, ` ceil`, ` count_pad`) -> the pool call. */
function poolCall(pooled: string): string {
  const match = /^(max|avg) (\d+)x(\d+)\/(\d+)x(\d+)(?: pad (\d+),(\d+),(\d+),(\d+))?( ceil)?( count_pad)?$/.exec(pooled);
  if (match === null) throw new Error(`internal: pooled signature "${pooled}" is not "max|avg HxW/SHxSW[ pad T,B,L,R][ ceil][ count_pad]"`);
  const [, kind, height, width, strideH, strideW, top, bottom, left, right, ceil, countPad] = match;
  const pad = top === undefined ? "" : `, pad=[${top}, ${bottom}, ${left}, ${right}]`;
  const countPadding = kind === "avg" ? `, count_pad=${countPad === undefined ? "false" : "true"}` : "";
  return `${kind}pool(${height}x${width}, stride=${strideH}x${strideW}${pad}, rounding=${ceil === undefined ? "floor" : "ceil"}${countPadding})`;
}
