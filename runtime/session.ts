// The library API for running a compiled network: a Session owns a device (or borrows one), the
// network's weights on that device, and one executor per batch size, built on first use. The batch is
// taken from the inputs, so the same session runs batch 1 and batch 64.
import type { ScheduleConvsOptions } from "../src/passes/scheduleOptions.js";
import type { Schedule } from "../src/ir/graph.js";
import { buildPlan, type BuildPlanOptions } from "../src/pipeline.js";
import type { Plan } from "../src/codegen/plan.js";
import { CnncUserError } from "../src/errors.js";
import type { Graph } from "../src/ir/graph.js";
import { graphInputs, type NetworkInput } from "../src/networkInputs.js";
import { namedTensorMap, type NamedTensors, type Tensor, type WeightMap } from "../src/tensor.js";
import { openDevice, type BackendChoice, type GpuContext } from "./device.js";
import { DeviceWeights } from "./deviceWeights.js";
import { PlanExecutor } from "./executor.js";
import { expectedWeights, initWeights } from "./init.js";
import { expectShape } from "./npy.js";
import type { ProgressListener } from "./progress.js";
import { checkWeights } from "./weightMismatch.js";
import { targetOf } from "./target.js";

export interface SessionOptions {
  /** PyTorch state_dict-named weights; checked against the network. Without them: initWeights(seed). */
  weights?: WeightMap;
  /** Where `weights` came from, for error messages (`model.safetensors`). */
  weightsSource?: string;
  /** Seed of the deterministic initialization used when no weights are given (default 0). */
  seed?: number;
  /** `auto` (default), `vulkan` or `opengles`. Ignored when `gpu` is given. */
  backend?: BackendChoice;
  /** Run on this already-open device instead of opening one; the session then does not destroy it. */
  gpu?: GpuContext;
  /** Told about each kernel as a batch size's plan is compiled and first run (a progress line). */
  progress?: ProgressListener;
  /** Run the fusion passes (default true); false: one kernel per layer (`--no-fuse`). */
  fuse?: boolean;
  /** Conv schedules (`--schedule`): one kind for all convs and/or per layer; default: the default rule. */
  schedule?: ScheduleConvsOptions;
  /** Tuned schedules by workload key (`cnnc build --tune`'s cache): used where nothing is forced. */
  tunedSchedule?: (workloadKey: string) => Schedule | undefined;
  /** Plans of `graph` already built (buildPlan), e.g. to check sizes before the device is opened: used instead of building them again. */
  plans?: readonly Plan[];
}

export type SessionInputs = NamedTensors;

export interface Session {
  readonly graph: Graph;
  /** The adapter the session runs on, e.g. `OpenGL ES on llvmpipe (...), compatibility mode`. */
  readonly adapterDescription: string;
  readonly gpu: GpuContext;
  /** The weights in use (given, or initialized from the seed): save them to reproduce a run. */
  readonly weights: WeightMap;
  /** A forward pass; inputs by input name, each [N, ...shape] with the same N. Outputs by output name. */
  run(inputs: SessionInputs): Promise<Map<string, Tensor>>;
  /**
   * A slow forward pass reading every layer's value back in plan order (see
   * PlanExecutor.runLayerByLayer): `visit` gets the node id and its [N, ...shape] value, and stops the
   * pass by returning false. For diagnosis, e.g. locateFirstNonFinite.
   */
  runLayerByLayer(inputs: SessionInputs, visit: (node: number, value: Float32Array) => boolean): Promise<void>;
  /** The plan the session runs for `batch` (built and cached on first use). */
  planFor(batch: number): Plan;
  /**
   * Prepares runs at `batch` now rather than at the first run: checks the plan's sizes against the
   * device (a CnncUserError naming the tensor and the largest batch that fits), allocates its buffers
   * and compiles its kernels. Once per batch; `run` at that batch then starts at once.
   */
  prepare(batch: number): Promise<void>;
  destroy(): void;
}

/** The layout letters of an [N, ...shape] tensor, for messages: NCHW, NCL, NF. */
function layoutOf(perSampleRank: number): string {
  return perSampleRank === 3 ? "NCHW" : perSampleRank === 2 ? "NCL" : perSampleRank === 1 ? "NF" : `rank ${perSampleRank + 1}`;
}

/** Checks names and shapes of the inputs against the graph; returns them as a Map and the batch. */
export function checkSessionInputs(graph: Graph, inputs: SessionInputs): { inputs: Map<string, Tensor>; batch: number } {
  return checkNetworkInputs(graph.name, graphInputs(graph), inputs);
}

/** Checks names and shapes of the inputs against a network's (a graph's or a built plan's); returns them as a Map and the batch. */
export function checkNetworkInputs(network: string, expected: readonly NetworkInput[], inputs: SessionInputs): { inputs: Map<string, Tensor>; batch: number } {
  const byName = namedTensorMap(inputs);
  const names = expected.map((input) => `\`${input.name}\` [N, ${input.shape.join(", ")}]`).join(", ");
  for (const name of byName.keys()) {
    if (!expected.some((input) => input.name === name)) {
      throw new CnncUserError(`the network ${network} has no input named \`${name}\``, { hint: `its inputs are ${names}` });
    }
  }
  let batch: number | undefined;
  for (const input of expected) {
    const tensor = byName.get(input.name);
    if (tensor === undefined) {
      throw new CnncUserError(`missing input \`${input.name}\``, { hint: `the network's inputs are ${names}` });
    }
    const shape: (number | string)[] = [batch ?? "N", ...input.shape];
    const bound = expectShape(tensor.shape, shape, `input ${input.name}`, { layout: layoutOf(input.shape.length) });
    batch ??= bound.N;
  }
  if (batch === undefined) throw new Error(`internal: network ${network} has no inputs`);
  return { inputs: byName, batch };
}

