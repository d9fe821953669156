// Program deduplication: identical kernels share one WGSL program. Generated shaders never contain a
// layer name, so two kernels with the same anchor, shapes, schedule and epilogue have the same text;
// the key is the kernel's kind plus a hash of that text (and of the binding access modes). Each
// program's header then gets a `layers:` line per kernel using it, with the source locations.
import { createHash } from "node:crypto";
import { escapeUnsafe } from "../../grammar/displayText.js";
import type { KernelGraph, KernelNode } from "../kernels/kernelGraph.js";
import type { KernelStep, PlanProgram } from "./plan.js";
import { wgslStorageBindings } from "./wgslBindings.js";

/** `c1 conv (lenet5.cnn:5:3) + tanh (5:30)`: a kernel's layers with where they are written. */
function describeKernelLayers(graph: KernelGraph, kernel: KernelNode): string {
  let file: string | undefined;
  return kernel.layers
    .map((layer) => {
      const node = graph.source.nodes[layer]!;
      const span = node.span;
      // Escaped: a control character in a path (a newline) would end the comment line.
      const where = span.file === file ? `${span.startLine}:${span.startColumn}` : `${escapeUnsafe(span.file)}:${span.startLine}:${span.startColumn}`;
      file = span.file;
      const op = node.attrs.op === "pool" ? `${node.attrs.kind}pool` : node.attrs.op;
      return `${node.name} ${op} (${where})`;
    })
    .join(" + ");
}

/** The kernel kind a step name ends with (`c1.gemm_3` -> `gemm`), for readable program keys. */
function kindOf(step: KernelStep, kernelAnchorName: string): string {
  const suffix = step.name.startsWith(`${kernelAnchorName}.`) ? step.name.slice(kernelAnchorName.length + 1) : step.name;
  return suffix.replace(/_?\d+$/, "").replace(/[^A-Za-z0-9_]/g, "_") || "kernel";
}

/** Binding names and access, read back from the shader's declarations (wgslBindings.ts). */
function declaredBindings(wgsl: string): { name: string; access: "read" | "read_write" }[] {
  const declared = wgslStorageBindings(wgsl);
  if ("problem" in declared) throw new Error(`internal: a generated kernel's bindings are malformed: ${declared.problem}`);
  return declared.bindings.map(({ name, access }) => ({ name, access }));
}

export function dedupePrograms(graph: KernelGraph, emitted: readonly { step: KernelStep; kernel: KernelNode }[]): { programs: PlanProgram[]; steps: KernelStep[] } {
  const byText = new Map<string, { program: PlanProgram; users: string[]; seenKernels: Set<number> }>();
  const keys = new Set<string>();
  const steps = emitted.map(({ step, kernel }) => {
    const access = step.bindings.map((binding) => binding.access).join(",");
    const identity = `${step.entryPoint}\n${access}\n${step.wgsl}`;
    let entry = byText.get(identity);
    if (entry === undefined) {
      const hash = createHash("sha256").update(identity).digest("hex");
      const kind = kindOf(step, graph.source.nodes[kernel.anchorLayer]!.name);
      let length = 10;
      while (keys.has(`${kind}-${hash.slice(0, length)}`)) length += 2;
      const key = `${kind}-${hash.slice(0, length)}`;
      keys.add(key);
      entry = { program: { key, wgsl: step.wgsl, entryPoint: step.entryPoint, bindings: declaredBindings(step.wgsl), layers: [] }, users: [], seenKernels: new Set() };
      byText.set(identity, entry);
    }
    if (!entry.seenKernels.has(kernel.id)) {
      entry.seenKernels.add(kernel.id);
      entry.users.push(describeKernelLayers(graph, kernel));
      entry.program.layers.push(step.layer);
    }
    return { step, key: entry.program.key, identity };
  });
  for (const entry of byText.values()) entry.program.wgsl = withLayersHeader(entry.program.wgsl, entry.users);
  const finalText = new Map([...byText.entries()].map(([identity, entry]) => [identity, entry.program]));
  return {
    programs: [...byText.values()].map((entry) => entry.program),
    steps: steps.map(({ step, key, identity }) => ({ ...step, program: key, wgsl: finalText.get(identity)!.wgsl })),
  };
}

/** Inserts `//   layers: ...` lines (one per kernel using the program) after the shader's title line. */
function withLayersHeader(wgsl: string, users: readonly string[]): string {
  const newline = wgsl.indexOf("\n");
  const title = newline < 0 ? wgsl : wgsl.slice(0, newline);
  const rest = newline < 0 ? "" : wgsl.slice(newline);
  const lines = users.map((user, index) => `//   ${index === 0 ? "layers:" : "       "} ${user}`);
  return `${title}\n${lines.join("\n")}${rest}`;
}
