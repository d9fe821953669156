// Small shared helpers for emitting WGSL text: header comments, storage binding declarations,
// literals and 1-D dispatches folded into a 2-D grid. Every kernel generator uses these so the
// generated shaders look alike and obey the same device limits.

/** WebGPU's guaranteed minimum for workgroups per dispatch dimension. */
export const MAX_WORKGROUPS_PER_DIMENSION = 65535;
/** WebGPU's guaranteed minimum for invocations per workgroup. */
export const MAX_INVOCATIONS_PER_WORKGROUP = 256;

export interface StorageBindingSpec {
  /** WGSL variable name, e.g. `input`, `weight`. */
  name: string;
  access: "read" | "read_write";
  /** WGSL element type of the runtime-sized array; defaults to `f32`. */
  element?: "f32" | "vec4<f32>" | "u32";
}

export type HeaderDetails = Record<string, string | number | boolean>;

/**
 * A `//` comment block opening a shader: a title line, then `key: value` lines (shapes, schedule,
 * epilogue), so a dumped shader says what it computes. It never names a layer: identical kernels of
 * different layers must have identical text to share one program (the plan builder adds the layers
 * using a program after line 1, the title).
 */
export function headerComment(title: string, details: HeaderDetails = {}): string {
  const lines = [`// ${title}`];
  for (const [key, value] of Object.entries(details)) lines.push(`//   ${key}: ${String(value)}`);
  return lines.join("\n");
}

/** `input (read), weight (read), output (read_write)`: a kernel's bindings in order, for its header. */
export function describeBindings(specs: readonly StorageBindingSpec[]): string {
  return specs.map((spec) => `${spec.name} (${spec.access})`).join(", ");
}

/** A kernel's header: `headerComment` plus the two lines every kernel gives, its workgroup size and bindings. */
export function kernelHeader(title: string, details: HeaderDetails, workgroupSize: number, bindings: readonly StorageBindingSpec[]): string {
  return headerComment(title, { ...details, "workgroup size": workgroupSize, bindings: describeBindings(bindings) });
}

/** `@group(0) @binding(i)` declarations, binding i being specs[i] (matching KernelStep.bindings). */
export function storageBindings(specs: readonly StorageBindingSpec[]): string {
  return specs
    .map((spec, index) => {
      const element = spec.element ?? "f32";
      return `@group(0) @binding(${index}) var<storage, ${spec.access}> ${spec.name}: array<${element}>;`;
    })
    .join("\n");
}

/** A WGSL f32 literal that round-trips the JS number (after rounding to float32). */
export function f32Literal(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as a WGSL f32 literal`);
  const rounded = Math.fround(value);
  // The shortest decimal that reads back as the same float32 (0.1 rather than 0.10000000149011612).
  let text = String(rounded);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(rounded.toPrecision(digits));
    if (Math.fround(candidate) === rounded) {
      text = String(candidate);
      break;
    }
  }
  // `1e-7` and `1.5` are valid WGSL as is; integers need a suffix to be f32 rather than abstract-int.
  return /[.eE]/.test(text) ? `${text}f` : `${text}.0f`;
}

/** A WGSL u32 literal; throws on values a u32 cannot hold (an internal error). */
export function u32Literal(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new Error(`cannot write ${value} as a WGSL u32 literal`);
  }
  return `${value}u`;
}

/** A WGSL i32 literal; throws on values an i32 cannot hold (an internal error). */
export function i32Literal(value: number): string {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
    throw new Error(`cannot write ${value} as a WGSL i32 literal`);
  }
  return `${value}i`;
}

/** Module-scope `const NAME: u32 = 12u;` lines, one per entry, for shapes baked into a shader. */
export function u32Constants(constants: Record<string, number>): string {
  return Object.entries(constants)
    .map(([name, value]) => `const ${name}: u32 = ${u32Literal(value)};`)
    .join("\n");
}

/** How a flat range of invocations is laid out as workgroups. */
export interface Dispatch {
  workgroups: [number, number, number];
  workgroupSize: number;
  /** Invocations the kernel must actually run; the rest of the last workgroup returns early. */
  invocations: number;
}

/**
 * Lays `invocations` threads out as workgroups of `workgroupSize`, folding the workgroup count into
 * a 2-D grid when it exceeds the per-dimension limit. Pair with `flatInvocationIndex`.
 */
export function foldedDispatch(invocations: number, workgroupSize: number): Dispatch {
  if (!Number.isInteger(invocations) || invocations < 1) throw new Error(`bad invocation count ${invocations}`);
  if (workgroupSize < 1 || workgroupSize > MAX_INVOCATIONS_PER_WORKGROUP) {
    throw new Error(`workgroup size ${workgroupSize} outside 1..${MAX_INVOCATIONS_PER_WORKGROUP}`);
  }
  const groups = Math.ceil(invocations / workgroupSize);
  const x = Math.min(groups, MAX_WORKGROUPS_PER_DIMENSION);
  const y = Math.ceil(groups / x);
  if (y > MAX_WORKGROUPS_PER_DIMENSION) throw new Error(`dispatch of ${invocations} invocations is too large`);
  return { workgroups: [x, y, 1], workgroupSize, invocations };
}

/** The parts of a flat-dispatch kernel's WGSL, in the order `kernelSource` writes them. */
export interface KernelSourceParts {
  /** The header's first line: what the kernel computes, with no layer name. */
  title: string;
  /** The header's `key: value` lines (workgroup size and bindings are added). */
  details: HeaderDetails;
  bindings: readonly StorageBindingSpec[];
  /** Module-scope constants and helper functions, each written after a blank line. */
  declarations: readonly string[];
  dispatch: Dispatch;
  /** The statements of `main` after the `flatInvocationPrologue` (which defines `index`). */
  body: readonly string[];
}

/** Header, bindings, declarations and entry point `main` of a kernel launched by `foldedDispatch`. */
export function kernelSource(parts: KernelSourceParts): string {
  return [
    kernelHeader(parts.title, parts.details, parts.dispatch.workgroupSize, parts.bindings),
    "",
    storageBindings(parts.bindings),
    ...parts.declarations.flatMap((declaration) => ["", declaration]),
    "",
    flatInvocationPrologue("main", parts.dispatch),
    ...parts.body,
    "}",
    "",
  ].join("\n");
}

/**
 * A u32 that is 0 at run time but unknown to the shader compiler, for kernels of `kernelSource` (it
 * reads `main`'s `workgroup` builtin; dispatches are 2-D, so its z is 0). Added to a loop's trip count
 * it keeps the loop rolled: Mesa fully unrolls loops whose trip count folds to a constant (a store loop
 * over a small output's only tile, say), and unrolled epilogues and stores multiply a kernel's compile
 * time on llvmpipe.
 */
export const RUN_TIME_ZERO = "workgroup.z";

/**
 * The entry point's signature and the prologue computing `index` (u32), the flat invocation index
 * for a `foldedDispatch`, returning early past the end. The caller appends the body and `}`.
 */
export function flatInvocationPrologue(entryPoint: string, dispatch: Dispatch): string {
  return [
    `@compute @workgroup_size(${dispatch.workgroupSize})`,
    `fn ${entryPoint}(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {`,
    `  let index = (workgroup.y * ${u32Literal(dispatch.workgroups[0])} + workgroup.x) * ${u32Literal(dispatch.workgroupSize)} + local;`,
    `  if (index >= ${u32Literal(dispatch.invocations)}) {`,
    `    return;`,
    `  }`,
  ].join("\n");
}
