// plan.json's text to a Plan, every field type- and range-checked with its path in the message. The
// WGSL is not here: programs come back with their file and sha256, for loadPlanDirectory to read and
// verify, and checkPlan compares everything that must agree once the kernels are read.
import type { BufferRole, KernelStep, Plan, PlanBuffer, PlanMemory, PlanProgram, PlanWeight } from "../codegen/plan.js";
import { CnncUserError } from "../errors.js";
import type { ParamInit } from "../ir/graph.js";
import type { DerivedParam } from "../kernels/kernelGraph.js";
import { JsonFields, type JsonRecord } from "./jsonFields.js";
import { kernelFileOf, PLAN_FORMAT, PLAN_FORMAT_VERSION, PROGRAM_KEY_PATTERN, REBUILD_HINT } from "./planFormat.js";

const ROLES: readonly BufferRole[] = ["input", "output", "activation", "param", "scratch"];
const INITS: readonly ParamInit[] = ["kaiming", "uniform_fan_in", "zeros", "ones"];
const TRANSFORMS: readonly DerivedParam["transform"][] = ["batchnorm_scale", "batchnorm_shift", "winograd_filter"];
const WINOGRAD_VARIANTS = ["f2x2_3x3"] as const;
const ACCESSES = ["read", "read_write"] as const;

/** A program as plan.json lists it: its kernel file (relative to the directory) and that file's sha256. */
export interface ProgramFile {
  key: string;
  file: string;
  sha256: string;
  /** `programs[i]`, for messages. */
  path: string;
}

export interface DecodedPlan {
  /** Programs' and steps' `wgsl` are empty until the kernel files are read. */
  plan: Plan;
  programFiles: ProgramFile[];
}

function parseJson(text: string, fields: JsonFields): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CnncUserError(`is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { location: fields.file, hint: REBUILD_HINT });
  }
}

function checkFormat(top: JsonRecord, fields: JsonFields): void {
  if (top.format !== PLAN_FORMAT) {
    fields.fail("format", `is ${top.format === undefined ? "missing" : JSON.stringify(top.format)}: this is not a plan cnnc wrote (a cnnc plan's format is "${PLAN_FORMAT}")`);
  }
  if (top.version !== PLAN_FORMAT_VERSION) {
    fields.fail(
      "version",
      `is ${JSON.stringify(top.version) ?? "missing"}: the plan was built by a different cnnc (this one reads plan format version ${PLAN_FORMAT_VERSION})`,
      "rebuild it with this cnnc: `cnnc build MODEL.cnn -o DIR`",
    );
  }
}

/** Names must be unique within a list: the second use of one is an error at its path. */
function checkUnique(names: readonly string[], path: string, field: string, fields: JsonFields): void {
  const seen = new Set<string>();
  for (const [index, name] of names.entries()) {
    if (seen.has(name)) fields.fail(`${path}[${index}].${field}`, `repeats ${JSON.stringify(name)}, which an earlier entry already has`);
    seen.add(name);
  }
}

function decodeWeight(value: unknown, path: string, fields: JsonFields): PlanWeight {
  const record = fields.record(value, path);
  return {
    name: fields.string(record.name, `${path}.name`),
    shape: fields.integers(record.shape, `${path}.shape`),
    init: fields.oneOf(record.init, `${path}.init`, INITS),
    fanIn: fields.integer(record.fanIn, `${path}.fanIn`),
    trainable: fields.boolean(record.trainable, `${path}.trainable`),
  };
}

function decodeDerived(value: unknown, path: string, fields: JsonFields, weights: readonly string[]): DerivedParam {
  const record = fields.record(value, path);
  const from = fields.record(record.from, `${path}.from`);
  const source = (key: "weight" | "bias" | "runningMean" | "runningVar"): string => {
    const name = fields.string(from[key], `${path}.from.${key}`);
    if (!weights.includes(name)) fields.fail(`${path}.from.${key}`, `names ${JSON.stringify(name)}, which \`weights\` does not list`);
    return name;
  };
  const transform = fields.oneOf(record.transform, `${path}.transform`, TRANSFORMS);
  if (transform === "winograd_filter") {
    const filters = fields.integer(record.filters, `${path}.filters`, 1);
    const channelsPerGroup = fields.integer(record.channelsPerGroup, `${path}.channelsPerGroup`, 1);
    const elements = fields.integer(record.elements, `${path}.elements`, 1);
    if (elements !== filters * channelsPerGroup * 16) {
      fields.fail(`${path}.elements`, `is ${elements}, but ${filters} filters of ${channelsPerGroup} channels transformed to 4x4 take ${filters * channelsPerGroup * 16}`);
    }
    return {
      name: fields.string(record.name, `${path}.name`),
      transform,
      variant: fields.oneOf(record.variant, `${path}.variant`, WINOGRAD_VARIANTS),
      layer: fields.integer(record.layer, `${path}.layer`),
      from: { weight: source("weight") },
      filters,
      channelsPerGroup,
      elements,
    };
  }
  const eps = fields.number(record.eps, `${path}.eps`);
  if (eps < 0) fields.fail(`${path}.eps`, `must not be negative, got ${eps}`);
  return {
    name: fields.string(record.name, `${path}.name`),
    transform,
    layer: fields.integer(record.layer, `${path}.layer`),
    from: { weight: source("weight"), bias: source("bias"), runningMean: source("runningMean"), runningVar: source("runningVar") },
    eps,
    elements: fields.integer(record.elements, `${path}.elements`, 1),
  };
}

