// TensorFlow.js's WebGPU backend as a peer of cnnc in the benchmarks: same Dawn instance, same
// adapter (openDevice's choice: OpenGL ES on llvmpipe in compatibility mode here), same process.
//
// tfjs only registers its `webgpu` backend by itself in a browser (it looks for `navigator.gpu` at import
// time, and Node 20 has no `navigator`), and its own factory would ask for only six limits, leaving
// compatibility mode's low defaults (4 storage buffers per stage) for the rest. So the device is opened
// here through openDevice, which asks for the adapter's maximum of every compute limit, and handed to
// WebGPUBackend directly; `navigator.gpu` is installed from the same Dawn instance because the
// backend's constructor refuses to start without it.
//
// A tfjs shader that fails validation does not throw: tfjs carries on and reads back whatever the
// output buffer held. Every uncaptured error on tfjs's device is counted, and a result with errors
// must not be used (the tests and bench/peerConv.ts check the count is zero).
import * as tf from "@tensorflow/tfjs-core";
import { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";

import { gpuFor, openDevice, type BackendChoice, type GpuContext } from "../../runtime/device.js";
import { median } from "../../runtime/profile.js";
import { CnncUserError } from "../../src/errors.js";
import type { ConvAttrs } from "../../src/ir/graph.js";
import { makeTensor, type Tensor } from "../../src/tensor.js";

const BACKEND_NAME = "webgpu";

export interface TfjsWebgpu {
  /** The adapter, as openDevice describes it (e.g. `OpenGL ES on llvmpipe-..., compatibility mode`). */
  description: string;
  gpu: GpuContext;
  /** Uncaptured WebGPU errors on tfjs's device since it was opened. */
  validationErrors(): number;
  /** Their messages (the first 20), for a report. */
  errorMessages(): readonly string[];
  /** Releases tfjs's backend and the device; idempotent. */
  destroy(): void;
}

let opened: Promise<TfjsWebgpu> | undefined;

/** Opens tfjs's WebGPU backend once per process (tfjs's engine is process-global). */
export function openTfjsWebgpu(options: { backend?: BackendChoice } = {}): Promise<TfjsWebgpu> {
  opened ??= open(options.backend ?? "auto");
  return opened;
}

function installNavigatorGpu(gpu: GPU): void {
  const target = globalThis as { navigator?: { gpu?: GPU } };
  if (target.navigator === undefined) {
    Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
  } else if (target.navigator.gpu === undefined) {
    Object.defineProperty(target.navigator, "gpu", { value: gpu, configurable: true });
  }
}

async function open(backend: BackendChoice): Promise<TfjsWebgpu> {
  const gpu = await openDevice({ backend });
  installNavigatorGpu(await gpuFor(gpu.backend));
  const messages: string[] = [];
  let errors = 0;
  gpu.device.addEventListener("uncapturederror", (event) => {
    errors++;
    if (messages.length < 20) messages.push(event.error.message.trim());
  });
  // Small ops on host-resident tensors would otherwise run on tfjs's CPU backend, not the GPU.
  tf.env().set("WEBGPU_CPU_FORWARD", false);
  tf.registerBackend(BACKEND_NAME, () => new WebGPUBackend(gpu.device, gpu.adapter.info));
  const ready = await tf.setBackend(BACKEND_NAME);
  if (!ready) throw new Error(`tfjs could not start its WebGPU backend on ${gpu.description}`);
  let destroyed = false;
  return {
    description: gpu.description,
    gpu,
    validationErrors: () => errors,
    errorMessages: () => messages,
    destroy: () => {
      if (destroyed) return;
      destroyed = true;
      tf.removeBackend(BACKEND_NAME);
      gpu.destroy();
      opened = undefined;
    },
  };
}

/**
 * Why tfjs cannot run this conv, or undefined when it can. tfjs has no grouped conv other than
 * depthwise (groups = input channels, a whole multiple of outputs per group), pads only with zeros,
 * and refuses strides > 1 together with dilations > 1.
 */
export function tfjsConvUnsupported(attrs: ConvAttrs, inChannels: number): string | undefined {
  if (attrs.paddingMode !== "zeros") return `tfjs pads only with zeros, not \`${attrs.paddingMode}\``;
  if (attrs.groups !== 1 && attrs.groups !== inChannels) {
    return `tfjs has no grouped conv with ${attrs.groups} groups over ${inChannels} channels (only groups=1 or depthwise, groups=channels)`;
  }
  const strided = attrs.stride[0] > 1 || attrs.stride[1] > 1;
  const dilated = attrs.dilation[0] > 1 || attrs.dilation[1] > 1;
  if (strided && dilated) return "tfjs's conv2d takes strides > 1 or dilations > 1, not both";
  return undefined;
}

export interface ConvWeights {
  /** OIHW: [outChannels, inChannels / groups, KH, KW], as cnnc stores it. */
  weight: Tensor;
  /** [outChannels], when attrs.bias. */
  bias?: Tensor;
}

export interface TimingOptions {
  /** Untimed runs first (the first compiles tfjs's shaders). */
  warmup: number;
  runs: number;
}

export interface TfjsConvResult {
  /** NCHW, as cnnc's output. */
  output: Tensor;
  /** Each timed run: upload the input, conv, read the output back (which waits for the GPU). */
  timesMs: number[];
  medianMs: number;
  /** Uncaptured WebGPU errors during these runs; nonzero means the output cannot be trusted. */
  validationErrors: number;
}

/** NCHW -> NHWC (any rank-4 tensor). */
export function toNhwc(tensor: Tensor): Float32Array {
  const [N, C, H, W] = tensor.shape as [number, number, number, number];
  const out = new Float32Array(tensor.data.length);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let i = 0; i < H * W; i++) out[(n * H * W + i) * C + c] = tensor.data[(n * C + c) * H * W + i]!;
  return out;
}

