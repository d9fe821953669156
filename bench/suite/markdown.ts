// The suite's Markdown report, generated from a result file and never edited: the environment, the
// summary checks, and the per-layer, whole-network, training and fusion tables, each with its ratios
// against tfjs and "where cnnc loses, by how much" lines computed from the data.
import { summaryChecks } from "./checks.js";
import type { SuiteResults } from "./results.js";

const ms = (value: number): string => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));
const gflopsText = (value: number): string => value.toFixed(value < 1 ? 3 : 1);
const ratioText = (value: number): string => `${value.toFixed(2)}x`;
const kib = (bytes: number): string => (bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(2)} MiB` : `${(bytes / 2 ** 10).toFixed(1)} KiB`);

function environmentSection(results: SuiteResults): string[] {
  const { environment: env } = results;
  return [
    `# cnnc benchmark suite${results.quick ? " (--quick)" : ""}`,
    "",
    `- date: ${env.date}`,
    `- command: \`${env.command}\``,
    `- machine: ${env.machine.cpu}, ${env.machine.cores} cores, ${env.machine.memoryGiB} GiB; load average at start ${env.machine.loadAverage.join(", ")}`,
    `- adapter: ${env.adapter} (backend ${env.backend})`,
    `- driver environment: ${env.driverEnvironment}`,
    `- versions: node ${env.versions.node}, cnnc ${env.versions.cnnc}, @tensorflow/tfjs-core ${env.versions.tfjs}, @tensorflow/tfjs-backend-webgpu ${env.versions.tfjsWebgpu}, webgpu ${env.versions.webgpu}, Mesa ${env.versions.mesa}`,
    `- timing: ${env.timing}; ${results.rounds} rounds; wall time ${results.wallSeconds.toFixed(0)} s`,
    `- outputs compared with: ${env.tolerance}`,
    `- tuner: ${env.tuner}`,
    "",
  ];
}

function checksSection(results: SuiteResults): string[] {
  return ["## Summary checks", "", ...summaryChecks(results).map((check) => `- **${check.met ? "met" : "not met"}**: ${check.name} (${check.detail})`), ""];
}

function layersSection(results: SuiteResults): string[] {
  const lines = [
    "## Per-layer schedules",
    "",
    "Times are medians (min..max) in ms; GFLOP/s at the median. Per schedule: `kernels`, its kernels' GPU-synchronized time (the tuner's instrument, " +
      "runtime/tuning/measure.ts), which the checks compare; `run`, a whole run (upload the input, run, read the output back), which compares with " +
      "tfjs-webgpu's run. The last column is tfjs's run time over cnnc's fastest run.",
    "",
    "| layer | batch | schedules | model pick | tuner pick | tfjs-webgpu | best cnnc / tfjs |",
    "|---|---|---|---|---|---|---|",
  ];
  const losses: string[] = [];
  for (const layer of results.layers) {
    const schedules = layer.schedules
      .map(
        (schedule) =>
          `${schedule.label}: kernels ${ms(schedule.kernel.medianMs)} (${ms(schedule.kernel.minMs)}..${ms(schedule.kernel.maxMs)}), ${gflopsText(schedule.kernel.gflops)} GFLOP/s; ` +
          `run ${ms(schedule.medianMs)} (${ms(schedule.minMs)}..${ms(schedule.maxMs)})${schedule.agrees ? "" : " OUTPUT DISAGREES"}`,
      )
      .join("<br>");
    const agreeing = layer.schedules.filter((schedule) => schedule.agrees);
    const best = agreeing.length === 0 ? undefined : Math.min(...agreeing.map((schedule) => schedule.medianMs));
    const tfjs = layer.tfjs.time === undefined ? (layer.tfjs.note ?? "no time") : `${ms(layer.tfjs.time.medianMs)} (${ms(layer.tfjs.time.minMs)}..${ms(layer.tfjs.time.maxMs)}), ${gflopsText(layer.tfjs.time.gflops)} GFLOP/s`;
    const speedup = best !== undefined && layer.tfjs.time !== undefined ? layer.tfjs.time.medianMs / best : undefined;
    lines.push(`| ${layer.name} | ${layer.batch} | ${schedules} | ${layer.model.label} | ${layer.tuner.label} | ${tfjs} | ${speedup === undefined ? "n/a" : ratioText(speedup)} |`);
    if (speedup !== undefined && speedup < 1) losses.push(`- ${layer.name} at batch ${layer.batch}: cnnc's best schedule takes ${ratioText(1 / speedup)} tfjs's time (${ms(best!)} vs ${ms(layer.tfjs.time!.medianMs)} ms)`);
  }
  return [...lines, "", "Where cnnc loses, by how much:", "", ...(losses.length === 0 ? ["- nowhere among the layers with a valid tfjs time"] : losses), ""];
}

