/// <reference types="@webgpu/types" preserve="true" />
// Runs a Plan on a device: creates its buffers (size-checked against the device's limits), compiles
// each kernel with the zero-warnings check, binds everything once, uploads the weights once, and then
// runs forward passes: one submission per pass (the input uploads queued before it, every dispatch,
// the copies of the outputs into a staging buffer kept for the executor's life) in one error scope.
import type { KernelBinding, KernelStep, Plan } from "../src/codegen/plan.js";
import { checkLoopLimit } from "../src/codegen/loopLimit.js";
import { checkPlanFits } from "../src/codegen/planLimits.js";
import { CnncUserError } from "../src/errors.js";
import { checkHostBatch } from "../src/hostLimits.js";
import { shapeSize } from "../src/ir/graph.js";
import { describeShape, type Tensor, type WeightMap } from "../src/tensor.js";
import { createStorageBuffer, readBuffers, StagingBuffer, storageBufferLimit, uploadFloat32, type ReadBackRange } from "./buffers.js";
import { limitsLoopIterations, type GpuContext } from "./device.js";
import { DeviceWeights } from "./deviceWeights.js";
import { deviceIsGone, runSubmissionWithErrorScope, runWithErrorScope } from "./gpuErrors.js";
import { pipelineFor } from "./pipelineCache.js";
import { reportStep, type ProgressListener } from "./progress.js";

interface BoundStep {
  step: KernelStep;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
}

/** Values copied at the end of a submission into a staging buffer, and read from it once it has run. */
interface ReadBack {
  staging: StagingBuffer;
  ranges: readonly ReadBackRange[];
}

/**
 * Checks that every value the executor reads back (outputs, and each layer's value in a layer-by-layer
 * run) fits one host array: once, when the executor is created, not on every read.
 */
function checkReadBacksFit(plan: Plan): void {
  const values = plan.buffers.filter((buffer) => buffer.role !== "param" && buffer.role !== "scratch");
  if (values.length === 0) return;
  const largest = values.reduce((found, buffer) => (buffer.bytes > found.bytes ? buffer : found));
  const value = largest.role === "input" ? `input ${largest.label}` : largest.role === "output" ? `output ${largest.label}` : `the value of layer ${largest.label}`;
  const shape = largest.shape === undefined ? "" : ` [N, ${largest.shape.slice(1).join(", ")}]`;
  checkHostBatch(`${value}${shape} read back from the GPU`, largest.bytes / 4 / plan.batch, plan.batch, "float32");
}

function checkStepFits(device: GPUDevice, step: KernelStep): void {
  const maxBindings = device.limits.maxStorageBuffersPerShaderStage;
  if (step.bindings.length > maxBindings) {
    throw new Error(`kernel ${step.name} binds ${step.bindings.length} storage buffers; this device allows ${maxBindings}`);
  }
  const maxGroups = device.limits.maxComputeWorkgroupsPerDimension;
  if (step.workgroups.some((count) => !Number.isInteger(count) || count < 0 || count > maxGroups)) {
    throw new Error(`kernel ${step.name} dispatches ${step.workgroups.join("x")} workgroups; this device allows ${maxGroups} per dimension`);
  }
}

/** One step's dispatch in a compute pass. */
function recordDispatch(pass: GPUComputePassEncoder, { step, pipeline, bindGroup }: BoundStep): void {
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(...step.workgroups);
}

export class PlanExecutor {
  private destroyed = false;
  /** Runs share the plan's buffers, so concurrent calls are queued, one forward pass at a time. */
  private pending: Promise<unknown> = Promise.resolve();
  /** Whether a forward pass ran: the first one compiles every shader (in Mesa) and may report progress. */
  private hasRun = false;
  /** The staging buffers of `run` (all outputs) and of `runLayerByLayer` (one value), made on first use. */
  private outputStaging: StagingBuffer | undefined;
  private layerStaging: StagingBuffer | undefined;

