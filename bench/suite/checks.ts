// The issue's summary checks, computed from a result file: each met or not met, with the numbers that
// decide it. A check with no data to decide it is "not met" and says so.
import type { SuiteResults } from "./results.js";

export interface SummaryCheck {
  name: string;
  met: boolean;
  detail: string;
}

const percent = (value: number): string => `${(100 * value).toFixed(1)}%`;

/**
 * The fastest agreeing schedule's median kernel time of a layer, and the one labelled `label`
 * (undefined: not measured or disagreeing). Schedules are compared by their kernels' time
 * (layers.ts): the upload and read-back around them are the same for every schedule.
 */
function scheduleTimes(layer: SuiteResults["layers"][number], label: string): { best: number; chosen: number | undefined } | undefined {
  const agreeing = layer.schedules.filter((schedule) => schedule.agrees);
  if (agreeing.length === 0) return undefined;
  return { best: Math.min(...agreeing.map((schedule) => schedule.kernel.medianMs)), chosen: agreeing.find((schedule) => schedule.label === label)?.kernel.medianMs };
}

function withinOfBest(results: SuiteResults, pick: "model" | "tuner", margin: number): { within: number; total: number; worst: string[] } {
  let within = 0;
  const worst: string[] = [];
  for (const layer of results.layers) {
    const times = scheduleTimes(layer, layer[pick].label);
    const ok = times?.chosen !== undefined && times.chosen <= (1 + margin) * times.best;
    if (ok) within++;
    else worst.push(`${layer.name} @${layer.batch}: ${times?.chosen === undefined ? `${layer[pick].label} not measured` : `+${percent(times.chosen / times.best - 1)}`}`);
  }
  return { within, total: results.layers.length, worst };
}

export function summaryChecks(results: SuiteResults): SummaryCheck[] {
  const checks: SummaryCheck[] = [];
  const model = withinOfBest(results, "model", 0.1);
  const modelMet = model.total > 0 && model.within >= 0.8 * model.total;
  checks.push({
    name: "default within 10% of best on >= 80% of layers (kernel time)",
    met: modelMet,
    detail: `${model.within} of ${model.total} layer runs (${model.total === 0 ? "no layers" : percent(model.within / model.total)})${model.worst.length === 0 ? "" : `; outside: ${model.worst.join(", ")}`}`,
  });
  const tuner = withinOfBest(results, "tuner", 0.03);
  checks.push({
    name: "tune within 3% of best on all layers (kernel time)",
    met: tuner.total > 0 && tuner.within === tuner.total,
    detail: `${tuner.within} of ${tuner.total} layer runs (tuner: ${results.environment.tuner})${tuner.worst.length === 0 ? "" : `; outside: ${tuner.worst.join(", ")}`}`,
  });
  const networkLines: string[] = [];
  let networksMet = results.networks.length > 0;
  for (const network of results.networks) {
    const cnnc = network.configurations.find((configuration) => configuration.name === "cnnc fused")?.time;
    const tfjs = network.configurations.find((configuration) => configuration.name === "tfjs-webgpu")?.time;
    if (cnnc === undefined || tfjs === undefined) {
      networksMet = false;
      networkLines.push(`${network.network} @${network.batch}: ${cnnc === undefined ? "cnnc" : "tfjs"} has no valid time`);
      continue;
    }
    const ratio = cnnc.imagesPerSecond / tfjs.imagesPerSecond;
    if (ratio <= 1) networksMet = false;
    networkLines.push(`${network.network} @${network.batch}: ${ratio.toFixed(2)}x`);
  }
  checks.push({ name: "faster than tfjs on every network", met: networksMet, detail: networkLines.length === 0 ? "no networks measured" : `cnnc fused / tfjs images/s: ${networkLines.join(", ")}` });
  const trainingLines: string[] = [];
  let trainingMet = results.training.length > 0;
  for (const training of results.training) {
    if (training.tfjs === undefined) {
      trainingMet = false;
      trainingLines.push(`${training.network} @${training.batch}: tfjs has no valid time`);
      continue;
    }
    const ratio = training.cnnc.imagesPerSecond / training.tfjs.imagesPerSecond;
    if (ratio <= 1) trainingMet = false;
    trainingLines.push(`${training.network} @${training.batch}: ${ratio.toFixed(2)}x`);
  }
  checks.push({ name: "training faster than tfjs", met: trainingMet, detail: trainingLines.length === 0 ? "no training measured" : `cnnc / tfjs images/s: ${trainingLines.join(", ")}` });
  return checks;
}
