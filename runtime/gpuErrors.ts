/// <reference types="@webgpu/types" preserve="true" />
// Turning WebGPU's asynchronous error reporting into ordinary thrown errors that name the kernel or
// layer at fault. WebGPU never throws for validation or out-of-memory problems: it reports them
// later, through error scopes or an `uncapturederror` event, and a lost device can leave promises
// (mapAsync, onSubmittedWorkDone) pending. Everything the runtime does on the GPU goes through
// `runWithErrorScope`, which pops both scopes, races the work against device loss, and throws.
import { CnncUserError } from "../src/errors.js";

interface DeviceHealth {
  lost: GPUDeviceLostInfo | undefined;
  /** Set by GpuContext.destroy(): a loss we caused ourselves is not the driver's fault. */
  closedByUs: boolean;
  /** Errors Dawn reported outside any error scope since the last check. */
  uncaptured: string[];
  /** Callbacks of in-flight `runWithErrorScope` calls, woken when the device is lost. */
  lossWaiters: Set<(info: GPUDeviceLostInfo) => void>;
}

const healthByDevice = new WeakMap<GPUDevice, DeviceHealth>();

/** Starts tracking loss and uncaptured errors of `device` (idempotent; openDevice calls it). */
export function watchDevice(device: GPUDevice): void {
  healthOf(device);
}

function healthOf(device: GPUDevice): DeviceHealth {
  const known = healthByDevice.get(device);
  if (known !== undefined) {
    return known;
  }
  const health: DeviceHealth = { lost: undefined, closedByUs: false, uncaptured: [], lossWaiters: new Set() };
  healthByDevice.set(device, health);
  void device.lost.then((info) => {
    health.lost = info;
    for (const wake of health.lossWaiters) {
      wake(info);
    }
    health.lossWaiters.clear();
  });
  device.addEventListener("uncapturederror", (event) => {
    health.uncaptured.push(`${errorKind(event.error)}: ${event.error.message.trim()}`);
  });
  return health;
}

/** Records that the device is being destroyed on purpose, then destroys it. */
export function closeDevice(device: GPUDevice): void {
  healthOf(device).closedByUs = true;
  device.destroy();
}

// By constructor name: the GPU* classes are globals only once device.ts has installed Dawn's.
function errorKind(error: GPUError): string {
  switch (error.constructor.name) {
    case "GPUOutOfMemoryError":
      return "out of memory";
    case "GPUValidationError":
      return "validation error";
    default:
      return "internal error";
  }
}

function lostError(health: DeviceHealth, info: GPUDeviceLostInfo, label: string): Error {
  if (health.closedByUs) {
    return new Error(`${label}: the GPU device was closed (destroy() was called) before this work finished`);
  }
  return new CnncUserError(`the GPU device was lost while running ${label}: ${info.message || info.reason}`, {
    hint:
      "the driver may have reset after a long-running kernel or run out of memory: try a smaller --batch; " +
      "`cnnc doctor` shows which adapter is in use",
  });
}

/** Whether `device` was lost or closed: every later submission fails alike, whatever it holds. */
export function deviceIsGone(device: GPUDevice): boolean {
  const health = healthOf(device);
  return health.lost !== undefined || health.closedByUs;
}

/** Throws if the device is already lost: nothing submitted to it could ever finish. */
export function assertDeviceAlive(device: GPUDevice, label: string): void {
  const health = healthOf(device);
  if (health.lost !== undefined) {
    throw lostError(health, health.lost, label);
  }
}

type Raced<T> = { kind: "done"; value: T } | { kind: "lost"; info: GPUDeviceLostInfo };

/** Settles with the work's result, or as soon as the device is lost (whichever comes first). */
function raceWithLoss<T>(health: DeviceHealth, work: Promise<T>): Promise<Raced<T>> {
  return new Promise<Raced<T>>((resolve, reject) => {
    const onLost = (info: GPUDeviceLostInfo): void => resolve({ kind: "lost", info });
    health.lossWaiters.add(onLost);
    work.then(
      (value) => {
        health.lossWaiters.delete(onLost);
        resolve({ kind: "done", value });
      },
      (error: unknown) => {
        health.lossWaiters.delete(onLost);
        reject(error);
      },
    );
  });
}

