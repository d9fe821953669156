// What a result file says about where it was measured: the machine, the adapter, and the versions of
// everything in the path (node, cnnc, tfjs, the webgpu package, Mesa).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { createRequire } from "node:module";

import { CHECK_TOLERANCE_TEXT } from "../../runtime/compareOutputs.js";
import type { TfjsWebgpu } from "../peers/tfjsWebgpu.js";
import type { SuiteEnvironment } from "./results.js";
import { TUNER_SOURCE } from "./schedules.js";
import { KERNEL_RUNS_FACTOR } from "./layers.js";
import { TUNING_WARMUP_RUNS } from "../../runtime/tuning/tuneGraph.js";

export const TIMING_TEXT =
  `wall time per run: upload the input, run, read the output back (the read-back waits for the GPU); layout conversions outside; 1 warm-up run each; contestants interleaved round by round, order rotating; a layer or network stops after the first round past its time budget (never before 3 rounds); ` +
  `a layer's kernel times (which the checks compare): ${TUNING_WARMUP_RUNS} warm-up runs, then ${KERNEL_RUNS_FACTOR}x the rounds, interleaved, order rotating`;

function packageVersion(name: string): string {
  try {
    const require = createRequire(import.meta.url);
    const path = name === "cnnc" ? new URL("../../package.json", import.meta.url) : require.resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/** Mesa's version from the adapter's description where it names one, else from dpkg, else unknown. */
function mesaVersion(adapter: string): string {
  const named = /Mesa ([0-9][0-9.]*[0-9])/.exec(adapter);
  if (named !== null) return named[1]!;
  try {
    return execFileSync("dpkg-query", ["-W", "-f", "${Version}", "libgl1-mesa-dri"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() + " (libgl1-mesa-dri package)";
  } catch {
    return "unknown";
  }
}

export function suiteEnvironment(peer: TfjsWebgpu, command: string): SuiteEnvironment {
  const cores = cpus();
  return {
    date: new Date().toISOString(),
    command,
    machine: { cpu: cores[0]?.model.trim() ?? "unknown", cores: cores.length, memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)), loadAverage: loadavg().map((load) => Number(load.toFixed(2))) },
    adapter: peer.description,
    backend: peer.gpu.backend,
    driverEnvironment: process.env.LP_NUM_THREADS === undefined ? "none" : `LP_NUM_THREADS=${process.env.LP_NUM_THREADS}`,
    versions: {
      node: process.version,
      cnnc: packageVersion("cnnc"),
      tfjs: packageVersion("@tensorflow/tfjs-core"),
      tfjsWebgpu: packageVersion("@tensorflow/tfjs-backend-webgpu"),
      webgpu: packageVersion("webgpu"),
      mesa: mesaVersion(peer.description),
    },
    timing: TIMING_TEXT,
    tolerance: CHECK_TOLERANCE_TEXT,
    tuner: TUNER_SOURCE,
  };
}

/** A file-name slug of the adapter, without its parenthesized details: `opengl-es-on-llvmpipe-llvm-15-0-6-256-bits`. */
export function adapterSlug(adapter: string): string {
  const name = adapter.replace(/\s*\(.*$/, "");
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60).replace(/-$/, "") || "adapter";
}