/** NHWC -> NCHW. */
export function toNchw(data: Float32Array, [N, H, W, C]: [number, number, number, number]): Tensor {
  const out = makeTensor([N, C, H, W]);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let i = 0; i < H * W; i++) out.data[(n * C + c) * H * W + i] = data[(n * H * W + i) * C + c]!;
  return out;
}

/** OIHW -> HWIO. */
export function toHwio(weight: Tensor): { data: Float32Array; shape: [number, number, number, number] } {
  const [O, I, KH, KW] = weight.shape as [number, number, number, number];
  const data = new Float32Array(weight.data.length);
  for (let o = 0; o < O; o++)
    for (let i = 0; i < I; i++)
      for (let kh = 0; kh < KH; kh++)
        for (let kw = 0; kw < KW; kw++) data[((kh * KW + kw) * I + i) * O + o] = weight.data[((o * I + i) * KH + kh) * KW + kw]!;
  return { data, shape: [KH, KW, I, O] };
}

/** One conv on tfjs, ready to run: the filter and bias live on tfjs's device until `dispose`. */
export interface PreparedTfjsConv {
  /** Uploads the (already NHWC) input, runs the conv, reads the output back (NHWC) and frees the tensors. */
  runOnce(): Promise<{ data: Float32Array; shape: [number, number, number, number] }>;
  dispose(): void;
}

/**
 * Prepares one conv layer (cnnc's ConvAttrs, input NCHW, weights OIHW) on tfjs's WebGPU backend; the
 * layout conversions happen here, outside what a caller times. An unsupported case is a CnncUserError
 * saying why.
 */
export function prepareTfjsConv2d(input: Tensor, weights: ConvWeights, attrs: ConvAttrs): PreparedTfjsConv {
  const [N, C, H, W] = input.shape as [number, number, number, number];
  const unsupported = tfjsConvUnsupported(attrs, C);
  if (unsupported !== undefined) {
    throw new CnncUserError(`this conv cannot run on tfjs: ${unsupported}`, { hint: "compare cnnc with tfjs on another case" });
  }
  const depthwise = attrs.groups !== 1;
  const filter = toHwio(weights.weight);
  // Depthwise: OIHW [C * m, 1, KH, KW] is HWIO [KH, KW, 1, C * m] whose output channel c * m + j reads
  // input channel c, the same element order as tfjs's depthwise filter [KH, KW, C, m].
  const filterTensor = tf.tensor4d(filter.data, depthwise ? [attrs.kernel[0], attrs.kernel[1], C, attrs.outChannels / C] : filter.shape);
  const biasTensor = weights.bias === undefined ? undefined : tf.tensor1d(weights.bias.data);
  const nhwc = toNhwc(input);
  const { top, bottom, left, right } = attrs.padding;
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [top, bottom], [left, right], [0, 0]];
  return {
    runOnce: async () => {
      const x = tf.tensor4d(nhwc, [N, H, W, C]);
      // tfjs's fused depthwise conv takes no explicit padding, so depthwise adds its bias as a second kernel.
      const y = tf.tidy(() => {
        if (!depthwise) {
          return tf.fused.conv2d({ x, filter: filterTensor, bias: biasTensor, strides: attrs.stride, pad, dataFormat: "NHWC", dilations: attrs.dilation });
        }
        const convolved = tf.depthwiseConv2d(x, filterTensor, attrs.stride, pad, "NHWC", attrs.dilation);
        return biasTensor === undefined ? convolved : tf.add(convolved, biasTensor);
      });
      try {
        const data = await y.data<"float32">();
        return { data, shape: y.shape as [number, number, number, number] };
      } finally {
        x.dispose();
        y.dispose();
      }
    },
    dispose: () => {
      filterTensor.dispose();
      biasTensor?.dispose();
    },
  };
}

/**
 * Runs one conv layer (cnnc's ConvAttrs, input NCHW, weights OIHW) on tfjs's WebGPU backend `warmup`
 * + `runs` times and returns the last output (NCHW) and the timings. Every tfjs tensor is disposed
 * before returning. An unsupported case is a CnncUserError saying why.
 */
export async function runTfjsConv2d(
  peer: TfjsWebgpu,
  input: Tensor,
  weights: ConvWeights,
  attrs: ConvAttrs,
  timing: TimingOptions,
): Promise<TfjsConvResult> {
  const errorsBefore = peer.validationErrors();
  const conv = prepareTfjsConv2d(input, weights, attrs);
  try {
    for (let i = 0; i < timing.warmup; i++) await conv.runOnce();
    const timesMs: number[] = [];
    let last: { data: Float32Array; shape: [number, number, number, number] } | undefined;
    for (let i = 0; i < timing.runs; i++) {
      const started = performance.now();
      last = await conv.runOnce();
      timesMs.push(performance.now() - started);
    }
    if (last === undefined) last = await conv.runOnce();
    return {
      output: toNchw(last.data, last.shape),
      timesMs,
      medianMs: timesMs.length === 0 ? Number.NaN : median(timesMs),
      validationErrors: peer.validationErrors() - errorsBefore,
    };
  } finally {
    conv.dispose();
  }
}

/** tfjs's live tensor count and bytes: stable across cases when nothing leaks. */
export function tfjsMemory(): { numTensors: number; numBytes: number } {
  const { numTensors, numBytes } = tf.memory();
  return { numTensors, numBytes };
}