/**
 * Runs `fn` (which records GPU work, and may await it) inside validation and out-of-memory error
 * scopes. Out of memory and device loss become CnncUserErrors (the machine's limits, fixable with a
 * smaller batch); a validation error is a bug in cnnc's generated code and becomes an Error. Every
 * message names `label` (a kernel like `c1.conv_direct` or a layer). Error scopes are a per-device
 * stack, so calls on one device should not overlap in time (await one before starting the next), or
 * an error may be reported under the other call's label.
 */
export function runWithErrorScope<T>(device: GPUDevice, label: string, fn: () => T | Promise<T>): Promise<T> {
  return scoped(device, label, () => {
    const work = Promise.resolve().then(fn);
    return { work, popped: work.then(popBothScopes(device), popBothScopes(device)) };
  });
}

/**
 * Like runWithErrorScope, for work whose every GPU call is made before `submit` returns (uploads,
 * a submission, the mapAsync of its read-back), and whose promise only waits for the GPU. The scopes
 * are popped as soon as `submit` returns, so that their answers come while the GPU runs rather than
 * after it: one round trip to Dawn less per forward pass.
 */
export function runSubmissionWithErrorScope<T>(device: GPUDevice, label: string, submit: () => Promise<T>): Promise<T> {
  return scoped(device, label, () => {
    let work: Promise<T>;
    try {
      work = submit();
    } catch (error) {
      work = Promise.reject(error);
    }
    return { work, popped: popBothScopes(device)() };
  });
}

type ScopeErrors = [validation: GPUError | null, outOfMemory: GPUError | null];

/** Pops the two scopes of `scoped`: both pops issued before awaiting either (each pops at the call). */
function popBothScopes(device: GPUDevice): () => Promise<ScopeErrors> {
  return () => Promise.all([device.popErrorScope(), device.popErrorScope()]);
}

/**
 * The body of runWithErrorScope: pushes the scopes, starts the work (`start` pops them, always, so
 * that the scope stack stays balanced), races it against device loss, and throws what went wrong.
 */
async function scoped<T>(device: GPUDevice, label: string, start: () => { work: Promise<T>; popped: Promise<ScopeErrors> }): Promise<T> {
  const health = healthOf(device);
  assertDeviceAlive(device, label);
  device.pushErrorScope("out-of-memory");
  device.pushErrorScope("validation");
  const { work, popped } = start();
  // On a lost device the pops may never settle, or fail; they are not awaited then.
  popped.catch(() => undefined);
  let outcome: Raced<T> | undefined;
  let failure: { error: unknown } | undefined;
  try {
    outcome = await raceWithLoss(health, work);
  } catch (error) {
    failure = { error };
  }
  if (outcome?.kind === "lost") {
    // The scopes cannot report anything useful any more; waiting for them would only wait.
    throw lostError(health, outcome.info, label);
  }
  const [validation, outOfMemory] = await popped;
  const cause = failure?.error;
  if (outOfMemory) {
    throw new CnncUserError(`out of GPU memory while running ${label}: ${outOfMemory.message.trim()}`, {
      hint: "try a smaller --batch, or a smaller input size",
      cause,
    });
  }
  if (validation) {
    throw new Error(`WebGPU validation error in ${label} (a bug in cnnc's generated GPU code): ${validation.message.trim()}`, {
      cause,
    });
  }
  if (health.lost !== undefined) {
    throw lostError(health, health.lost, label);
  }
  const stray = health.uncaptured.splice(0);
  if (stray.length > 0) {
    throw new Error(`WebGPU reported errors outside an error scope (noticed after ${label}):\n  ${stray.join("\n  ")}`);
  }
  if (failure !== undefined) {
    throw failure.error;
  }
  if (outcome === undefined) {
    throw new Error(`${label}: internal error, GPU work finished without a result`);
  }
  return outcome.value;
}
