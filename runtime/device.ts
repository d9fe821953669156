/// <reference types="@webgpu/types" preserve="true" />
// Opening a WebGPU device through Dawn (`webgpu` npm package), headless.
//
// Backend choice (`auto`): a hardware Vulkan adapter with core features when the machine has a
// hardware Vulkan driver (see vulkanIcd.ts for the rule), else Dawn's OpenGL ES backend on Mesa
// (llvmpipe on machines without a GPU) in compatibility mode. The GLES path needs
// EGL_PLATFORM=surfaceless in the real process environment before Mesa's EGL initializes; it is set
// here when unset (this only reaches native code from the main thread, not from a worker thread).
// LP_NUM_THREADS, llvmpipe's thread count, is set the same way when unset: to twice the CPUs, which
// measured faster than llvmpipe's own default of one thread per CPU on every conv we timed (2 CPUs:
// a 512->512 3x3 conv at batch 16 400 ms with 2 threads, 330 ms with 3 to 8; LeNet-5's C3 at batch 16
// 1.4 ms against 1.2 ms; a 3->64 3x3 conv at batch 16 about even). Other drivers ignore it.
//
// Compatibility mode's default limits are low (e.g. 4 storage buffers per stage), so the device asks
// for the adapter's maximum of every limit compute kernels depend on.
import { availableParallelism } from "node:os";
import { isMainThread } from "node:worker_threads";

import { closestMatch } from "../grammar/diagnostics.js";
import { CnncUserError } from "../src/errors.js";
import { closeDevice, watchDevice } from "./gpuErrors.js";
import { findHardwareVulkanIcds } from "./vulkanIcd.js";

export { runWithErrorScope, assertDeviceAlive } from "./gpuErrors.js";
export { createCheckedShaderModule, DUMP_KERNELS_ENV } from "./shaderModule.js";

export type BackendName = "vulkan" | "opengles";
export type BackendChoice = "auto" | BackendName;
export type FeatureLevel = "core" | "compatibility";

export const BACKEND_CHOICES: readonly BackendChoice[] = ["auto", "vulkan", "opengles"];

/** The Debian/Ubuntu packages that provide Mesa's EGL + OpenGL ES drivers (llvmpipe included). */
export const MESA_PACKAGES: readonly string[] = ["libegl1", "libegl-mesa0", "libgles2", "libgl1-mesa-dri"];
export const MESA_INSTALL_COMMAND = `apt-get install -y ${MESA_PACKAGES.join(" ")}`;

/** The limits the kernels depend on; each is requested at the adapter's maximum. */
export const COMPUTE_LIMIT_NAMES = [
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupSizeY",
  "maxComputeWorkgroupSizeZ",
  "maxComputeWorkgroupsPerDimension",
  "maxComputeWorkgroupStorageSize",
  "maxStorageBuffersPerShaderStage",
  "maxStorageBufferBindingSize",
  "maxBufferSize",
] as const;
export type ComputeLimitName = (typeof COMPUTE_LIMIT_NAMES)[number];
export type ComputeLimits = Record<ComputeLimitName, number>;

/** GPUAdapterInfo copied into a plain object (Dawn's is a class with getters that JSON ignores). */
export interface AdapterDetails {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
}

export interface GpuContext {
  device: GPUDevice;
  adapter: GPUAdapter;
  backend: BackendName;
  featureLevel: FeatureLevel;
  /** e.g. `OpenGL ES on llvmpipe-llvm-15-0-6-256-bits (OpenGL ES 3.2 Mesa 22.3.6), compatibility mode`. */
  description: string;
  adapterDetails: AdapterDetails;
  /** What was requested from the adapter (its maximum for each). */
  limits: ComputeLimits;
  /** The adapter's optional features (only `timestamp-query` is requested, where offered). */
  features: string[];
  /** Destroys the device; idempotent. Work still in flight fails with a clear error. */
  destroy(): void;
}

interface DawnModule {
  create(flags: string[]): GPU;
  globals: object;
}

