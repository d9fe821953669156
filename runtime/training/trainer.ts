/// <reference types="@webgpu/types" preserve="true" />
// The GPU trainer: a training-step plan (forward, loss, backward, updates; src/pipeline.ts
// compileTrainingPlan) and an evaluation plan (inference with folded batchnorm computed on the device)
// sharing one set of parameter buffers. A step writes the batch, the labels and the step's
// hyper-parameters, then submits the whole step as one command buffer and returns without waiting for
// it (at most two steps are in flight, so the CPU prepares the next batch while the GPU runs). Loss and
// accuracy accumulate on the GPU and come back when `metrics()` is called, every N steps.
import type { Plan } from "../../src/codegen/plan.js";
import { METRICS_LENGTH, METRICS_SLOTS } from "../../src/codegen/training/trainingKernel.js";
import { CnncUserError } from "../../src/errors.js";
import { shapeSize, type Graph, type TrainConfig } from "../../src/ir/graph.js";
import { gradientName, optimizerStateName, STEP_STATE } from "../../src/kernels/trainingWork.js";
import { compilePlan, compileTrainingPlan } from "../../src/pipeline.js";
import type { ScheduleConvsOptions } from "../../src/passes/scheduleOptions.js";
import type { WeightMap } from "../../src/tensor.js";
import { readBuffers, readFloat32 } from "../buffers.js";
import { lossTargets } from "./lossTargets.js";
import type { GpuContext } from "../device.js";
import { DeviceWeights } from "../deviceWeights.js";
import { createExecutor, type PlanExecutor } from "../executor.js";
import { learningRateAt } from "../../src/training/learningRate.js";
import { evaluationLoss, type EvaluationResult } from "./evaluation.js";
import { stepSeed } from "./hyper.js";
import { checkpointMatches, loadCheckpoint, saveCheckpoint, type Checkpoint, type ExpectedCheckpoint } from "./checkpoint.js";
import { hyperValues, optimizerStateNames } from "../../src/codegen/training/optimizers.js";
import { targetOf } from "../target.js";

/**
 * The train section's settings (`batch`: images per step, the training plan's batch; a dataset's last
 * partial batch is dropped), and what a run adds to them.
 */
export interface TrainerSettings extends Pick<TrainConfig, "loss" | "optimizer" | "learningRate" | "schedule" | "warmupEpochs" | "batch"> {
  /** Seeds the dropout masks (with the step). */
  seed: number;
  /** Steps per epoch and in the whole run: the learning-rate schedule's time axis. */
  stepsPerEpoch: number;
  totalSteps: number;
  /** false: one kernel per layer (`--no-fuse`). */
  fuse?: boolean;
  /** Images per evaluation pass (default 256). */
  evaluationBatch?: number;
  /** The conv schedules of the training step's forward convs (`--schedule`; default: the default rule). */
  convSchedules?: ScheduleConvsOptions;
}

/** One mini-batch: images B×C×H×W (the network's input shape), and per image a class index (cross-entropy) or a target row (mse). */
export interface TrainingBatch {
  images: Float32Array;
  labels: Int32Array | Float32Array;
}

/** What came back from the GPU's running sums since the last read. */
export interface StepMetrics {
  /** Mean loss over the steps since the last read. */
  loss: number;
  /** Fraction classified right (cross-entropy only). */
  accuracy: number | undefined;
  samples: number;
  /** The 0-based step whose loss first went non-finite, if one did (training must stop). */
  nonFiniteStep: number | undefined;
}

const IN_FLIGHT = 2;

export class Trainer {
  private stepCount = 0;
  private readonly inFlight: Promise<unknown>[] = [];
  private readonly scopes: Promise<GPUError | null>[] = [];
  private destroyed = false;
  private ownsDevice = false;
  /** The training plan's state buffers by name (`:hyper`, `conv1.weight:grad`, ...): looked up every step. */
  private readonly stateIds: ReadonlyMap<string, number>;

  private constructor(
    private readonly gpu: GpuContext,
    readonly graph: Graph,
    readonly settings: TrainerSettings,
    readonly trainPlan: Plan,
    private readonly train: PlanExecutor,
    readonly evaluationPlan: Plan,
    private readonly evaluation: PlanExecutor,
    private readonly weights: DeviceWeights,
  ) {
    this.stateIds = new Map(trainPlan.buffers.filter((buffer) => buffer.role === "state").map((buffer) => [buffer.label, buffer.id]));
  }

