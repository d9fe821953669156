// The storage bindings a WGSL program declares, read back from its text: the
// `@group(0) @binding(i) var<storage, ACCESS> NAME: array<...>;` lines every generator writes
// (src/codegen/wgsl.ts storageBindings). A loaded plan's steps are checked against them, so a plan
// whose bindings disagree with its kernels is refused before anything runs on the GPU.

export interface WgslStorageBinding {
  binding: number;
  name: string;
  access: "read" | "read_write";
}

const DECLARATION = /@group\(\s*(\d+)\s*\)\s*@binding\(\s*(\d+)\s*\)\s*var\s*<\s*storage\s*(?:,\s*(read_write|read)\s*)?>\s*([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * The group-0 storage declarations of `wgsl`, in binding order, or a problem in words: a binding
 * outside group 0, a binding number declared twice, or numbers that are not 0, 1, 2, ... in order.
 * An access left out is WGSL's default, `read`.
 */
export function wgslStorageBindings(wgsl: string): { bindings: WgslStorageBinding[] } | { problem: string } {
  const found: WgslStorageBinding[] = [];
  for (const match of wgsl.matchAll(DECLARATION)) {
    const group = Number(match[1]);
    if (group !== 0) return { problem: `it declares a binding in group ${group}; cnnc kernels use group 0 only` };
    const access = match[3] === "read_write" ? "read_write" : "read";
    found.push({ binding: Number(match[2]), name: match[4]!, access });
  }
  found.sort((a, b) => a.binding - b.binding);
  for (const [index, each] of found.entries()) {
    if (each.binding !== index) {
      return { problem: `its storage bindings are numbered ${found.map((binding) => binding.binding).join(", ")}, not 0 to ${found.length - 1}` };
    }
  }
  return { bindings: found };
}

/** Whether `wgsl` defines a function `entryPoint` (the compute entry point a step dispatches). */
export function wgslDefinesFunction(wgsl: string, entryPoint: string): boolean {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(entryPoint)) return false;
  return new RegExp(`\\bfn\\s+${entryPoint}\\s*\\(`).test(wgsl);
}