function networksSection(results: SuiteResults): string[] {
  const lines = ["## Whole networks (inference)", "", "images/s at the median (min..max of the per-run rates); the last column is each configuration over tfjs-webgpu.", "", "| network | batch | configuration | images/s | ms per batch | vs tfjs |", "|---|---|---|---|---|---|"];
  const losses: string[] = [];
  for (const network of results.networks) {
    const tfjs = network.configurations.find((configuration) => configuration.name === "tfjs-webgpu")?.time;
    for (const configuration of network.configurations) {
      const time = configuration.time;
      if (time === undefined) {
        lines.push(`| ${network.network} | ${network.batch} | ${configuration.name} | ${configuration.note ?? "no time"} | | |`);
        continue;
      }
      const slowest = (network.batch * 1000) / time.maxMs;
      const fastest = (network.batch * 1000) / time.minMs;
      const vs = tfjs === undefined || configuration.name === "tfjs-webgpu" ? "" : ratioText(time.imagesPerSecond / tfjs.imagesPerSecond);
      lines.push(`| ${network.network} | ${network.batch} | ${configuration.name} | ${time.imagesPerSecond.toFixed(1)} (${slowest.toFixed(1)}..${fastest.toFixed(1)}) | ${ms(time.medianMs)} | ${vs} |`);
      if (configuration.name === "cnnc fused" && tfjs !== undefined && time.imagesPerSecond < tfjs.imagesPerSecond) {
        losses.push(`- ${network.network} at batch ${network.batch}: cnnc fused runs ${time.imagesPerSecond.toFixed(1)} images/s, tfjs ${tfjs.imagesPerSecond.toFixed(1)}: tfjs is ${ratioText(tfjs.imagesPerSecond / time.imagesPerSecond)} faster`);
      }
    }
  }
  return [...lines, "", "Where cnnc loses, by how much:", "", ...(losses.length === 0 ? ["- nowhere among the networks with a valid tfjs time"] : losses), ""];
}

function trainingSection(results: SuiteResults): string[] {
  const lines = ["## Training step", "", "| network | batch | first-step loss cnnc / tfjs | cnnc images/s | tfjs images/s | cnnc / tfjs | note |", "|---|---|---|---|---|---|---|"];
  const losses: string[] = [];
  for (const training of results.training) {
    const ratio = training.tfjs === undefined ? undefined : training.cnnc.imagesPerSecond / training.tfjs.imagesPerSecond;
    lines.push(
      `| ${training.network} | ${training.batch} | ${training.firstLoss.cnnc.toFixed(5)} / ${training.firstLoss.tfjs?.toFixed(5) ?? "n/a"} | ${training.cnnc.imagesPerSecond.toFixed(1)} | ${training.tfjs?.imagesPerSecond.toFixed(1) ?? "no valid time"} | ${ratio === undefined ? "n/a" : ratioText(ratio)} | ${training.note ?? ""} |`,
    );
    if (ratio !== undefined && ratio < 1) losses.push(`- ${training.network} at batch ${training.batch}: tfjs trains ${ratioText(1 / ratio)} faster`);
  }
  return [...lines, "", "Where cnnc loses, by how much:", "", ...(losses.length === 0 ? ["- nowhere among the networks with a valid tfjs time"] : losses), ""];
}

function fusionSection(results: SuiteResults): string[] {
  const lines = [
    "## Fusion effect",
    "",
    "Per forward pass: kernels launched; per image: bytes of the buffers each kernel binds (read-only as read, read-write as written), summed over kernels.",
    "",
    "| network | batch | kernels fused / unfused | read per image fused / unfused | written per image fused / unfused |",
    "|---|---|---|---|---|",
  ];
  for (const effect of results.fusion) {
    lines.push(
      `| ${effect.network} | ${effect.batch} | ${effect.fused.kernels} / ${effect.unfused.kernels} (${ratioText(effect.fused.kernels / effect.unfused.kernels)}) | ${kib(effect.fused.readBytesPerImage)} / ${kib(effect.unfused.readBytesPerImage)} (${ratioText(effect.fused.readBytesPerImage / effect.unfused.readBytesPerImage)}) | ${kib(effect.fused.writtenBytesPerImage)} / ${kib(effect.unfused.writtenBytesPerImage)} (${ratioText(effect.fused.writtenBytesPerImage / effect.unfused.writtenBytesPerImage)}) |`,
    );
  }
  return [...lines, ""];
}

function failuresSection(results: SuiteResults): string[] {
  if (results.failures.length === 0) return [];
  return ["## Parts that failed", "", ...results.failures.map((failure) => `- ${failure.part}: ${failure.what}: ${failure.error.split("\n")[0]}`), ""];
}

export function markdownReport(results: SuiteResults): string {
  return [...environmentSection(results), ...checksSection(results), ...layersSection(results), ...networksSection(results), ...trainingSection(results), ...fusionSection(results), ...failuresSection(results)].join("\n");
}
