// The GEMM core's workgroup-memory path: the workgroup's invocations form a WG_ROWS x WG_COLUMNS grid
// of register tiles covering a BLOCK_M x BLOCK_N block of the output. For each slice of KT reduction
// indices they load the block's A [BLOCK_M][KT] and B [KT][BLOCK_N] operands cooperatively into
// `var<workgroup>` arrays (each element once, by the operand loaders), wait at a barrier, and then
// multiply their register tiles out of workgroup memory. On a GPU with real shared memory this cuts
// global loads by the tile sizes; on llvmpipe barriers are costly and the register path is faster.
import { loopPasses } from "../loopLimit.js";
import { kernelHeader, storageBindings, u32Constants, u32Literal, type HeaderDetails, type StorageBindingSpec } from "../wgsl.js";
import { MAX_WORKGROUPS_PER_DIMENSION } from "../wgsl.js";
import { mostSlicePasses, type GemmKernelSpec } from "./core.js";
import { WORKGROUP_SLICE, workgroupGrid } from "../../schedule/kinds/gemmKnobs.js";
import { accumulatorLines, accumulatorName, tileCopy, type TileShape } from "./tileCode.js";

export interface WorkgroupSourceSpec {
  spec: GemmKernelSpec;
  tile: TileShape;
  bindings: readonly StorageBindingSpec[];
  declarations: readonly string[];
  details: HeaderDetails;
  /** The rolled store loop (reads `tile`, `m0`, `n0`, `batch`, `split`). */
  store: readonly string[];
  storePasses: number;
}

