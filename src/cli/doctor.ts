// `cnnc doctor`: which WebGPU adapter cnnc would use, with its backend, feature level, limits and
// features, and a compute self-test; when no adapter is found, exactly what to install.
import { spawnSync } from "node:child_process";

import type { Command } from "commander";

import {
  COMPUTE_LIMIT_NAMES,
  MESA_INSTALL_COMMAND,
  MESA_PACKAGES,
  openDevice,
  parseBackend,
  type BackendChoice,
  type GpuContext,
} from "../../runtime/device.js";
import { computeSelfTest } from "../../runtime/selfTest.js";
import { findHardwareVulkanIcds, VULKAN_ICD_DIRS } from "../../runtime/vulkanIcd.js";
import { CnncUserError } from "../errors.js";
import { formatBytes } from "../ir/format.js";
import { processIo, type CliContext } from "./io.js";
import { linesTo, type LineOutput } from "./lineOutput.js";

export type DoctorOutput = LineOutput;

/** The Mesa packages dpkg does not list as installed; undefined where dpkg is not available. */
function missingMesaPackages(): string[] | undefined {
  const query = spawnSync("dpkg-query", ["-W", "-f=${Package} ${Status}\\n", ...MESA_PACKAGES], { encoding: "utf8" });
  if (query.error !== undefined) {
    return undefined;
  }
  const installed = new Set(
    query.stdout
      .split("\n")
      .filter((line) => line.endsWith(" install ok installed"))
      .map((line) => line.split(" ")[0]),
  );
  return MESA_PACKAGES.filter((name) => !installed.has(name));
}

const BYTE_LIMITS = new Set<string>(["maxStorageBufferBindingSize", "maxBufferSize", "maxComputeWorkgroupStorageSize"]);

function formatLimit(name: string, value: number): string {
  return BYTE_LIMITS.has(name) ? `${value} (${formatBytes(value)})` : String(value);
}

function describeContext(context: GpuContext, asked: string, output: DoctorOutput): void {
  const details = context.adapterDetails;
  const none = (text: string): string => (text === "" ? "(not reported)" : text);
  output.out(`adapter:        ${context.description}`);
  output.out(`backend:        ${context.backend} (asked for: ${asked})`);
  output.out(`feature level:  ${context.featureLevel}`);
  output.out(`vendor:         ${none(details.vendor)}`);
  output.out(`architecture:   ${none(details.architecture)}`);
  output.out(`device:         ${none(details.device)}`);
  output.out(`description:    ${none(details.description)}`);
  output.out(`software:       ${details.isFallbackAdapter || /llvmpipe|softpipe|swiftshader/i.test(details.device) ? "yes" : "no"}`);
  output.out("limits (requested / adapter maximum):");
  const width = Math.max(...COMPUTE_LIMIT_NAMES.map((name) => name.length));
  for (const name of COMPUTE_LIMIT_NAMES) {
    output.out(`  ${name.padEnd(width)}  ${formatLimit(name, context.device.limits[name])} / ${formatLimit(name, context.adapter.limits[name])}`);
  }
  output.out(`features:       ${context.features.length === 0 ? "(none)" : context.features.join(", ")}`);
}

function describeEnvironment(output: DoctorOutput): void {
  const icds = findHardwareVulkanIcds();
  output.out(
    `Vulkan drivers: ${
      icds.length > 0
        ? icds.join(", ")
        : `no hardware driver manifest in ${VULKAN_ICD_DIRS.join(", ")} (auto uses OpenGL ES; lavapipe is not used)`
    }`,
  );
  output.out(`EGL_PLATFORM:   ${process.env.EGL_PLATFORM ?? "(unset)"}`);
}

function explainInstall(output: DoctorOutput): void {
  const missing = missingMesaPackages();
  output.err("");
  output.err("To run cnnc without a GPU, install Mesa's EGL and OpenGL ES drivers (llvmpipe):");
  output.err(`  sudo ${MESA_INSTALL_COMMAND}`);
  if (missing !== undefined) {
    output.err(`  (not installed now: ${missing.length === 0 ? "none, all are installed" : missing.join(" ")})`);
  }
  output.err("and run with EGL_PLATFORM=surfaceless in the environment (cnnc sets it when it is unset):");
  output.err("  export EGL_PLATFORM=surfaceless");
  output.err("scripts/setup-system.sh does the install. On a machine with a GPU, install its Vulkan driver and libvulkan1.");
}

/** Runs the doctor and returns the exit code (0 all good, 1 no usable adapter). */
export async function runDoctor(options: { backend?: string }, output: DoctorOutput = linesTo(processIo)): Promise<number> {
  let asked: BackendChoice;
  let context: GpuContext;
  try {
    asked = parseBackend(options.backend ?? "auto");
  } catch (error) {
    if (!(error instanceof CnncUserError)) throw error;
    output.err(error.describe());
    return 1;
  }
  try {
    context = await openDevice({ backend: asked });
  } catch (error) {
    if (!(error instanceof CnncUserError)) throw error;
    describeEnvironment(output);
    output.err(error.describe());
    explainInstall(output);
    return 1;
  }
  try {
    describeContext(context, asked, output);
    describeEnvironment(output);
    try {
      const result = await computeSelfTest(context);
      output.out(`compute check:  ok (y = 2x + 1 over ${result.elements} floats, ${result.milliseconds.toFixed(0)} ms)`);
    } catch (error) {
      output.err(`compute check:  FAILED: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    return 0;
  } finally {
    context.destroy();
  }
}

/** Adds `cnnc doctor [--backend auto|vulkan|opengles]`; output and exit status go through `context` when given. */
export function registerDoctor(program: Command, context?: CliContext): void {
  program
    .command("doctor")
    .description("show the GPU adapter, backend, limits and features cnnc would use, or what to install")
    .option("--backend <name>", "auto, vulkan or opengles", "auto")
    .action(async (options: { backend: string }) => {
      const code = await runDoctor(options, linesTo(context?.io ?? processIo));
      if (context === undefined) process.exitCode = Math.max(code, Number(process.exitCode ?? 0));
      else context.setExitCode(code);
    });
}
