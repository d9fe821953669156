// Deterministic weight initialization from a seed, following each weight's `init` (set by shape
// inference, PyTorch's conventions):
//   kaiming         He/Kaiming normal: N(0, std^2), std = sqrt(2 / fan_in)   (conv and fc weights)
//   uniform_fan_in  U(-1/sqrt(fan_in), 1/sqrt(fan_in)), PyTorch's default bias init (conv and fc biases)
//   zeros / ones    constants (batchnorm bias and running_mean / weight and running_var)
// fan_in is the product of the node's weight shape past the first axis: C/groups * kH * kW for a conv
// weight [out, C/groups, kH, kW], in_features for an fc weight [out, in].
//
// Random numbers: each tensor gets its own stream, seeded from (seed, tensor name) by hashing, so a
// tensor's values depend only on the seed and its name (adding a layer leaves the others unchanged).
// The generator is xoshiro128** (Blackman & Vigna) seeded through splitmix32; normals come from the
// Box-Muller transform using both outputs of each pair. All of it is integer arithmetic plus V8's
// Math.log/sqrt/cos/sin, which are deterministic (fdlibm ports), so results repeat across machines.
import { CnncUserError } from "../src/errors.js";
import { allocateFloat32, checkHostArray, checkHostTotal } from "../src/hostLimits.js";
import { describeShape, makeTensor, type Tensor, type WeightMap } from "../src/tensor.js";
import { paramFullName, shapeSize, type Graph } from "../src/ir/graph.js";
import type { PlanWeight } from "../src/codegen/plan.js";
import { planWeights } from "../src/codegen/planWeights.js";
import type { ExpectedWeight } from "./weightMismatch.js";

export { fanIn } from "../src/codegen/planWeights.js";

/** 32-bit FNV-1a over the UTF-16 code units of `text`, starting from `hash`. */
function fnv1a(text: string, hash = 0x811c9dc5): number {
  let value = hash;
  for (let i = 0; i < text.length; i++) {
    value = Math.imul(value ^ text.charCodeAt(i), 0x01000193) >>> 0;
  }
  return value;
}

/** splitmix32 step: a well-mixed 32-bit output from a 32-bit counter state. */
function splitmix32(state: number): { state: number; value: number } {
  const next = (state + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return { state: next, value: (z ^ (z >>> 16)) >>> 0 };
}

function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) {
    throw new CnncUserError(`the seed must be an integer, got ${seed}`, { hint: "use e.g. --seed 0" });
  }
}

/** A seeded stream of uniform and normal numbers. */
export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | undefined;

  constructor(seed: number, stream: string) {
    checkSeed(seed);
    const low = seed >>> 0;
    const high = Math.floor(seed / 0x1_0000_0000) >>> 0;
    let state = fnv1a(stream, fnv1a(`${low}:${high}`)) ^ low;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const step = splitmix32(state);
      state = step.state;
      words.push(step.value);
    }
    [this.s0, this.s1, this.s2, this.s3] = words as [number, number, number, number];
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) {
      this.s0 = 1; // xoshiro's one forbidden state
    }
  }

  /** Next 32 random bits (xoshiro128**). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }

  /** Standard normal N(0, 1). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    const u1 = 1 - this.uniform(); // (0, 1]: log(0) is avoided
    const u2 = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /**
   * Fills `data` with N(0, scale^2) values: the same sequence as repeated normal() calls (times
   * scale), with the pair's spare kept in a local rather than on the instance, because initializing
   * VGG-sized networks draws ~10^8 numbers.
   */
  fillNormal(data: Float32Array, scale: number): void {
    let start = 0;
    if (this.spareNormal !== undefined && data.length > 0) {
      data[0] = this.spareNormal * scale;
      this.spareNormal = undefined;
      start = 1;
    }
    let spare: number | undefined;
    for (let i = start; i < data.length; i++) {
      if (spare !== undefined) {
        data[i] = spare * scale;
        spare = undefined;
        continue;
      }
      const bitsA = this.nextUint32();
      const bitsB = this.nextUint32();
      const radius = Math.sqrt(-2 * Math.log(1 - bitsA / 0x1_0000_0000));
      const angle = (2 * Math.PI * bitsB) / 0x1_0000_0000;
      spare = radius * Math.sin(angle);
      data[i] = radius * Math.cos(angle) * scale;
    }
    this.spareNormal = spare;
  }
}

