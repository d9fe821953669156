// README.txt of a build directory: what was built (network, batch, fused or not, kernel and program
// counts, memory figures) and how to run it. A pure function of the plan and the model's file name,
// so the same build writes the same bytes.
import type { Plan } from "../codegen/plan.js";
import { formatBytes } from "../ir/format.js";
import { KERNELS_DIRECTORY, PLAN_FILE, PLAN_FORMAT, PLAN_FORMAT_VERSION } from "./planFormat.js";

function endpoints(list: Plan["inputs"]): string {
  return list.map((each) => `${each.name} [${each.shape.join(", ")}]`).join(", ");
}

export function planReadme(plan: Plan, modelFile: string): string {
  const { memory } = plan;
  const inputOption = plan.inputs.length === 1 ? "--input x.npy" : plan.inputs.map((input) => `--input ${input.name}=${input.name}.npy`).join(" ");
  return [
    `${plan.network}, built by cnnc from ${modelFile}`,
    "",
    `batch:     ${plan.batch} (the plan runs this batch only; build again with --batch N for another)`,
    `fused:     ${plan.fused ? "yes" : "no (one kernel per layer)"}`,
    `kernels:   ${plan.steps.length} dispatches running ${plan.programs.length} programs (${KERNELS_DIRECTORY}/*.wgsl)`,
    `inputs:    ${endpoints(plan.inputs)}`,
    `outputs:   ${endpoints(plan.outputs)}`,
    "",
    `memory at batch ${plan.batch}:`,
    `  activations as planned:       ${formatBytes(memory.plannedActivationBytes)} (inputs and outputs included)`,
    `  one buffer per value:         ${formatBytes(memory.perValueActivationBytes)}`,
    `  the summary's activations:    ${formatBytes(memory.summaryActivationBytes)} (cnnc summary)`,
    `  parameters:                   ${formatBytes(memory.paramBytes)} (state_dict tensors and derived ones)`,
    `  scratch:                      ${formatBytes(memory.scratchBytes)}`,
    "",
    "Run it (DIR is this directory):",
    `  cnnc run DIR --random-input --seed 0`,
    `  cnnc run DIR ${inputOption} --weights weights.safetensors --output y.npy`,
    "Without --weights the weights are initialized from --seed, as `cnnc run MODEL.cnn --seed S` does.",
    "",
    `Files: ${PLAN_FILE} (format ${PLAN_FORMAT} version ${PLAN_FORMAT_VERSION}, described in cnnc's docs/plan-format.md)`,
    `and ${KERNELS_DIRECTORY}/<program>.wgsl, one per program. Do not edit them: cnnc checks each kernel's sha256`,
    "and refuses a changed plan; build again instead.",
    "",
  ].join("\n");
}