function decodeBuffer(value: unknown, path: string, fields: JsonFields, index: number): PlanBuffer {
  const record = fields.record(value, path);
  const id = fields.integer(record.id, `${path}.id`);
  if (id !== index) fields.fail(`${path}.id`, `is ${id}: buffer ids are their positions in \`buffers\` (this one's is ${index})`);
  const bytes = fields.integer(record.bytes, `${path}.bytes`, 4);
  if (bytes % 4 !== 0) fields.fail(`${path}.bytes`, `is ${bytes}: buffers hold float32 values, so it must be a multiple of 4`);
  const buffer: PlanBuffer = { id, label: fields.string(record.label, `${path}.label`), role: fields.oneOf(record.role, `${path}.role`, ROLES), bytes };
  if (record.paramName !== undefined) buffer.paramName = fields.string(record.paramName, `${path}.paramName`);
  if (buffer.role === "param" && buffer.paramName === undefined) fields.fail(`${path}.paramName`, "is missing: a param buffer names the tensor it holds");
  if (record.paramSlice !== undefined) {
    const slice = fields.record(record.paramSlice, `${path}.paramSlice`);
    buffer.paramSlice = {
      firstElement: fields.integer(slice.firstElement, `${path}.paramSlice.firstElement`),
      tensorBytes: fields.integer(slice.tensorBytes, `${path}.paramSlice.tensorBytes`, 4),
    };
  }
  if (record.node !== undefined) buffer.node = fields.integer(record.node, `${path}.node`);
  if (record.values !== undefined) buffer.values = fields.integers(record.values, `${path}.values`);
  if (record.shape !== undefined) buffer.shape = fields.integers(record.shape, `${path}.shape`);
  return buffer;
}

function decodeProgram(value: unknown, path: string, fields: JsonFields): { program: PlanProgram; file: ProgramFile } {
  const record = fields.record(value, path);
  const key = fields.string(record.key, `${path}.key`);
  if (!PROGRAM_KEY_PATTERN.test(key)) fields.fail(`${path}.key`, `is ${JSON.stringify(key)}, not a file name (letters, digits, _ . + -)`);
  const file = fields.string(record.file, `${path}.file`);
  if (file !== kernelFileOf(key)) fields.fail(`${path}.file`, `is ${JSON.stringify(file)}; the kernel of program ${key} is ${kernelFileOf(key)}`);
  const sha256 = fields.string(record.sha256, `${path}.sha256`);
  if (!/^[0-9a-f]{64}$/.test(sha256)) fields.fail(`${path}.sha256`, "must be 64 lowercase hexadecimal digits (a SHA-256)");
  const bindings = fields.list(record.bindings, `${path}.bindings`, (element, bindingPath) => {
    const binding = fields.record(element, bindingPath);
    return { name: fields.string(binding.name, `${bindingPath}.name`), access: fields.oneOf(binding.access, `${bindingPath}.access`, ACCESSES) };
  });
  const program: PlanProgram = {
    key,
    wgsl: "",
    entryPoint: fields.string(record.entryPoint, `${path}.entryPoint`),
    bindings,
    layers: fields.strings(record.layers, `${path}.layers`),
  };
  return { program, file: { key, file, sha256, path } };
}

function decodeStep(value: unknown, path: string, fields: JsonFields, programs: ReadonlyMap<string, PlanProgram>, bufferCount: number): KernelStep {
  const record = fields.record(value, path);
  const programKey = fields.string(record.program, `${path}.program`);
  const program = programs.get(programKey);
  if (program === undefined) fields.fail(`${path}.program`, `is ${JSON.stringify(programKey)}, which \`programs\` does not list`);
  const workgroups = fields.integers(record.workgroups, `${path}.workgroups`);
  if (workgroups.length !== 3) fields.fail(`${path}.workgroups`, `must be three counts [x, y, z], got ${workgroups.length}`);
  const bindings = fields.list(record.bindings, `${path}.bindings`, (element, bindingPath) => {
    const binding = fields.record(element, bindingPath);
    return {
      buffer: fields.index(binding.buffer, `${bindingPath}.buffer`, bufferCount, "`buffers`"),
      access: fields.oneOf(binding.access, `${bindingPath}.access`, ACCESSES),
    };
  });
  return {
    name: fields.string(record.name, `${path}.name`),
    node: fields.integer(record.node, `${path}.node`),
    layer: fields.string(record.layer, `${path}.layer`),
    program: programKey,
    wgsl: "",
    entryPoint: program.entryPoint,
    workgroups: [workgroups[0]!, workgroups[1]!, workgroups[2]!],
    bindings,
    loopIterations: fields.integer(record.loopIterations, `${path}.loopIterations`),
  };
}

