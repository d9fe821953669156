// The suite's result file: everything measured, with the machine and versions it was measured on.
// The Markdown report, the SVG chart and the summary checks are all computed from this alone.
import type { FusionEffect } from "./fusionEffect.js";
import type { LayerResult } from "./layers.js";
import type { NetworkResult } from "./networks.js";
import type { TrainingResult } from "./training.js";

export interface SuiteEnvironment {
  date: string;
  command: string;
  machine: { cpu: string; cores: number; memoryGiB: number; loadAverage: number[] };
  adapter: string;
  backend: string;
  /** Driver settings from the environment that change speed (`LP_NUM_THREADS=4`), or "none". */
  driverEnvironment: string;
  versions: { node: string; cnnc: string; tfjs: string; tfjsWebgpu: string; webgpu: string; mesa: string };
  /** How each time is taken. */
  timing: string;
  tolerance: string;
  tuner: string;
}

export interface SuiteResults {
  environment: SuiteEnvironment;
  quick: boolean;
  rounds: number;
  wallSeconds: number;
  layers: LayerResult[];
  networks: NetworkResult[];
  training: TrainingResult[];
  fusion: FusionEffect[];
  /** Parts that failed to run, with the error: reported, never dropped silently. */
  failures: { part: string; what: string; error: string }[];
}
