// A kernel node's epilogue (data: src/kernels/kernelGraph.ts) as the epilogue stages codegen composes,
// with the buffers each stage reads. Binding names get the stage's position, so two stages of the same
// kind in one kernel (two residual adds) never clash.
import type { EpilogueStageSpec, ParamRef } from "../kernels/kernelGraph.js";
import { activationStage, batchnormStage, biasStage, gateMultiplyStage, residualAddStage, scaleShiftStage, type EpilogueStage } from "./epilogue.js";

export interface StageBuffers {
  /** The buffer of a parameter (a state_dict tensor or a derived one). */
  param(ref: ParamRef): number;
  /** The buffer holding a value (a residual operand). */
  value(value: number): number;
}

export function epilogueStages(specs: readonly EpilogueStageSpec[], buffers: StageBuffers): EpilogueStage[] {
  return specs.map((spec, position): EpilogueStage => {
    const suffix = String(position);
    switch (spec.kind) {
      case "bias":
        return biasStage(buffers.param(spec.param), `bias${suffix}`);
      case "scale_shift":
        return scaleShiftStage(buffers.param(spec.scale), buffers.param(spec.shift), suffix);
      case "batchnorm":
        return batchnormStage(
          {
            weight: buffers.param(spec.weight),
            bias: buffers.param(spec.bias),
            runningMean: buffers.param(spec.runningMean),
            runningVar: buffers.param(spec.runningVar),
          },
          spec.eps,
          suffix,
        );
      case "activation":
        return activationStage(spec.attrs);
      case "add":
        return residualAddStage(buffers.value(spec.value), suffix);
      case "mul":
        return gateMultiplyStage(buffers.value(spec.value), suffix, spec.elementsPerGate);
    }
  });
}