  /** Compiles both plans for `graph` and uploads `weights` (state_dict names, running statistics included). */
  static async create(gpu: GpuContext, graph: Graph, weights: WeightMap, settings: TrainerSettings): Promise<Trainer> {
    const options = { fuse: settings.fuse !== false, target: targetOf(gpu) };
    const schedule = settings.convSchedules === undefined ? {} : { schedule: settings.convSchedules };
    const trainPlan = compileTrainingPlan(graph, settings.batch, { ...options, ...schedule, loss: settings.loss, optimizer: settings.optimizer }).plan;
    const evaluationPlan = compilePlan(graph, settings.evaluationBatch ?? 256, { ...options, deriveOnDevice: true }).plan;
    for (const plan of [trainPlan, evaluationPlan]) {
      const sliced = plan.buffers.find((buffer) => buffer.paramSlice !== undefined);
      if (sliced !== undefined) {
        throw new CnncUserError(`cnnc cannot train ${graph.name}: its weight ${sliced.paramName} is larger than one GPU binding allows`, {
          hint: "train a smaller layer (fewer features), or on a GPU with a larger maxStorageBufferBindingSize",
        });
      }
    }
    const deviceWeights = new DeviceWeights(gpu.device, weights);
    const train = await createExecutor(gpu, trainPlan, deviceWeights);
    const evaluation = await createExecutor(gpu, evaluationPlan, deviceWeights);
    return new Trainer(gpu, graph, settings, trainPlan, train, evaluationPlan, evaluation, deviceWeights);
  }

  /** Optimizer steps taken so far (the next step's 0-based index). */
  get steps(): number {
    return this.stepCount;
  }

  /** The learning rate of 0-based step `step` (default: the next one). */
  learningRate(step = this.stepCount): number {
    const { learningRate, schedule, warmupEpochs, stepsPerEpoch, totalSteps } = this.settings;
    if (step >= totalSteps) {
      throw new CnncUserError(`step ${step + 1} is past the end of the run (${totalSteps} steps): the learning-rate schedule ends there`, {
        hint: "create the trainer with a totalSteps covering every step it will take",
      });
    }
    return learningRateAt({ learningRate, schedule, warmupEpochs }, step, stepsPerEpoch, totalSteps);
  }

  private stateBufferId(name: string): number {
    const id = this.stateIds.get(name);
    if (id === undefined) throw new Error(`internal: the training plan has no state buffer ${name}`);
    return id;
  }

  private writeState(name: string, data: Float32Array): void {
    const id = this.stateBufferId(name);
    const buffer = this.train.bufferAt(id);
    if (data.byteLength !== this.trainPlan.buffers[id]!.bytes) {
      throw new Error(`internal: ${name} takes ${this.trainPlan.buffers[id]!.bytes} bytes, given ${data.byteLength}`);
    }
    this.gpu.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  }

  /**
   * Queues the writes of step `step`'s labels (class indices as u32 bits, or mse targets) and hyper
   * values (learning rate, bias corrections, dropout seed), and returns its inputs for the executor.
   */
  private stepInputs(batch: TrainingBatch, step: number): Map<string, { shape: number[]; data: Float32Array }> {
    const classes = shapeSize(this.graph.nodes[this.graph.outputs[0]!]!.shape);
    this.writeState(STEP_STATE.labels, lossTargets(this.settings.loss, batch.labels, this.settings.batch, classes, this.graph.name));
    this.writeState(STEP_STATE.hyper, hyperValues(this.settings.optimizer, this.learningRate(step), step, stepSeed(this.settings.seed, step)));
    const input = this.trainPlan.inputs[0]!;
    return new Map([[input.name, { shape: input.shape, data: batch.images }]]);
  }

  /** Queues one training step on `batch` and returns once it is submitted (not finished). */
  async step(batch: TrainingBatch): Promise<void> {
    this.checkAlive();
    const input = this.trainPlan.inputs[0]!;
    if (batch.images.length !== shapeSize(input.shape)) {
      throw new CnncUserError(`a training batch has ${batch.images.length} image values; the plan takes [${input.shape.join(", ")}]`, {
        hint: `give exactly ${this.settings.batch} images per step`,
      });
    }
    while (this.inFlight.length >= IN_FLIGHT) await this.inFlight.shift();
    const device = this.gpu.device;
    const step = this.stepCount;
    device.pushErrorScope("validation");
    device.pushErrorScope("out-of-memory");
    this.train.submit(this.stepInputs(batch, step));
    this.scopes.push(device.popErrorScope(), device.popErrorScope());
    this.inFlight.push(device.queue.onSubmittedWorkDone());
    this.stepCount++;
  }