function decodeEndpoint(value: unknown, path: string, fields: JsonFields, batch: number, bufferCount: number): Plan["inputs"][number] {
  const record = fields.record(value, path);
  const shape = fields.integers(record.shape, `${path}.shape`);
  if (shape[0] !== batch) fields.fail(`${path}.shape`, `is [${shape.join(", ")}], but the plan's batch is ${batch}: the first dimension must be it`);
  return {
    name: fields.string(record.name, `${path}.name`),
    node: fields.integer(record.node, `${path}.node`),
    buffer: fields.index(record.buffer, `${path}.buffer`, bufferCount, "`buffers`"),
    shape,
  };
}

function decodeMemory(value: unknown, fields: JsonFields): PlanMemory {
  const record = fields.record(value, "memory");
  const figure = (key: keyof PlanMemory): number => fields.integer(record[key], `memory.${key}`);
  return {
    plannedActivationBytes: figure("plannedActivationBytes"),
    perValueActivationBytes: figure("perValueActivationBytes"),
    summaryActivationBytes: figure("summaryActivationBytes"),
    paramBytes: figure("paramBytes"),
    scratchBytes: figure("scratchBytes"),
  };
}

/** Decodes plan.json's `text`; `file` (the path as the user named it) locates every error. */
export function decodePlan(text: string, file: string): DecodedPlan {
  const fields = new JsonFields(file, REBUILD_HINT);
  const top = fields.record(parseJson(text, fields), "the top level");
  checkFormat(top, fields);
  const batch = fields.integer(top.batch, "batch", 1);
  const weights = fields.list(top.weights, "weights", (element, path) => decodeWeight(element, path, fields));
  checkUnique(weights.map((weight) => weight.name), "weights", "name", fields);
  const weightNames = weights.map((weight) => weight.name);
  const derived = fields.list(top.derived, "derived", (element, path) => decodeDerived(element, path, fields, weightNames));
  checkUnique(derived.map((each) => each.name), "derived", "name", fields);
  for (const [index, each] of derived.entries()) {
    if (weightNames.includes(each.name)) fields.fail(`derived[${index}].name`, `is ${JSON.stringify(each.name)}, which is also a weight's name`);
  }
  const buffers = fields.array(top.buffers, "buffers").map((element, index) => decodeBuffer(element, `buffers[${index}]`, fields, index));
  const decodedPrograms = fields.list(top.programs, "programs", (element, path) => decodeProgram(element, path, fields));
  checkUnique(decodedPrograms.map(({ program }) => program.key), "programs", "key", fields);
  const programs = new Map(decodedPrograms.map(({ program }) => [program.key, program]));
  const steps = fields.list(top.steps, "steps", (element, path) => decodeStep(element, path, fields, programs, buffers.length));
  checkUnique(steps.map((step) => step.name), "steps", "name", fields);
  const nodeBuffers = new Map<number, number>();
  fields.list(top.nodeBuffers, "nodeBuffers", (element, path) => {
    const record = fields.record(element, path);
    const node = fields.integer(record.node, `${path}.node`);
    if (nodeBuffers.has(node)) fields.fail(`${path}.node`, `repeats node ${node}, which an earlier entry already maps`);
    nodeBuffers.set(node, fields.index(record.buffer, `${path}.buffer`, buffers.length, "`buffers`"));
  });
  const plan: Plan = {
    network: fields.string(top.network, "network"),
    batch,
    fused: fields.boolean(top.fused, "fused"),
    buffers,
    programs: decodedPrograms.map(({ program }) => program),
    steps,
    weights,
    derived,
    memory: decodeMemory(top.memory, fields),
    inputs: fields.list(top.inputs, "inputs", (element, path) => decodeEndpoint(element, path, fields, batch, buffers.length)),
    outputs: fields.list(top.outputs, "outputs", (element, path) => decodeEndpoint(element, path, fields, batch, buffers.length)),
    nodeBuffers,
  };
  checkUnique(plan.inputs.map((input) => input.name), "inputs", "name", fields);
  checkUnique(plan.outputs.map((output) => output.name), "outputs", "name", fields);
  if (plan.inputs.length === 0) fields.fail("inputs", "is empty: a network has at least one input");
  if (plan.outputs.length === 0) fields.fail("outputs", "is empty: a network has at least one output");
  return { plan, programFiles: decodedPrograms.map(({ file }) => file) };
}