  private constructor(
    private readonly gpu: GpuContext,
    readonly plan: Plan,
    private readonly buffers: GPUBuffer[],
    private readonly ownedBuffers: GPUBuffer[],
    private readonly steps: BoundStep[],
    private readonly ownedWeights: DeviceWeights | undefined,
    private readonly progress: ProgressListener | undefined,
  ) {}

  /**
   * Prepares `plan` on `gpu`. `weights` is a WeightMap (uploaded for this executor alone) or a
   * DeviceWeights shared with other executors of the same network (a session's plans per batch).
   */
  static async create(gpu: GpuContext, plan: Plan, weights: WeightMap | DeviceWeights, progress?: ProgressListener): Promise<PlanExecutor> {
    const device = gpu.device;
    const shared = weights instanceof DeviceWeights ? weights : undefined;
    const deviceWeights = weights instanceof DeviceWeights ? weights : new DeviceWeights(device, weights);
    const owned: GPUBuffer[] = [];
    try {
      deviceWeights.addDerived(plan.derived);
      // Sizes once per executor (a plan's batch), before anything is allocated; nothing per forward pass.
      checkPlanFits(plan, storageBufferLimit(device));
      checkReadBacksFit(plan);
      for (const step of plan.steps) checkStepFits(device, step);
      if (limitsLoopIterations(gpu.adapterDetails)) checkLoopLimit(plan);
      deviceWeights.requireAll(
        plan.buffers.flatMap(({ role, paramName, paramSlice, bytes }) =>
          role === "param" && paramName !== undefined ? [{ paramName, tensorBytes: paramSlice?.tensorBytes ?? bytes }] : [],
        ),
      );
      const buffers: GPUBuffer[] = [];
      for (const buffer of plan.buffers) {
        if (buffer.role === "param") {
          if (buffer.paramName === undefined) throw new Error(`internal: param buffer ${buffer.label} has no paramName`);
          buffers.push(await deviceWeights.buffer(buffer.paramName, buffer.bytes, buffer.paramSlice));
          continue;
        }
        const created = await runWithErrorScope(device, `allocating ${buffer.label}`, () =>
          createStorageBuffer(device, buffer.bytes, `${buffer.role} ${buffer.label}`),
        );
        owned.push(created);
        buffers.push(created);
      }
      const steps: BoundStep[] = [];
      for (const [index, step] of plan.steps.entries()) {
        reportStep(progress, "compiling", plan.steps, index);
        const { pipeline, layout } = await pipelineFor(device, step);
        const bindGroup = await runWithErrorScope(device, `binding buffers of kernel ${step.name}`, () =>
          device.createBindGroup({
            label: step.name,
            layout,
            entries: step.bindings.map((binding: KernelBinding, index) => ({
              binding: index,
              resource: { buffer: buffers[binding.buffer]! },
            })),
          }),
        );
        steps.push({ step, pipeline, bindGroup });
      }
      reportStep(progress, "compiling", plan.steps, plan.steps.length - 1, true);
      return new PlanExecutor(gpu, plan, buffers, owned, steps, shared === undefined ? deviceWeights : undefined, progress);
    } catch (error) {
      for (const buffer of owned) buffer.destroy();
      if (shared === undefined) deviceWeights.destroy();
      throw error;
    }
  }

  /** One forward pass. `inputs` maps each graph input's name to an [N, ...shape] tensor. */
  run(inputs: Map<string, Tensor>): Promise<Map<string, Tensor>> {
    const result = this.pending.then(() => this.runNow(inputs));
    this.pending = result.catch(() => undefined);
    return result;
  }