let dawnModule: Promise<DawnModule> | undefined;
// One Dawn instance per backend for the whole process: creating instances is slow and leaks native
// resources, while one instance can hand out any number of adapters and devices.
const gpuByBackend = new Map<BackendName, GPU>();

/** llvmpipe's threads when LP_NUM_THREADS is unset (see the file's comment). */
function defaultLlvmpipeThreads(): number {
  return 2 * availableParallelism();
}

function loadDawn(): Promise<DawnModule> {
  process.env.EGL_PLATFORM ??= "surfaceless";
  process.env.LP_NUM_THREADS ??= String(defaultLlvmpipeThreads());
  dawnModule ??= import("webgpu").then((module) => {
    // GPUBufferUsage, GPUMapMode, ... are globals in a browser; install Dawn's where missing.
    const target = globalThis as Record<string, unknown>;
    for (const [name, value] of Object.entries(module.globals)) {
      if (!(name in target)) {
        target[name] = value;
      }
    }
    return module;
  });
  return dawnModule;
}

/**
 * The process's Dawn instance for `backend` (the same one openDevice uses): for a peer (TensorFlow.js's
 * WebGPU backend in the benchmarks) that needs `navigator.gpu` on the same adapter.
 */
export async function gpuFor(backend: BackendName): Promise<GPU> {
  const known = gpuByBackend.get(backend);
  if (known !== undefined) {
    return known;
  }
  const { create } = await loadDawn();
  // Dawn rounds timestamp queries to about 65 µs by default (a browser's guard against timing
  // attacks), too coarse for one kernel's time in `cnnc profile`; it changes nothing else.
  const gpu = create([`backend=${backend}`, "disable-dawn-features=timestamp_quantization"]);
  gpuByBackend.set(backend, gpu);
  return gpu;
}

