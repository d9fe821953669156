// Gradient plumbing of the backward graph: a concat's input gradient is its channel slice of the
// output's gradient (the forward copy reversed). (A value read by several layers gets the sum of their
// gradients from an elementwise kernel: src/training/differentiate.ts.)
import { describeShape } from "../../tensor.js";
import { ELEMENTWISE_WORKGROUP_SIZE } from "../dispatch.js";
import { foldedDispatch, kernelSource, u32Constants, type StorageBindingSpec } from "../wgsl.js";
import type { TrainingKernels } from "./trainingKernel.js";

function requireCount(what: string, value: number, least: number): void {
  if (!Number.isSafeInteger(value) || value < least) throw new Error(`internal: ${what} is ${value}`);
}

/**
 * Copies channels [channelOffset, channelOffset + channels) of dy ([batch, totalChannels, inner]) to dx
 * ([batch, channels, inner], overwritten). Bindings `dy`, `dx`.
 */
export function concatBackward(spec: { batch: number; inner: number; channels: number; channelOffset: number; totalChannels: number }): TrainingKernels {
  const { batch, inner, channels, channelOffset, totalChannels } = spec;
  for (const [what, least] of [["batch", 1], ["inner", 1], ["channels", 1], ["channelOffset", 0], ["totalChannels", 1]] as const) requireCount(`concat backward ${what}`, spec[what], least);
  if (channelOffset + channels > totalChannels) throw new Error(`internal: concat backward slice ${channelOffset}+${channels} of ${totalChannels} channels`);
  // With inner % 4 == 0 every slice starts on a vec4, so the copy moves vec4s (lanewise.ts's reason).
  const width = inner % 4 === 0 ? 4 : 1;
  const dispatch = foldedDispatch((batch * channels * inner) / width, ELEMENTWISE_WORKGROUP_SIZE);
  const element = width === 4 ? "vec4<f32>" : "f32";
  const bindings: StorageBindingSpec[] = [
    { name: "dy", access: "read", element },
    { name: "dx", access: "read_write", element },
  ];
  const wgsl = kernelSource({
    title: `concat backward: channels ${channelOffset}..${channelOffset + channels - 1} of the output gradient`,
    details: {
      dy: describeShape([batch, totalChannels, inner]),
      dx: describeShape([batch, channels, inner]),
      schedule: `${width === 4 ? "4 elements (a vec4)" : "one element"} per invocation`,
    },
    bindings,
    // In units of the bound element (vec4s or floats).
    declarations: [u32Constants({ INPUT_SAMPLE: (channels * inner) / width, OUTPUT_SAMPLE: (totalChannels * inner) / width, OFFSET: (channelOffset * inner) / width })],
    dispatch,
    body: [`  let sample = index / INPUT_SAMPLE;`, `  dx[index] = dy[sample * OUTPUT_SAMPLE + OFFSET + index % INPUT_SAMPLE];`],
  });
  return { kernels: [{ kernel: "concat_backward", wgsl, workgroups: dispatch.workgroups, bindings, loopIterations: 0 }], scratch: [] };
}
