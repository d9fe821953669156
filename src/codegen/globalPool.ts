// Global max / average pooling: one workgroup per (sample, channel) plane. Each lane folds a strided
// slice of the plane, then the workgroup combines the lanes' partial results in shared memory by a tree
// reduction, so a large plane (a 56x56 map) is read by 64 invocations instead of one. A max keeps a
// NaN (PyTorch's adaptive_max_pool2d does) and starts from the plane's first value rather than
// -FLT_MAX, so a plane of -Inf gives -Inf.
import type { GlobalPoolAttrs, Node } from "../ir/graph.js";
import { channelLayout, INPUT_OUTPUT_BINDINGS, inputOutputBindings } from "./dispatch.js";
import { describeShape } from "../tensor.js";
import { MAX_KEEPING_NAN_WGSL } from "./nanWgsl.js";
import { requireDenseSeparateOutput } from "./store.js";
import { MAX_WORKGROUPS_PER_DIMENSION, f32Literal, kernelHeader, storageBindings } from "./wgsl.js";
import { loopPasses } from "./loopLimit.js";
import { emitKernel, type KernelContext } from "./plan.js";

const REDUCTION_WORKGROUP_SIZE = 64;

function globalPoolAttrs(node: Node): GlobalPoolAttrs {
  if (node.attrs.op !== "global_pool") throw new Error(`internal: generateGlobalPool called on ${node.attrs.op}`);
  return node.attrs;
}

export function generateGlobalPool(node: Node, context: KernelContext): void {
  const attrs = globalPoolAttrs(node);
  requireDenseSeparateOutput(context, `${node.name}: global pool kernel`);
  const inputShape = context.graph.nodes[node.inputs[0]!]!.shape;
  const { C, inner: positions } = channelLayout(inputShape);
  const planes = context.batch * C;
  const groupsX = Math.min(planes, MAX_WORKGROUPS_PER_DIMENSION);
  const groupsY = Math.ceil(planes / groupsX);
  const combine = attrs.kind === "max" ? "max_keeping_nan(a, b)" : "a + b";
  // A lane with no positions of its own starts from (and keeps) the plane's first value: neutral for max.
  const identity = attrs.kind === "max" ? "x[base]" : "0.0f";
  const finish = attrs.kind === "max" ? "partial[0]" : `partial[0] / ${f32Literal(positions)}`;

  const header = kernelHeader(
    `global ${attrs.kind} pooling`,
    {
      input: describeShape([context.batch, ...inputShape]),
      output: describeShape([context.batch, ...node.shape]),
      schedule: `one workgroup per (sample, channel) plane, tree reduction in shared memory`,
    },
    REDUCTION_WORKGROUP_SIZE,
    INPUT_OUTPUT_BINDINGS,
  );
  const wgsl = `${header}

${storageBindings(INPUT_OUTPUT_BINDINGS)}

const PLANES: u32 = ${planes}u;
const POSITIONS: u32 = ${positions}u;
const GROUPS_X: u32 = ${groupsX}u;
const LANES: u32 = ${REDUCTION_WORKGROUP_SIZE}u;

var<workgroup> partial: array<f32, ${REDUCTION_WORKGROUP_SIZE}>;
${attrs.kind === "max" ? `\n${MAX_KEEPING_NAN_WGSL}\n` : ""}
fn combine(a: f32, b: f32) -> f32 {
  return ${combine};
}

@compute @workgroup_size(${REDUCTION_WORKGROUP_SIZE})
fn main(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_index) lane: u32) {
  // The plane depends on the workgroup id only, so this early exit is uniform across the workgroup.
  let plane = group.y * GROUPS_X + group.x;
  if (plane >= PLANES) {
    return;
  }
  let base = plane * POSITIONS;
  var accumulator = ${identity};
  // Unrolled by 4, then up to 3 positions left: a quarter of the loop passes (loopLimit.ts).
  var position = lane;
  for (; position + 3u * LANES < POSITIONS; position += 4u * LANES) {
    accumulator = combine(accumulator, x[base + position]);
    accumulator = combine(accumulator, x[base + position + LANES]);
    accumulator = combine(accumulator, x[base + position + 2u * LANES]);
    accumulator = combine(accumulator, x[base + position + 3u * LANES]);
  }
  for (; position < POSITIONS; position += LANES) {
    accumulator = combine(accumulator, x[base + position]);
  }
  partial[lane] = accumulator;
  workgroupBarrier();
  for (var width = LANES / 2u; width > 0u; width /= 2u) {
    if (lane < width) {
      partial[lane] = combine(partial[lane], partial[lane + width]);
    }
    workgroupBarrier();
  }
  if (lane == 0u) {
    y[plane] = ${finish};
  }
}
`;
  emitKernel(context, node, `global_${attrs.kind}pool`, wgsl, [groupsX, groupsY, 1], inputOutputBindings(context), globalPoolLoopIterations(positions));
}

/**
 * The loop passes of one lane (lane 0 runs the most): the unrolled loop, then up to 3 positions left,
 * then the tree reduction's log2(LANES) steps.
 */
export function globalPoolLoopIterations(positions: number): number {
  const unrolled = Math.max(0, Math.ceil((positions - 3 * REDUCTION_WORKGROUP_SIZE) / (4 * REDUCTION_WORKGROUP_SIZE)));
  return loopPasses(unrolled) + loopPasses(3) + loopPasses(Math.log2(REDUCTION_WORKGROUP_SIZE));
}