  /** Waits for the queued steps, then reports a GPU error of any of them (naming the kernel). */
  private async settle(): Promise<void> {
    await Promise.all(this.inFlight.splice(0));
    const errors = (await Promise.all(this.scopes.splice(0))).filter((error): error is GPUError => error !== null);
    if (errors.length === 0) return;
    // Name the kernel: rerun the forward, loss and backward kernels one at a time, and only validate
    // the updates (running them again would apply them twice).
    const located = await this.train.findFailingStep((step) => step.phase !== "update");
    if (located instanceof Error) throw located;
    throw new Error(`a training step failed on the GPU: ${errors[0]!.message}`);
  }

  /** The loss and accuracy summed on the GPU since the last call (which resets the sums). */
  async metrics(): Promise<StepMetrics> {
    this.checkAlive();
    await this.settle();
    const id = this.stateBufferId(STEP_STATE.metrics);
    const values = await readFloat32(this.gpu.device, this.train.bufferAt(id), METRICS_LENGTH * 4);
    const flag = new Uint32Array(values.buffer)[METRICS_SLOTS.firstNonFiniteStep]!;
    // Keep the flag (updates stay skipped once a loss went non-finite), zero the sums.
    const reset = new Float32Array(METRICS_LENGTH);
    new Uint32Array(reset.buffer)[METRICS_SLOTS.firstNonFiniteStep] = flag;
    this.writeState(STEP_STATE.metrics, reset);
    const samples = values[METRICS_SLOTS.samples]!;
    return {
      loss: samples > 0 ? values[METRICS_SLOTS.lossSum]! / samples : NaN,
      accuracy: this.settings.loss === "cross_entropy" && samples > 0 ? values[METRICS_SLOTS.correct]! / samples : undefined,
      samples,
      nonFiniteStep: flag === 0 ? undefined : flag - 1,
    };
  }

  /**
   * Inference on `data.images` (N×C×H×W, N any) with the running statistics, in evaluation batches:
   * the mean loss, accuracy and each image's predicted class (cross-entropy) against `data.labels`.
   */
  async evaluate(data: TrainingBatch): Promise<EvaluationResult> {
    const { images, labels } = data;
    this.checkAlive();
    await this.settle();
    const input = this.evaluationPlan.inputs[0]!;
    const perImage = shapeSize(input.shape.slice(1));
    const count = images.length / perImage;
    const evaluationBatch = input.shape[0]!;
    const output = this.evaluationPlan.outputs[0]!;
    const perOutput = shapeSize(output.shape.slice(1));
    const all = new Float32Array(count * perOutput);
    // The last evaluation batch is padded with zeros; only its first images' outputs are kept.
    for (let start = 0; start < count; start += evaluationBatch) {
      const end = Math.min(count, start + evaluationBatch);
      const data = new Float32Array(evaluationBatch * perImage);
      data.set(images.subarray(start * perImage, end * perImage));
      const result = await this.evaluation.run(new Map([[input.name, { shape: input.shape, data }]]));
      all.set(result.get(output.name)!.data.subarray(0, (end - start) * perOutput), start * perOutput);
    }
    const probabilities = this.graph.nodes[this.graph.outputs[0]!]!.attrs.op === "softmax";
    return evaluationLoss(this.settings.loss, all, perOutput, labels, probabilities);
  }

  /** The parameters and running statistics as they are on the GPU now, by state_dict name. */
  async readWeights(): Promise<WeightMap> {
    this.checkAlive();
    await this.settle();
    const ranges = await Promise.all(
      this.trainPlan.weights.map(async (weight) => {
        const bytes = shapeSize(weight.shape) * 4;
        return { source: await this.weights.buffer(weight.name, bytes), bytes };
      }),
    );
    const values = await readBuffers(this.gpu.device, ranges, `${this.graph.name} weights`);
    return new Map(this.trainPlan.weights.map((weight, index) => [weight.name, { shape: weight.shape.slice(), data: values[index]! }]));
  }

  /**
   * The optimizer-state buffers (`conv1.weight:momentum_buffer`) or gradient buffers
   * (`conv1.weight:grad`) of the parameters the step updates, with their parameter and slot.
   */
  private stateBuffers(kind: "optimizer" | "gradient"): { name: string; param: string; slot: string; id: number }[] {
    const slots = kind === "gradient" ? ["grad"] : optimizerStateNames(this.settings.optimizer);
    return this.trainPlan.weights
      .filter((weight) => weight.trainable)
      .flatMap((weight) =>
        slots.flatMap((slot) => {
          const name = kind === "gradient" ? gradientName(weight.name) : optimizerStateName(weight.name, slot);
          const id = this.stateIds.get(name);
          return id === undefined ? [] : [{ name, param: weight.name, slot, id }];
        }),
      );
  }

