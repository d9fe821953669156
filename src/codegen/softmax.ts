// Softmax over the channel (feature) axis: for each sample and spatial position, exp(v - max) / sum.
// Subtracting the max keeps every exp in (0, 1], so large logits cannot overflow. As in PyTorch, a NaN
// anywhere in a softmax's channels makes all of them NaN (the max keeps it), and so does a +Inf or an
// all -Inf set of channels (inf - inf is NaN).
import type { Node } from "../ir/graph.js";
import { channelLayout, ELEMENTWISE_WORKGROUP_SIZE, INPUT_OUTPUT_BINDINGS, inputOutputBindings } from "./dispatch.js";
import { describeShape } from "../tensor.js";
import { MAX_KEEPING_NAN_WGSL } from "./nanWgsl.js";
import { outputStoreOf } from "./store.js";
import { loopPasses } from "./loopLimit.js";
import { foldedDispatch, kernelSource, u32Constants, u32Literal } from "./wgsl.js";
import { emitKernel, type KernelContext } from "./plan.js";

export function generateSoftmax(node: Node, context: KernelContext): void {
  if (node.attrs.op !== "softmax") throw new Error(`internal: generateSoftmax called on ${node.attrs.op}`);
  const inPlace = context.inPlace === true;
  if (outputStoreOf(context).kind !== "plain") throw new Error(`internal: ${node.name}: softmax kernel cannot store into a channel slice`);
  if (inPlace && context.outputBuffer !== context.inputBuffers[0]) throw new Error(`internal: ${node.name}: softmax runs in place but its output is not its input's buffer`);
  // In place, one read_write binding `y` is read and written: each invocation reads every channel of
  // its own position before writing it, and no other invocation touches that position.
  const source = inPlace ? "y" : "x";
  const { C, inner } = channelLayout(node.shape);
  // One invocation per (sample, position) walks the C channels of that position (stride INNER apart).
  const dispatch = foldedDispatch(context.batch * inner, ELEMENTWISE_WORKGROUP_SIZE);
  // Three passes over the channels, each unrolled by 4 (loopLimit.ts: llvmpipe limits loop passes).
  const largest = channelLoop(1, C, (c) => [`largest = max_keeping_nan(largest, ${source}[base + ${c} * INNER]);`]);
  const exponentials = channelLoop(0, C, (c, copy) => [
    `let e${copy} = exp(${source}[base + ${c} * INNER] - largest);`,
    `y[base + ${c} * INNER] = e${copy};`,
    `sum += e${copy};`,
  ]);
  const scaling = channelLoop(0, C, (c) => [`y[base + ${c} * INNER] *= scale;`]);
  const wgsl = kernelSource({
    title: `softmax over ${C} channels (max-subtracted)`,
    details: {
      "input and output": `${describeShape([context.batch, ...node.shape])}${inPlace ? ", in place" : ""}`,
      schedule: "one invocation per (sample, position), looping over channels 4 at a time",
    },
    bindings: inPlace ? [{ name: "y", access: "read_write" }] : INPUT_OUTPUT_BINDINGS,
    declarations: [u32Constants({ C, INNER: inner }), MAX_KEEPING_NAN_WGSL],
    dispatch,
    body: [
      `  let sample = index / INNER;`,
      `  let base = sample * C * INNER + index % INNER;`,
      `  var largest = ${source}[base];`,
      ...largest.lines,
      `  var sum = 0.0f;`,
      ...exponentials.lines,
      `  let scale = 1.0f / sum;`,
      ...scaling.lines,
    ],
  });
  const bindings = inPlace ? [{ buffer: context.outputBuffer, access: "read_write" as const }] : inputOutputBindings(context);
  emitKernel(context, node, "softmax", wgsl, dispatch.workgroups, bindings, largest.passes + exponentials.passes + scaling.passes);
}

/**
 * A loop over channels c in [first, C), unrolled by 4 (`body(c, copy)` for c, c + 1u, c + 2u, c + 3u;
 * `copy` numbers its lets apart), then a loop over the (C - first) % 4 left; and its loop passes.
 */
function channelLoop(first: number, C: number, body: (channel: string, copy: number) => string[]): { lines: string[]; passes: number } {
  const quads = Math.floor(Math.max(C - first, 0) / 4);
  const left = Math.max(C - first, 0) % 4;
  const start = u32Literal(first);
  const end = u32Literal(first + quads * 4);
  const lines: string[] = [];
  if (quads > 0) {
    lines.push(`  for (var c = ${start}; c < ${end}; c += 4u) {`);
    for (const copy of [0, 1, 2, 3]) lines.push(...body(copy === 0 ? "c" : `(c + ${u32Literal(copy)})`, copy).map((line) => `    ${line}`));
    lines.push(`  }`);
  }
  if (left > 0) {
    lines.push(`  for (var c = ${end}; c < C; c++) {`, ...body("c", 0).map((line) => `    ${line}`), `  }`);
  }
  return { lines, passes: (quads > 0 ? loopPasses(quads) : 0) + (left > 0 ? loopPasses(left) : 0) };
}
