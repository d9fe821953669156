// What must agree across a loaded plan once its kernels are read: each program's bindings with its
// WGSL's declarations, each step's bindings with its program's, and each buffer's size with what it
// holds (an input or output: batch * shape floats; a param: its weight's size). A plan that passes
// runs exactly the kernels it was built with, on buffers of the sizes they were compiled for.
import type { Plan, PlanBuffer, PlanProgram } from "../codegen/plan.js";
import { formatInteger } from "../ir/format.js";
import { shapeSize } from "../ir/graph.js";
import type { JsonFields } from "./jsonFields.js";
import { kernelFileOf } from "./planFormat.js";
import { wgslDefinesFunction, wgslStorageBindings } from "../codegen/wgslBindings.js";

const FLOAT_BYTES = 4;

/** A value's buffer size: zero-sized values get a one-float placeholder (buildPlan's rule). */
function valueBytes(shape: readonly number[]): number {
  return Math.max(shapeSize(shape) * FLOAT_BYTES, FLOAT_BYTES);
}

function bytesText(bytes: number): string {
  return `${formatInteger(bytes)} bytes`;
}

function checkProgram(program: PlanProgram, index: number, fields: JsonFields): void {
  const file = kernelFileOf(program.key);
  const declared = wgslStorageBindings(program.wgsl);
  if ("problem" in declared) fields.fail(`programs[${index}]`, `has a kernel ${file} that cnnc cannot use: ${declared.problem}`);
  if (!wgslDefinesFunction(program.wgsl, program.entryPoint)) {
    fields.fail(`programs[${index}].entryPoint`, `is ${JSON.stringify(program.entryPoint)}, which ${file} does not define`);
  }
  const listed = program.bindings.map((binding) => `${binding.name} (${binding.access})`).join(", ");
  const inFile = declared.bindings.map((binding) => `${binding.name} (${binding.access})`).join(", ");
  if (listed !== inFile) {
    fields.fail(`programs[${index}].bindings`, `are [${listed}], but ${file} declares [${inFile}]`);
  }
}

function checkSteps(plan: Plan, fields: JsonFields): void {
  const programs = new Map(plan.programs.map((program) => [program.key, program]));
  // The loop passes follow from the program's WGSL (its shapes are baked in), so its steps agree.
  const loopIterations = new Map<string, { count: number; index: number }>();
  for (const [index, step] of plan.steps.entries()) {
    const program = programs.get(step.program)!;
    const file = kernelFileOf(program.key);
    const first = loopIterations.get(program.key);
    if (first === undefined) loopIterations.set(program.key, { count: step.loopIterations, index });
    else if (first.count !== step.loopIterations) {
      fields.fail(`steps[${index}].loopIterations`, `is ${step.loopIterations}, but steps[${first.index}] runs the same kernel ${file} with ${first.count}`);
    }
    if (step.bindings.length !== program.bindings.length) {
      fields.fail(`steps[${index}].bindings`, `has ${step.bindings.length} bindings, but its program's kernel ${file} declares ${program.bindings.length}`);
    }
    for (const [binding, { access }] of step.bindings.entries()) {
      const declared = program.bindings[binding]!;
      if (access !== declared.access) {
        fields.fail(`steps[${index}].bindings[${binding}].access`, `is "${access}", but ${file} declares binding ${binding} (${declared.name}) "${declared.access}"`);
      }
    }
  }
}

/** The size of the tensor a param buffer names: a weight's, or a derived parameter's. */
function paramTensorBytes(plan: Plan, buffer: PlanBuffer, path: string, fields: JsonFields): number {
  const name = buffer.paramName!;
  const weight = plan.weights.find((each) => each.name === name);
  if (weight !== undefined) return shapeSize(weight.shape) * FLOAT_BYTES;
  const derived = plan.derived.find((each) => each.name === name);
  if (derived !== undefined) return derived.elements * FLOAT_BYTES;
  return fields.fail(`${path}.paramName`, `is ${JSON.stringify(name)}, which neither \`weights\` nor \`derived\` lists`);
}