  /**
   * A forward pass that stops after each node's kernels to read that node's value back ([N, ...shape]
   * row-major), calling `visit` in plan order until it returns false. One submission and one read per
   * node: slow, meant for diagnosis (finding the first layer that produces a NaN), not the normal path.
   * View nodes (flatten) have no kernels and are not visited; their value is their input's.
   */
  runLayerByLayer(inputs: Map<string, Tensor>, visit: (node: number, value: Float32Array) => boolean): Promise<void> {
    const result = this.pending.then(() => this.runLayerByLayerNow(inputs, visit));
    this.pending = result.catch(() => undefined);
    return result;
  }

  private async runLayerByLayerNow(inputs: Map<string, Tensor>, visit: (node: number, value: Float32Array) => boolean): Promise<void> {
    const device = this.gpu.device;
    this.checkRunnable(inputs);
    const nodeBytes = [...this.plan.nodeBuffers.values()].map((buffer) => this.plan.buffers[buffer]!.bytes);
    const staging = (this.layerStaging ??= await this.createStaging(Math.max(0, ...nodeBytes), "layer values"));
    for (let start = 0; start < this.steps.length; ) {
      const node = this.steps[start]!.step.node;
      let end = start + 1;
      while (end < this.steps.length && this.steps[end]!.step.node === node) end++;
      const buffer = this.plan.nodeBuffers.get(node);
      if (buffer === undefined) throw new Error(`internal: node ${node} has kernels but no buffer`);
      const readBack = { staging, ranges: [{ source: this.buffers[buffer]!, bytes: this.plan.buffers[buffer]!.bytes }] };
      const group = this.steps.slice(start, end);
      const [value] = await runSubmissionWithErrorScope(device, `layer ${group[0]!.step.layer}`, () => {
        if (start === 0) this.uploadInputs(inputs);
        device.queue.submit([this.encode(group, readBack)]);
        return staging.read(readBack.ranges);
      });
      if (!visit(node, value!)) return;
      start = end;
    }
  }

  /** The GPU buffer of the plan's buffer `id` (a trainer writes and reads its state buffers through it). */
  bufferAt(id: number): GPUBuffer {
    if (this.destroyed) throw new Error(`the executor of ${this.plan.network} was destroyed`);
    const buffer = this.buffers[id];
    if (buffer === undefined) throw new Error(`internal: the plan of ${this.plan.network} has no buffer ${id}`);
    return buffer;
  }

  /**
   * Queues the inputs' uploads and submits every step as one command buffer, without waiting: a
   * training step. Writes the caller queued before (labels, hyper-parameters) run first. Validation
   * errors surface through the caller's error scope.
   */
  submit(inputs: Map<string, Tensor>): void {
    this.checkRunnable(inputs);
    this.uploadInputs(inputs);
    this.gpu.device.queue.submit([this.encode(this.steps)]);
  }

  /**
   * After a failed `submit`: the error of the first step that fails on its own (its message names the
   * kernel and layer), or undefined. Each step is encoded in an error scope of its own; only those
   * `mayRun` keeps are submitted (a trainer never reruns its updates: they would apply twice), the
   * others only validated.
   */
  async findFailingStep(mayRun: (step: KernelStep) => boolean): Promise<unknown> {
    const device = this.gpu.device;
    if (deviceIsGone(device)) return undefined;
    for (const bound of this.steps) {
      try {
        await runWithErrorScope(device, `kernel ${bound.step.name} (layer ${bound.step.layer})`, async () => {
          const commands = this.encode([bound]);
          if (!mayRun(bound.step)) return;
          device.queue.submit([commands]);
          await device.queue.onSubmittedWorkDone();
        });
      } catch (error) {
        return error;
      }
    }
    return undefined;
  }

