// Inverted dropout in training (PyTorch's semantics): keep each element with probability 1 - p and scale
// what is kept by 1 / (1 - p), so the expected value is unchanged and inference is the identity. The
// mask is a pure function of (this step's seed, the layer's salt, the element's index) through an
// integer hash, so the backward pass regenerates it instead of saving it: dx = dy * mask / (1 - p).
// As PyTorch multiplies by the mask, a dropped NaN or infinity gives NaN (NaN * 0), never 0.
//
// The hash is PCG's output permutation used as a hash (Jarzynski and Olano, "Hash Functions for GPU
// Rendering", 2020): key = pcg(seed ^ pcg(salt)), bits = pcg(key ^ pcg(index)); an element is kept
// when the top 24 bits of `bits` are at least round(p * 2^24). It is written here twice, in WGSL and
// in TypeScript (`dropoutKeeps`), and the two are tested to agree bit for bit.
import { f32Literal, kernelSource, u32Constants, u32Literal, type StorageBindingSpec } from "../wgsl.js";
import { lanewise } from "./lanewise.js";
import { HYPER_SLOTS, type TrainingKernels } from "./trainingKernel.js";

const PCG_MULTIPLIER = 747796405;
const PCG_INCREMENT = 2891336453;
const PCG_OUTPUT_MULTIPLIER = 277803737;
/** The hash's top 24 bits decide the mask, so p is honoured to 2^-24. */
const MASK_BITS = 24;

/** PCG's hash of a u32, in u32 arithmetic (Math.imul wraps as WGSL's u32 multiply does). */
function pcgHash(value: number): number {
  const state = (Math.imul(value >>> 0, PCG_MULTIPLIER) + PCG_INCREMENT) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, PCG_OUTPUT_MULTIPLIER) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** Hash values below this drop their element: round(p * 2^24) of the top 24 bits. */
function dropThreshold(p: number): number {
  if (!(p >= 0 && p < 1)) throw new Error(`internal: dropout probability ${p} outside [0, 1)`);
  return Math.round(p * 2 ** MASK_BITS);
}

/** Whether dropout keeps element `index` for step seed `seed` (u32) and layer salt `salt` (u32): the kernels' mask. */
export function dropoutKeeps(seed: number, salt: number, index: number, p: number): boolean {
  const key = pcgHash((seed ^ pcgHash(salt)) >>> 0);
  const bits = pcgHash((key ^ pcgHash(index)) >>> 0);
  return bits >>> (32 - MASK_BITS) >= dropThreshold(p);
}

const PCG_HASH_WGSL = `// PCG's output permutation as a hash (dropout.ts dropoutKeeps is the same function in TypeScript).
fn pcg_hash(value: u32) -> u32 {
  let state = value * ${u32Literal(PCG_MULTIPLIER)} + ${u32Literal(PCG_INCREMENT)};
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * ${u32Literal(PCG_OUTPUT_MULTIPLIER)};
  return (word >> 22u) ^ word;
}`;

interface DropoutSpec {
  elements: number;
  p: number;
  /** The layer's u32 salt, so that layers of one step draw different masks. */
  salt: number;
}

function dropoutKernels(spec: DropoutSpec, direction: "forward" | "backward"): TrainingKernels {
  const { elements, p, salt } = spec;
  const [input, output] = direction === "forward" ? ["x", "y"] : ["dy", "dx"];
  const threshold = dropThreshold(p);
  const layout = lanewise(elements);
  const bindings: StorageBindingSpec[] = [layout.binding(input, "read"), { name: "hyper", access: "read" }, layout.binding(output, "read_write")];
  const wgsl = kernelSource({
    title: direction === "forward" ? "dropout (training): y = x * mask / (1 - p)" : "dropout backward: dx = dy * mask / (1 - p)",
    details: {
      elements,
      p,
      mask: `kept where pcg_hash(key ^ pcg_hash(element)) >> ${32 - MASK_BITS} >= ${threshold}, key = pcg_hash(seed ^ pcg_hash(salt)), seed = hyper[${HYPER_SLOTS.dropoutSeed}]`,
      schedule: `${layout.width === 4 ? "4 elements (a vec4)" : "one element"} per invocation`,
    },
    bindings,
    declarations: [
      u32Constants({ SALT: salt, DROP_THRESHOLD: threshold, SEED_SLOT: HYPER_SLOTS.dropoutSeed }),
      `const SCALE: f32 = ${f32Literal(1 / (1 - p))};`,
      PCG_HASH_WGSL,
    ],
    dispatch: layout.dispatch,
    body: [
      `  let key = pcg_hash(bitcast<u32>(hyper[SEED_SLOT]) ^ pcg_hash(SALT));`,
      ...layout.body(
        [input],
        output,
        [
          `let keep = (pcg_hash(key ^ pcg_hash(element)) >> ${u32Literal(32 - MASK_BITS)}) >= DROP_THRESHOLD;`,
          `// value * 0 where dropped: 0, or NaN for a NaN or an infinity, made on the bits (setting the quiet`,
          `// bit of an infinity makes a NaN) so that no float folding of v * 0 can lose it.`,
          `let bits = bitcast<u32>(${input}_value);`,
          `let dropped = select(0.0f, bitcast<f32>(bits | 0x00400000u), (bits & 0x7f800000u) == 0x7f800000u);`,
        ],
        `select(dropped, ${input}_value * SCALE, keep)`,
      ),
    ],
  });
  return { kernels: [{ kernel: `dropout_${direction}`, wgsl, workgroups: layout.dispatch.workgroups, bindings, loopIterations: 0 }], scratch: [] };
}

/** Training-mode dropout: bindings `x`, `hyper` (the step's seed), `y` (overwritten). */
export function dropoutForward(spec: DropoutSpec): TrainingKernels {
  return dropoutKernels(spec, "forward");
}

/** Its backward pass, the same mask regenerated: bindings `dy`, `hyper`, `dx` (overwritten). */
export function dropoutBackward(spec: DropoutSpec): TrainingKernels {
  return dropoutKernels(spec, "backward");
}