function checkParamBuffer(plan: Plan, buffer: PlanBuffer, path: string, fields: JsonFields): void {
  const tensorBytes = paramTensorBytes(plan, buffer, path, fields);
  const slice = buffer.paramSlice;
  if (slice === undefined) {
    if (buffer.bytes !== Math.max(tensorBytes, FLOAT_BYTES)) {
      fields.fail(`${path}.bytes`, `is ${bytesText(buffer.bytes)}, but ${buffer.paramName} takes ${bytesText(tensorBytes)}`);
    }
    return;
  }
  if (slice.tensorBytes !== tensorBytes) {
    fields.fail(`${path}.paramSlice.tensorBytes`, `is ${bytesText(slice.tensorBytes)}, but ${buffer.paramName} takes ${bytesText(tensorBytes)}`);
  }
  if (slice.firstElement * FLOAT_BYTES + buffer.bytes > tensorBytes) {
    fields.fail(`${path}.paramSlice`, `reaches past the end of ${buffer.paramName} (${formatInteger(tensorBytes / FLOAT_BYTES)} values)`);
  }
}

function checkBuffers(plan: Plan, fields: JsonFields): void {
  for (const [index, buffer] of plan.buffers.entries()) {
    const path = `buffers[${index}]`;
    if (buffer.role === "param") checkParamBuffer(plan, buffer, path, fields);
    else if (buffer.paramName !== undefined || buffer.paramSlice !== undefined) fields.fail(path, `is a ${buffer.role} buffer, but names a parameter`);
    if (buffer.shape !== undefined && buffer.role !== "param" && buffer.role !== "scratch") {
      if (buffer.shape[0] !== plan.batch) fields.fail(`${path}.shape`, `is [${buffer.shape.join(", ")}], but the plan's batch is ${plan.batch}`);
      const needed = valueBytes(buffer.shape);
      const exact = buffer.role === "input" || buffer.role === "output";
      if (exact ? buffer.bytes !== needed : buffer.bytes < needed) {
        fields.fail(`${path}.bytes`, `is ${bytesText(buffer.bytes)}, but a [${buffer.shape.join(", ")}] float32 value takes ${bytesText(needed)}`);
      }
    }
  }
  for (const [list, endpoints] of [["inputs", plan.inputs], ["outputs", plan.outputs]] as const) {
    for (const [index, endpoint] of endpoints.entries()) {
      const buffer = plan.buffers[endpoint.buffer]!;
      const needed = valueBytes(endpoint.shape);
      if (buffer.bytes !== needed) {
        fields.fail(
          `${list}[${index}]`,
          `${endpoint.name} [${endpoint.shape.join(", ")}] takes ${bytesText(needed)}, but its buffer ${endpoint.buffer} (\`buffers[${endpoint.buffer}].bytes\`) has ${bytesText(buffer.bytes)}`,
        );
      }
      if (list === "inputs" && buffer.role !== "input") fields.fail(`${list}[${index}].buffer`, `is buffer ${endpoint.buffer}, whose role is "${buffer.role}", not "input"`);
    }
  }
}

function checkDerived(plan: Plan, fields: JsonFields): void {
  for (const [index, derived] of plan.derived.entries()) {
    // A batchnorm fold reads per-channel vectors of its own length; a Winograd transform reads the
    // [filters, channels per group, 3, 3] weight, 9 values per 16 it derives.
    const sourceElements = derived.transform === "winograd_filter" ? derived.filters * derived.channelsPerGroup * 9 : derived.elements;
    for (const [key, name] of Object.entries(derived.from)) {
      const weight = plan.weights.find((each) => each.name === name)!;
      if (shapeSize(weight.shape) !== sourceElements) {
        fields.fail(`derived[${index}].from.${key}`, `names ${name} of ${formatInteger(shapeSize(weight.shape))} values, but ${derived.name} needs ${formatInteger(sourceElements)}`);
      }
    }
  }
}

/** Checks a decoded plan whose programs' WGSL has been read (and its sha256 verified). */
export function checkPlan(plan: Plan, fields: JsonFields): void {
  for (const [index, program] of plan.programs.entries()) checkProgram(program, index, fields);
  checkSteps(plan, fields);
  checkBuffers(plan, fields);
  checkDerived(plan, fields);
}