export function workgroupGemmSource(source: WorkgroupSourceSpec): { wgsl: string; workgroups: [number, number, number]; loopIterations: number } {
  const { spec, tile } = source;
  const { problem, knobs } = spec;
  const grid = workgroupGrid(knobs.workgroupSize);
  const blockM = grid.rows * tile.tileM;
  const blockN = grid.columns * tile.tileN;
  const blocks = problem.batches * knobs.splitK * Math.ceil(problem.M / blockM) * Math.ceil(problem.N / blockN);
  const x = Math.min(blocks, MAX_WORKGROUPS_PER_DIMENSION);
  const workgroups: [number, number, number] = [x, Math.ceil(blocks / x), 1];
  if (workgroups[1] > MAX_WORKGROUPS_PER_DIMENSION) throw new Error(`internal: ${spec.node.name}: GEMM of ${blocks} workgroups is too large`);
  const planes = Array.from({ length: problem.planes }, (_, plane) => plane);
  const named = (prefix: string): string[] => planes.map((plane) => `${prefix}_${plane}`);
  const constants = u32Constants({
    KT: WORKGROUP_SLICE,
    WG_COLUMNS: grid.columns,
    BLOCK_M: blockM,
    BLOCK_N: blockN,
    ROW_BLOCKS: Math.ceil(problem.M / blockM),
    COLUMN_BLOCKS: Math.ceil(problem.N / blockN),
    BLOCKS: blocks,
  });
  const shared = [
    `var<workgroup> shared_a: array<f32, ${problem.planes * blockM * WORKGROUP_SLICE}>;`,
    `var<workgroup> shared_b: array<f32, ${problem.planes * WORKGROUP_SLICE * blockN}>;`,
  ].join("\n");
  const body: string[] = [
    `@compute @workgroup_size(${knobs.workgroupSize})`,
    `fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {`,
    `  let block = workgroup.y * ${u32Literal(x)} + workgroup.x;`,
    `  if (block >= BLOCKS) {`,
    `    return;`,
    `  }`,
    ...(spec.prologue ?? []),
    `  let column_block = block % COLUMN_BLOCKS;`,
    `  let row_block = (block / COLUMN_BLOCKS) % ROW_BLOCKS;`,
    `  let batch = (block / (COLUMN_BLOCKS * ROW_BLOCKS)) % BATCHES;`,
    `  let split = block / (COLUMN_BLOCKS * ROW_BLOCKS * BATCHES);`,
    `  let block_m = row_block * BLOCK_M;`,
    `  let block_n = column_block * BLOCK_N;`,
    `  let local_row = local / WG_COLUMNS;`,
    `  let local_column = local % WG_COLUMNS;`,
    `  let m0 = block_m + local_row * TILE_M;`,
    `  let n0 = block_n + local_column * TILE_N;`,
    `  let r_begin = split * SPLIT_LENGTH;`,
    `  let r_end = min(R, r_begin + SPLIT_LENGTH);`,
    ...accumulatorLines(tile, false),
    `  for (var r0 = r_begin; r0 < r_end; r0 += KT) {`,
    `    // Cooperative loads; reduction indices past the slice are zeros on both sides (never 0 * inf).`,
  ];
  const rowLoads = Math.ceil((blockM * WORKGROUP_SLICE) / knobs.workgroupSize);
  for (let s = 0; s < rowLoads; s++) {
    body.push(
      `    {`,
      `      let e = local + ${u32Literal(s * knobs.workgroupSize)};`,
      `      if (e < BLOCK_M * KT) {`,
      `        let k = r0 + e % KT;`,
      `        let r = min(k, r_end - 1u);`,
      ...spec.rows.setup("batch", `min(block_m + e / KT, M - 1u)`, `sa${s}`).map((line) => `        ${line}`),
      ...spec.rows.load(`sa${s}`, "r", named(`va${s}`)).map((line) => `        ${line}`),
      ...planes.map((plane) => `        shared_a[${u32Literal(plane * blockM * WORKGROUP_SLICE)} + e] = select(0.0f, va${s}_${plane}, k < r_end);`),
      `      }`,
      `    }`,
    );
  }
  const columnLoads = Math.ceil((blockN * WORKGROUP_SLICE) / knobs.workgroupSize);
  for (let s = 0; s < columnLoads; s++) {
    body.push(
      `    {`,
      `      let e = local + ${u32Literal(s * knobs.workgroupSize)};`,
      `      if (e < KT * BLOCK_N) {`,
      `        let k = r0 + e / BLOCK_N;`,
      `        let r = min(k, r_end - 1u);`,
      ...spec.columns.setup("batch", `min(block_n + e % BLOCK_N, N - 1u)`, `sb${s}`).map((line) => `        ${line}`),
      ...spec.columns.load(`sb${s}`, "r", named(`vb${s}`)).map((line) => `        ${line}`),
      ...planes.map((plane) => `        shared_b[${u32Literal(plane * WORKGROUP_SLICE * blockN)} + e] = select(0.0f, vb${s}_${plane}, k < r_end);`),
      `      }`,
      `    }`,
    );
  }
  body.push(`    workgroupBarrier();`);
  for (let k = 0; k < WORKGROUP_SLICE; k++) {
    body.push(`    {`);
    for (let i = 0; i < tile.tileM; i++) {
      for (const plane of planes) {
        body.push(`      let a${i}_${plane} = shared_a[${u32Literal(plane * blockM * WORKGROUP_SLICE)} + (local_row * TILE_M + ${u32Literal(i)}) * KT + ${u32Literal(k)}];`);
      }
    }
    for (let q = 0; q < tile.tileN / tile.width; q++) {
      for (const plane of planes) {
        const at = (lane: number): string => `shared_b[${u32Literal(plane * WORKGROUP_SLICE * blockN + k * blockN + q * tile.width + lane)} + local_column * TILE_N]`;
        body.push(`      let b${q}_${plane} = ${tile.width === 1 ? at(0) : `vec4<f32>(${[0, 1, 2, 3].map(at).join(", ")})`};`);
      }
    }
    for (let i = 0; i < tile.tileM; i++) {
      for (let q = 0; q < tile.tileN / tile.width; q++) {
        for (const plane of planes) {
          const acc = accumulatorName(i, q, plane);
          body.push(`      ${acc} = fma(${tile.width === 4 ? `vec4<f32>(a${i}_${plane})` : `a${i}_${plane}`}, b${q}_${plane}, ${acc});`);
        }
      }
    }
    body.push(`    }`);
  }
  body.push(`    workgroupBarrier();`, `  }`, ...tileCopy(tile, false), ...source.store, `}`, ``);
  const details: HeaderDetails = {
    ...source.details,
    "workgroup memory": `A [${blockM} x ${WORKGROUP_SLICE}] and B [${WORKGROUP_SLICE} x ${blockN}] per plane, ${grid.rows} x ${grid.columns} register tiles per workgroup`,
  };
  const wgsl = [
    kernelHeader(spec.title, details, knobs.workgroupSize, source.bindings),
    "",
    storageBindings(source.bindings),
    ...[...source.declarations, constants, shared].flatMap((declaration) => ["", declaration]),
    "",
    ...body,
  ].join("\n");
  const loopIterations = mostSlicePasses(problem.R, knobs.splitK, (slice) => loopPasses(Math.ceil(slice / WORKGROUP_SLICE))) + source.storePasses;
  return { wgsl, workgroups, loopIterations };
}