/** Validates a `--backend` value. */
export function parseBackend(name: string): BackendChoice {
  const choice = BACKEND_CHOICES.find((candidate) => candidate === name);
  if (choice !== undefined) {
    return choice;
  }
  const suggestion = closestMatch(name, BACKEND_CHOICES);
  const didYouMean = suggestion === undefined ? "" : `did you mean \`${suggestion}\`? `;
  throw new CnncUserError(`unknown backend \`${name}\``, {
    hint: `${didYouMean}valid backends are ${BACKEND_CHOICES.map((candidate) => `\`${candidate}\``).join(", ")}`,
  });
}

const BACKEND_TITLES: Record<BackendName, string> = { vulkan: "Vulkan", opengles: "OpenGL ES" };

function adapterDetails(adapter: GPUAdapter): AdapterDetails {
  const info = adapter.info;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: info.isFallbackAdapter,
  };
}

/**
 * Whether the adapter is Mesa's llvmpipe (OpenGL ES) or lavapipe (Vulkan; its device is also named
 * `llvmpipe (LLVM ...)`): their shaders silently end every loop of an invocation after 65535 loop
 * passes in all (src/codegen/loopLimit.ts), so plans are checked against that limit there.
 */
export function limitsLoopIterations(details: AdapterDetails): boolean {
  return [details.device, details.description, details.vendor, details.architecture].some((text) => /llvmpipe|lavapipe/i.test(text));
}

export function describeAdapter(details: AdapterDetails, backend: BackendName, featureLevel: FeatureLevel): string {
  // Dawn turns Mesa's "llvmpipe (LLVM 15.0.6, 256 bits)" into "llvmpipe-llvm-15-0-6-256-bits-".
  const name = details.device.replace(/-+$/, "") || details.vendor || "an unnamed adapter";
  const extras = [details.vendor, details.architecture, details.description.replace(/^OpenGL version /, "")].filter(
    (text) => text !== "" && text !== name,
  );
  const suffix = extras.length === 0 ? "" : ` (${extras.join(", ")})`;
  return `${BACKEND_TITLES[backend]} on ${name}${suffix}, ${featureLevel} mode`;
}

async function requestAdapter(backend: BackendName, featureLevel: FeatureLevel): Promise<GPUAdapter | null> {
  const gpu = await gpuFor(backend);
  try {
    return await gpu.requestAdapter({ featureLevel, powerPreference: "high-performance" });
  } catch {
    // Dawn rejects (rather than resolving null) for some driver failures; both mean "not here".
    return null;
  }
}

function noAdapterError(choice: BackendChoice, triedVulkan: boolean): CnncUserError {
  const eglPlatform = process.env.EGL_PLATFORM;
  const eglNote =
    eglPlatform === "surfaceless"
      ? isMainThread
        ? ""
        : " (cnnc set EGL_PLATFORM from a worker thread, which does not reach the driver: export EGL_PLATFORM=surfaceless before starting node)"
      : ` (it is now \`${eglPlatform ?? ""}\`: set EGL_PLATFORM=surfaceless)`;
  if (choice === "vulkan") {
    return new CnncUserError("no Vulkan adapter with core WebGPU features was found", {
      hint:
        "install your GPU's Vulkan driver and the Vulkan loader (libvulkan1); Mesa's software Vulkan (lavapipe) is " +
        "not accepted by Dawn. On machines without a GPU use `--backend opengles` (Mesa llvmpipe)",
    });
  }
  const tried = triedVulkan ? "Vulkan (core) and OpenGL ES (compatibility)" : "OpenGL ES (compatibility); no hardware Vulkan driver is installed";
  return new CnncUserError(`no WebGPU adapter was found (tried ${tried})`, {
    hint:
      `install Mesa's EGL and OpenGL ES drivers: \`sudo ${MESA_INSTALL_COMMAND}\` (or run scripts/setup-system.sh); ` +
      `Dawn's OpenGL ES backend also needs EGL_PLATFORM=surfaceless in the environment${eglNote}`,
  });
}

async function pickAdapter(
  choice: BackendChoice,
): Promise<{ adapter: GPUAdapter; backend: BackendName; featureLevel: FeatureLevel }> {
  const tryVulkan = choice === "vulkan" || (choice === "auto" && findHardwareVulkanIcds().length > 0);
  if (tryVulkan) {
    const adapter = await requestAdapter("vulkan", "core");
    // `auto` wants real hardware; an explicit `vulkan` takes whatever Vulkan offers.
    if (adapter !== null && (choice === "vulkan" || !adapter.info.isFallbackAdapter)) {
      return { adapter, backend: "vulkan", featureLevel: "core" };
    }
  }
  if (choice !== "vulkan") {
    const adapter = await requestAdapter("opengles", "compatibility");
    if (adapter !== null) {
      return { adapter, backend: "opengles", featureLevel: "compatibility" };
    }
  }
  throw noAdapterError(choice, tryVulkan);
}

/**
 * Opens a device on the best available adapter (or the one `backend` names). Each call opens a new
 * device (an adapter creates only one); the Dawn instance behind it is shared per backend.
 */
export async function openDevice(options: { backend?: BackendChoice } = {}): Promise<GpuContext> {
  // Checked again at run time: JavaScript callers are not held to the type.
  const choice = parseBackend(options.backend ?? "auto");
  const { adapter, backend, featureLevel } = await pickAdapter(choice);
  const limits = Object.fromEntries(COMPUTE_LIMIT_NAMES.map((name) => [name, adapter.limits[name]])) as ComputeLimits;
  const details = adapterDetails(adapter);
  const description = describeAdapter(details, backend, featureLevel);
  let device: GPUDevice;
  try {
    // Timestamp queries time each kernel on the GPU (`cnnc profile`); asked for only where offered.
    const requiredFeatures: GPUFeatureName[] = adapter.features.has("timestamp-query") ? ["timestamp-query"] : [];
    device = await adapter.requestDevice({ label: "cnnc", requiredLimits: limits, requiredFeatures });
  } catch (error) {
    throw new CnncUserError(`could not open a device on ${description}: ${String(error)}`, {
      hint: "`cnnc doctor` shows the adapter and its limits",
      cause: error,
    });
  }
  watchDevice(device);
  return {
    device,
    adapter,
    backend,
    featureLevel,
    description,
    adapterDetails: details,
    limits,
    features: [...adapter.features].sort(),
    destroy: () => closeDevice(device),
  };
}
