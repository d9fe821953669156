// A Plan as the files of a build directory: plan.json (every field of the plan but the WGSL, in a fixed
// key order) and one kernels/<key>.wgsl per program. Same plan, byte-identical files: no timestamps,
// no absolute paths, keys in the order written here, a trailing newline.
import { compactJson } from "../cli/compactJson.js";
import type { Plan, PlanBuffer } from "../codegen/plan.js";
import type { DerivedParam } from "../kernels/kernelGraph.js";
import { kernelFileOf, PLAN_FORMAT, PLAN_FORMAT_VERSION, PROGRAM_KEY_PATTERN, wgslSha256 } from "./planFormat.js";

export interface SerializedPlan {
  planJson: string;
  /** File name under kernels/ (`<key>.wgsl`) -> WGSL text, in program order. */
  kernels: Map<string, string>;
}

/** A buffer's fields in a fixed order, optional ones only when present. */
function bufferJson(buffer: PlanBuffer): Record<string, unknown> {
  return {
    id: buffer.id,
    label: buffer.label,
    role: buffer.role,
    bytes: buffer.bytes,
    paramName: buffer.paramName,
    paramSlice: buffer.paramSlice === undefined ? undefined : { firstElement: buffer.paramSlice.firstElement, tensorBytes: buffer.paramSlice.tensorBytes },
    node: buffer.node,
    values: buffer.values,
    shape: buffer.shape,
  };
}

/** A derived parameter's fields in a fixed order (a batchnorm fold's, or a Winograd filter transform's). */
function derivedJson(derived: DerivedParam): Record<string, unknown> {
  const { name, transform, layer } = derived;
  if (derived.transform === "winograd_filter") {
    const { variant, from, filters, channelsPerGroup, elements } = derived;
    return { name, transform, variant, layer, from: { weight: from.weight }, filters, channelsPerGroup, elements };
  }
  const { from, eps, elements } = derived;
  return { name, transform, layer, from: { weight: from.weight, bias: from.bias, runningMean: from.runningMean, runningVar: from.runningVar }, eps, elements };
}

/** Checks what the format stores once (a program's WGSL and entry point) is the same for each of its steps. */
function checkSteps(plan: Plan): void {
  const programs = new Map(plan.programs.map((program) => [program.key, program]));
  if (programs.size !== plan.programs.length) throw new Error(`internal: plan ${plan.network} has two programs with one key`);
  for (const program of plan.programs) {
    if (!PROGRAM_KEY_PATTERN.test(program.key)) throw new Error(`internal: program key \`${program.key}\` is not a file name`);
  }
  for (const step of plan.steps) {
    const program = programs.get(step.program);
    if (program === undefined) throw new Error(`internal: step ${step.name} runs unknown program ${step.program}`);
    if (program.wgsl !== step.wgsl || program.entryPoint !== step.entryPoint) {
      throw new Error(`internal: step ${step.name} differs from its program ${step.program}`);
    }
  }
}

export function serializePlan(plan: Plan): SerializedPlan {
  checkSteps(plan);
  const kernels = new Map<string, string>();
  for (const program of plan.programs) kernels.set(`${program.key}.wgsl`, program.wgsl);
  const json = {
    format: PLAN_FORMAT,
    version: PLAN_FORMAT_VERSION,
    network: plan.network,
    batch: plan.batch,
    fused: plan.fused,
    inputs: plan.inputs.map(({ name, node, buffer, shape }) => ({ name, node, buffer, shape })),
    outputs: plan.outputs.map(({ name, node, buffer, shape }) => ({ name, node, buffer, shape })),
    memory: {
      plannedActivationBytes: plan.memory.plannedActivationBytes,
      perValueActivationBytes: plan.memory.perValueActivationBytes,
      summaryActivationBytes: plan.memory.summaryActivationBytes,
      paramBytes: plan.memory.paramBytes,
      scratchBytes: plan.memory.scratchBytes,
    },
    weights: plan.weights.map(({ name, shape, init, fanIn, trainable }) => ({ name, shape, init, fanIn, trainable })),
    derived: plan.derived.map(derivedJson),
    buffers: plan.buffers.map(bufferJson),
    nodeBuffers: [...plan.nodeBuffers].sort(([a], [b]) => a - b).map(([node, buffer]) => ({ node, buffer })),
    programs: plan.programs.map((program) => ({
      key: program.key,
      file: kernelFileOf(program.key),
      sha256: wgslSha256(program.wgsl),
      entryPoint: program.entryPoint,
      bindings: program.bindings.map(({ name, access }) => ({ name, access })),
      layers: program.layers,
    })),
    steps: plan.steps.map((step) => ({
      name: step.name,
      node: step.node,
      layer: step.layer,
      program: step.program,
      workgroups: step.workgroups,
      bindings: step.bindings.map(({ buffer, access }) => ({ buffer, access })),
      loopIterations: step.loopIterations,
    })),
  };
  return { planJson: `${compactJson(json)}\n`, kernels };
}