  /** Optimizer state (`conv1.weight:momentum_buffer`) or gradients (`conv1.weight:grad`) as on the GPU now. */
  async readState(kind: "optimizer" | "gradient"): Promise<WeightMap> {
    this.checkAlive();
    await this.settle();
    const states = this.stateBuffers(kind);
    const values = await readBuffers(this.gpu.device, 
      states.map(({ id }) => ({ source: this.train.bufferAt(id), bytes: this.trainPlan.buffers[id]!.bytes })),
      `${this.graph.name} ${kind === "optimizer" ? "optimizer state" : "gradients"}`,
    );
    return new Map(states.map(({ name, id }, index) => [name, { shape: [this.trainPlan.buffers[id]!.bytes / 4], data: values[index]! }]));
  }

  /** Restores parameters, optimizer state (by checkpoint name, `conv1.weight.momentum_buffer`) and the step count. */
  private async restore(weights: WeightMap, optimizerState: WeightMap, steps: number): Promise<void> {
    this.checkAlive();
    await this.settle();
    for (const weight of this.trainPlan.weights) {
      const tensor = weights.get(weight.name);
      if (tensor === undefined) throw new CnncUserError(`the checkpoint has no tensor ${weight.name}`, { hint: "resume from a checkpoint of this model" });
      const buffer = await this.weights.buffer(weight.name, tensor.data.byteLength);
      this.gpu.device.queue.writeBuffer(buffer, 0, tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
    }
    for (const { name, param, slot } of this.stateBuffers("optimizer")) {
      const tensor = optimizerState.get(`${param}.${slot}`);
      if (tensor === undefined) throw new CnncUserError(`the checkpoint has no optimizer state ${param}.${slot}`, { hint: "resume with the optimizer the run was started with" });
      this.writeState(name, tensor.data);
    }
    this.stepCount = steps;
  }

  /** What a checkpoint of this trainer holds: tensors by name and shape, and `settings` as given. */
  expectedCheckpoint(settings: Record<string, string>): ExpectedCheckpoint {
    const weights = this.trainPlan.weights.map((weight) => ({ name: weight.name, shape: weight.shape.slice() }));
    const optimizerState = this.trainPlan.weights
      .filter((weight) => weight.trainable)
      .flatMap((weight) => optimizerStateNames(this.settings.optimizer).map((slot) => ({ name: `${weight.name}.${slot}`, shape: [shapeSize(weight.shape)] })));
    return { network: this.graph.name, weights, optimizerState, settings };
  }

  /**
   * Saves parameters, running statistics, optimizer state and the step to `path` (safetensors, written
   * atomically; weights under their state_dict names, so `cnnc run --weights` reads them too).
   * `settings`: what a resumed run must match.
   */
  async save(path: string, settings: Record<string, string> = {}): Promise<void> {
    const states = this.stateBuffers("optimizer");
    const byName = await this.readState("optimizer");
    const optimizerState: WeightMap = new Map(states.map(({ name, param, slot }) => [`${param}.${slot}`, byName.get(name)!]));
    const steps = this.stepCount;
    saveCheckpoint(path, { network: this.graph.name, step: steps, epoch: Math.floor(steps / this.settings.stepsPerEpoch), weights: await this.readWeights(), optimizerState, settings });
  }

  /** Restores a checkpoint `save` wrote, refusing one of another network, optimizer or `settings`. */
  async load(path: string, settings: Record<string, string> = {}): Promise<Checkpoint> {
    const checkpoint = loadCheckpoint(path);
    checkpointMatches(checkpoint, this.expectedCheckpoint(settings), path);
    await this.restore(checkpoint.weights, checkpoint.optimizerState, checkpoint.step);
    return checkpoint;
  }

  /** The run's GPU work, for the non-finite diagnosis (diagnose.ts). */
  get trainExecutor(): PlanExecutor {
    return this.train;
  }

  /** Sets the hyper-parameters of `step` and the labels, for replaying that step. */
  prepareReplay(batch: TrainingBatch, step: number): Map<string, { shape: number[]; data: Float32Array }> {
    return this.stepInputs(batch, step);
  }

  /** Makes `destroy` close the GPU device too (a trainer that opened it: createTrainer). */
  closeDeviceOnDestroy(): void {
    this.ownsDevice = true;
  }

  private checkAlive(): void {
    if (this.destroyed) throw new Error("the trainer was destroyed");
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    await Promise.allSettled(this.inFlight.splice(0));
    this.destroyed = true;
    this.train.destroy();
    this.evaluation.destroy();
    this.weights.destroy();
    if (this.ownsDevice) this.gpu.device.destroy();
  }
}