  /**
   * Runs the steps one submission each, reading back after each step the activation buffers it
   * writes, until `visit` returns false: diagnosis of a training step (the first non-finite value).
   * `include` leaves steps out (a diagnosis never reruns updates).
   */
  async runStepByStep(
    inputs: Map<string, Tensor>,
    include: (step: KernelStep) => boolean,
    visit: (step: KernelStep, written: { buffer: number; values: Float32Array }[]) => boolean,
  ): Promise<void> {
    this.checkRunnable(inputs);
    this.uploadInputs(inputs);
    for (const bound of this.steps) {
      if (!include(bound.step)) continue;
      this.gpu.device.queue.submit([this.encode([bound])]);
      const written = bound.step.bindings.filter(({ access, buffer }) => access === "read_write" && this.plan.buffers[buffer]!.role !== "scratch");
      const ranges = written.map(({ buffer }) => ({ source: this.buffers[buffer]!, bytes: this.plan.buffers[buffer]!.bytes }));
      const values = await readBuffers(this.gpu.device, ranges, `the values kernel ${bound.step.name} writes`);
      if (!visit(bound.step, written.map(({ buffer }, index) => ({ buffer, values: values[index]! })))) return;
    }
  }

  /** Checks `inputs` and queues their uploads ahead of the next submission (a profiler's runs). */
  loadInputs(inputs: Map<string, Tensor>): void {
    this.checkRunnable(inputs);
    this.uploadInputs(inputs);
  }

  /**
   * Records step `index`'s dispatch alone in a compute pass of `encoder`, described by `pass` (e.g.
   * its timestampWrites): a profiler times each kernel in a pass of its own.
   */
  recordStep(encoder: GPUCommandEncoder, index: number, pass: GPUComputePassDescriptor = {}): void {
    if (this.destroyed) throw new Error(`the executor of ${this.plan.network} was destroyed`);
    const bound = this.steps[index];
    if (bound === undefined) throw new Error(`internal: the plan of ${this.plan.network} has no step ${index}`);
    const computePass = encoder.beginComputePass({ label: bound.step.name, ...pass });
    recordDispatch(computePass, bound);
    computePass.end();
  }

  /** Checks that the executor is alive and that `inputs` match the plan's inputs. */
  private checkRunnable(inputs: Map<string, Tensor>): void {
    if (this.destroyed) throw new Error(`the executor of ${this.plan.network} was destroyed`);
    this.checkInputs(inputs);
  }

  /** Queues the copies of the (checked) inputs into their buffers, ahead of the next submission. */
  private uploadInputs(inputs: Map<string, Tensor>): void {
    for (const input of this.plan.inputs) {
      uploadFloat32(this.gpu.device, this.buffers[input.buffer]!, inputs.get(input.name)!.data);
    }
  }

  /** A staging buffer of this executor, in an error scope of its own so that a failed one is not kept. */
  private createStaging(bytes: number, what: string): Promise<StagingBuffer> {
    const label = `${what} of ${this.label} (read-back)`;
    return runWithErrorScope(this.gpu.device, `allocating the ${label}`, () => new StagingBuffer(this.gpu.device, bytes, label));
  }

  private get label(): string {
    return `${this.plan.network} (batch ${this.plan.batch})`;
  }

  private async runNow(inputs: Map<string, Tensor>): Promise<Map<string, Tensor>> {
    const device = this.gpu.device;
    this.checkRunnable(inputs);
    const ranges = this.plan.outputs.map((output) => ({ source: this.buffers[output.buffer]!, bytes: shapeSize(output.shape) * 4 }));
    const staging = (this.outputStaging ??= await this.createStaging(ranges.reduce((sum, { bytes }) => sum + bytes, 0), "outputs"));
    const readBack = { staging, ranges };
    const label = `the forward pass of ${this.label}`;
    let values: Float32Array[];
    try {
      values =
        this.hasRun || this.progress === undefined
          ? await runSubmissionWithErrorScope(device, label, () => {
              this.uploadInputs(inputs);
              device.queue.submit([this.encode(this.steps, readBack)]);
              return staging.read(ranges);
            })
          : await runWithErrorScope(device, label, () => this.runReportingKernels(inputs, readBack));
      this.hasRun = true;
    } catch (error) {
      throw await this.localize(error);
    }
    return new Map(this.plan.outputs.map((output, index) => [output.name, { shape: [...output.shape], data: values[index]! }]));
  }