/** Plans and executors are kept per batch and per fusion choice: `4:fused`. */
function planKey(batch: number, fused: boolean): string {
  return `${batch}:${fused ? "fused" : "unfused"}`;
}

class GraphSession implements Session {
  private readonly plans = new Map<string, Plan>();
  private readonly executors = new Map<string, Promise<PlanExecutor>>();
  private readonly deviceWeights: DeviceWeights;
  private destroyed = false;

  constructor(
    readonly graph: Graph,
    readonly gpu: GpuContext,
    readonly weights: WeightMap,
    private readonly ownsGpu: boolean,
    private readonly progress: ProgressListener | undefined,
    plans: readonly Plan[],
    private readonly buildOptions: BuildPlanOptions,
  ) {
    this.deviceWeights = new DeviceWeights(gpu.device, weights);
    for (const plan of plans) {
      if (plan.network !== graph.name) throw new Error(`internal: a plan of ${plan.network} was given to a session of ${graph.name}`);
      this.plans.set(planKey(plan.batch, plan.fused), plan);
    }
  }

  private get fused(): boolean {
    return this.buildOptions.fuse !== false;
  }

  get adapterDescription(): string {
    return this.gpu.description;
  }

  planFor(batch: number): Plan {
    return this.planOf(batch, this.fused);
  }

  private planOf(batch: number, fused: boolean): Plan {
    const key = planKey(batch, fused);
    let plan = this.plans.get(key);
    if (plan === undefined) {
      // Kernels and schedules fit the device's limits unless the caller chose a target.
      plan = buildPlan(this.graph, batch, { target: targetOf(this.gpu), ...this.buildOptions, fuse: fused });
      this.plans.set(key, plan);
    }
    return plan;
  }

  async prepare(batch: number): Promise<void> {
    if (this.destroyed) throw new Error(`the session of ${this.graph.name} was destroyed`);
    await this.executorFor(batch, this.fused);
  }

  /** The executor of `batch` (fused or not), created (and its sizes checked against the device) on first use. */
  private executorFor(batch: number, fused: boolean): Promise<PlanExecutor> {
    const key = planKey(batch, fused);
    let executor = this.executors.get(key);
    if (executor === undefined) {
      executor = PlanExecutor.create(this.gpu, this.planOf(batch, fused), this.deviceWeights, this.progress);
      this.executors.set(key, executor);
      // A batch that failed to prepare (too large for the device) may be retried; do not cache the failure.
      executor.catch(() => this.executors.delete(key));
    }
    return executor;
  }

  async run(inputs: SessionInputs): Promise<Map<string, Tensor>> {
    if (this.destroyed) throw new Error(`the session of ${this.graph.name} was destroyed`);
    const checked = checkSessionInputs(this.graph, inputs);
    const executor = await this.executorFor(checked.batch, this.fused);
    return executor.run(checked.inputs);
  }

  async runLayerByLayer(inputs: SessionInputs, visit: (node: number, value: Float32Array) => boolean): Promise<void> {
    if (this.destroyed) throw new Error(`the session of ${this.graph.name} was destroyed`);
    const checked = checkSessionInputs(this.graph, inputs);
    // One kernel per layer, so that every layer's value exists to be read back (fused kernels skip them).
    const executor = await this.executorFor(checked.batch, false);
    await executor.runLayerByLayer(checked.inputs, visit);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const executor of this.executors.values()) {
      executor.then((ready) => ready.destroy(), () => undefined);
    }
    this.executors.clear();
    this.deviceWeights.destroy();
    if (this.ownsGpu) this.gpu.destroy();
  }
}

/**
 * Opens a session on `graph` (a shape-checked graph, from `compile` or `compileFile`). Given weights
 * are checked first (missing, extra and mis-shaped tensors in one error); without weights they are
 * initialized deterministically from `seed`.
 */
export async function createSession(graph: Graph, options: SessionOptions = {}): Promise<Session> {
  let weights = options.weights;
  if (weights === undefined) {
    weights = initWeights(graph, options.seed ?? 0);
  } else {
    checkWeights(expectedWeights(graph), weights, options.weightsSource);
  }
  const gpu = options.gpu ?? (await openDevice(options.backend === undefined ? {} : { backend: options.backend }));
  const buildOptions: BuildPlanOptions = {
    fuse: options.fuse !== false,
    ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
    ...(options.tunedSchedule === undefined ? {} : { tunedSchedule: options.tunedSchedule }),
  };
  return new GraphSession(graph, gpu, weights, options.gpu === undefined, options.progress, options.plans ?? [], buildOptions);
}
