// Steady-state forward time of whole networks, this checkout against another one, side by side: each
// round runs every (network, checkout) pair in a fresh process, alternating, so that the machine's
// noise (a shared 2-core VM) hits both alike; the verdict is a ratio of medians, with the spread.
//
//   npx tsx bench/forwardTime.ts --baseline DIR [--rounds 3] NET.cnn[:BATCH] ...
//       DIR: another checkout of cnnc (e.g. `git worktree add /tmp/before <commit>`, with node_modules)
//       writes bench/results/forward-time.json
//
// One process (internal): `--measure ROOT NET.cnn BATCH` imports ROOT's sources, runs the network
// twice to warm up (the first run compiles the kernels), then times RUNS forward passes and prints
// {"medianMs", "minMs", "maxMs"} as JSON.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

const RUNS = 15;
const RESULT_PATH = "bench/results/forward-time.json";

interface Timing {
  medianMs: number;
  minMs: number;
  maxMs: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function measure(root: string, file: string, batch: number): Promise<Timing> {
  const { compileFile } = (await import(`${root}/src/compile.ts`)) as typeof import("../src/compile.js");
  const { createSession } = (await import(`${root}/runtime/session.ts`)) as typeof import("../runtime/session.js");
  const { randomNormalTensor } = (await import(`${root}/runtime/init.ts`)) as typeof import("../runtime/init.js");
  const { graph } = compileFile(file);
  if (graph === undefined) throw new Error(`${file} does not compile in ${root}`);
  const session = await createSession(graph, { seed: 0 });
  const inputs = new Map(graph.inputs.map((id) => [graph.nodes[id]!.name, randomNormalTensor([batch, ...graph.nodes[id]!.shape], 0, `input:${id}`)] as const));
  for (let i = 0; i < 2; i++) await session.run(inputs);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await session.run(inputs);
    times.push(performance.now() - started);
  }
  session.destroy();
  return { medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times) };
}

function measureInChild(root: string, file: string, batch: number): Timing {
  const child = spawnSync(process.execPath, ["--import", "tsx", import.meta.filename, "--measure", root, file, String(batch)], {
    encoding: "utf8",
    env: { ...process.env, EGL_PLATFORM: process.env.EGL_PLATFORM ?? "surfaceless" },
  });
  const line = child.stdout.split("\n").find((text) => text.startsWith("{"));
  if (child.status !== 0 || line === undefined) throw new Error(`measuring ${file} in ${root} failed:\n${child.stderr}`);
  return JSON.parse(line) as Timing;
}

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index < 0) return undefined;
  const [, value] = args.splice(index, 2);
  return value;
}

async function main(args: string[]): Promise<void> {
  if (args[0] === "--measure") {
    process.stdout.write(`${JSON.stringify(await measure(args[1]!, args[2]!, Number(args[3])))}\n`);
    return;
  }
  const baseline = option(args, "--baseline");
  const rounds = Number(option(args, "--rounds") ?? "3");
  if (baseline === undefined || args.length === 0) throw new Error("usage: npx tsx bench/forwardTime.ts --baseline DIR [--rounds 3] NET.cnn[:BATCH] ...");
  const roots = { baseline: resolve(baseline), current: resolve(import.meta.dirname, "..") };
  const results = [];
  for (const spec of args) {
    const [file, batchText] = spec.split(":");
    const batch = Number(batchText ?? "1");
    const medians = { baseline: [] as number[], current: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      for (const which of ["baseline", "current"] as const) medians[which].push(measureInChild(roots[which], resolve(file!), batch).medianMs);
    }
    const ratio = median(medians.current) / median(medians.baseline);
    const row = { network: file, batch, baselineMs: medians.baseline, currentMs: medians.current, ratio: Number(ratio.toFixed(3)) };
    console.log(`${file} at batch ${batch}: baseline ${median(medians.baseline).toFixed(1)} ms, current ${median(medians.current).toFixed(1)} ms (medians of ${rounds} processes x ${RUNS} runs), current/baseline ${ratio.toFixed(3)}`);
    results.push(row);
  }
  mkdirSync(dirname(RESULT_PATH), { recursive: true });
  writeFileSync(RESULT_PATH, `${JSON.stringify({ baseline: roots.baseline, rounds, runsPerProcess: RUNS, results }, null, 2)}\n`);
}

await main(process.argv.slice(2));