function rotl(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

/** A tensor of N(0, 1) values, e.g. for `--random-input`; `stream` separates independent uses. */
export function randomNormalTensor(shape: readonly number[], seed: number, stream: string): Tensor {
  const data = allocateFloat32(shapeSize(shape), `random tensor ${stream} ${describeShape(shape)}`, "use a smaller shape");
  return fillRandomNormal(makeTensor([...shape], data), seed, stream);
}

/**
 * Fills `tensor` with the N(0, 1) values randomNormalTensor draws for `seed` and `stream`, for a caller
 * that allocated (and size-checked) it itself; returns it.
 */
export function fillRandomNormal(tensor: Tensor, seed: number, stream: string): Tensor {
  new SeededRandom(seed, stream).fillNormal(tensor.data, 1);
  return tensor;
}

/** The layer a state_dict name belongs to (`c1` of `c1.weight`), for hints. */
function layerOf(weightName: string): string {
  const dot = weightName.lastIndexOf(".");
  return dot < 0 ? weightName : weightName.slice(0, dot);
}

/** Checks that a parameter fits in one host array, before anything is allocated. */
function checkWeightFits(weight: PlanWeight): void {
  checkHostArray(
    `weight ${weight.name} ${describeShape(weight.shape)}`,
    shapeSize(weight.shape),
    "float32",
    `weights do not depend on the batch: give ${layerOf(weight.name)} fewer channels or features, or a smaller input`,
  );
}

/** The initial value of one weight, whose size initWeightsFrom checked. */
function initWeight(weight: PlanWeight, seed: number): Tensor {
  const tensor = makeTensor(weight.shape);
  const { data } = tensor;
  switch (weight.init) {
    case "zeros":
      break;
    case "ones":
      data.fill(1);
      break;
    case "kaiming": {
      new SeededRandom(seed, weight.name).fillNormal(data, Math.sqrt(2 / weight.fanIn));
      break;
    }
    case "uniform_fan_in": {
      const random = new SeededRandom(seed, weight.name);
      const bound = 1 / Math.sqrt(weight.fanIn);
      for (let i = 0; i < data.length; i++) data[i] = (2 * random.uniform() - 1) * bound;
      break;
    }
  }
  return tensor;
}

/** Every parameter the graph owns, by PyTorch state_dict name, in node order. */
export function expectedWeights(graph: Graph): ExpectedWeight[] {
  return graph.nodes.flatMap((node) => node.params.map((param) => ({ name: paramFullName(node, param), shape: [...param.shape] })));
}

/**
 * Initial values for the weights `specs` list (a graph's planWeights, or a built plan's), by name:
 * a tensor's values depend only on the seed and its spec. `network` names the whole in size errors.
 */
export function initWeightsFrom(specs: readonly PlanWeight[], seed: number, network: string): WeightMap {
  checkSeed(seed);
  // Every size first, once: a network whose last layer is too large fails before the others are drawn.
  for (const weight of specs) checkWeightFits(weight);
  const bytes = specs.reduce((total, weight) => total + shapeSize(weight.shape) * 4, 0);
  checkHostTotal(`the weights of ${network}`, bytes, "use fewer channels or features");
  const weights: WeightMap = new Map();
  for (const weight of specs) weights.set(weight.name, initWeight(weight, seed));
  return weights;
}

/** Initial values for every parameter of the graph (batchnorm running statistics included). */
export function initWeights(graph: Graph, seed: number): WeightMap {
  return initWeightsFrom(planWeights(graph), seed, graph.name);
}