  /**
   * The first run with a listener: one submission per kernel, so that each shader's compilation at its
   * first dispatch can be reported. Same kernels in the same order, so the same results.
   */
  private async runReportingKernels(inputs: Map<string, Tensor>, readBack: ReadBack): Promise<Float32Array[]> {
    const device = this.gpu.device;
    this.uploadInputs(inputs);
    for (const [index, bound] of this.steps.entries()) {
      reportStep(this.progress, "first run", this.plan.steps, index);
      device.queue.submit([this.encode([bound])]);
      await device.queue.onSubmittedWorkDone();
    }
    reportStep(this.progress, "first run", this.plan.steps, this.steps.length - 1, true);
    device.queue.submit([this.encode([], readBack)]);
    return readBack.staging.read(readBack.ranges);
  }

  /** A command buffer with `steps`' dispatches, then the copies of `readBack`'s values to its staging buffer. */
  private encode(steps: readonly BoundStep[], readBack?: ReadBack): GPUCommandBuffer {
    const encoder = this.gpu.device.createCommandEncoder({ label: this.plan.network });
    if (steps.length > 0) {
      const pass = encoder.beginComputePass({ label: this.plan.network });
      // No debug groups around the dispatches: on Dawn's OpenGL ES backend (Mesa) they can stall a
      // submission for seconds. A failure is attributed to a kernel by `localize` instead.
      for (const bound of steps) recordDispatch(pass, bound);
      pass.end();
    }
    readBack?.staging.recordCopies(encoder, readBack.ranges);
    return encoder.finish();
  }

  /**
   * A failed batched submission says only that *something* failed. Unless the device is gone, rerun
   * the kernels one submission each to name the first one that fails; fall back to the original error
   * (an error of the upload or of the read-back, which no kernel reproduces).
   */
  private async localize(error: unknown): Promise<unknown> {
    return (await this.findFailingStep(() => true)) ?? error;
  }

  private checkInputs(inputs: Map<string, Tensor>): void {
    const expected = this.plan.inputs.map((input) => `\`${input.name}\` ${describeShape(input.shape)}`).join(", ");
    for (const name of inputs.keys()) {
      if (!this.plan.inputs.some((input) => input.name === name)) {
        throw new CnncUserError(`the network ${this.plan.network} has no input named \`${name}\``, {
          hint: `its inputs are ${expected}`,
        });
      }
    }
    for (const input of this.plan.inputs) {
      const tensor = inputs.get(input.name);
      if (tensor === undefined) {
        throw new CnncUserError(`missing input \`${input.name}\``, { hint: `the network's inputs are ${expected}` });
      }
      const same = tensor.shape.length === input.shape.length && tensor.shape.every((size, i) => size === input.shape[i]);
      if (!same) {
        throw new CnncUserError(
          `input \`${input.name}\` has shape ${describeShape(tensor.shape)} but the network expects ${describeShape(input.shape)} (N${input.shape.length === 4 ? "CHW" : input.shape.length === 3 ? "CL" : "F"})`,
          { hint: `pass a float32 array of shape ${describeShape(input.shape)}` },
        );
      }
      if (tensor.data.length !== shapeSize(input.shape)) {
        throw new Error(`internal: input ${input.name} has ${tensor.data.length} values for shape ${describeShape(tensor.shape)}`);
      }
    }
  }

  /** Frees this executor's buffers (and its weights unless they were shared). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const buffer of this.ownedBuffers) buffer.destroy();
    this.outputStaging?.destroy();
    this.layerStaging?.destroy();
    this.ownedWeights?.destroy();
  }
}

export function createExecutor(gpu: GpuContext, plan: Plan, weights: WeightMap | DeviceWeights, progress?: ProgressListener): Promise<PlanExecutor> {
  return PlanExecutor.create(gpu, plan, weights, progress);
}
