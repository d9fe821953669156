/// <reference types="@webgpu/types" preserve="true" />
// Compiling generated WGSL with a zero-diagnostics policy: the codegen must emit shaders that compile
// without errors AND without warnings, so every message Tint reports is a failure that quotes the
// offending line. CNNC_DUMP_KERNELS=<dir> writes each shader to <dir>/<label>.wgsl before it is
// compiled (so a shader that fails is on disk to inspect).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { countOf } from "../src/ir/format.js";

/** Environment variable naming a directory that receives every compiled shader. */
export const DUMP_KERNELS_ENV = "CNNC_DUMP_KERNELS";

/** A label made safe as a file name (`layer1.0/conv` -> `layer1.0_conv`). */
export function kernelFileName(label: string): string {
  return `${label.replace(/[^A-Za-z0-9._-]/g, "_")}.wgsl`;
}

function dumpKernel(code: string, label: string): void {
  const dir = process.env[DUMP_KERNELS_ENV];
  if (dir === undefined || dir === "") {
    return;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, kernelFileName(label)), code);
}

function formatMessage(message: GPUCompilationMessage, sourceLines: readonly string[], label: string): string {
  const where = `${kernelFileName(label)}:${message.lineNum}:${message.linePos}`;
  const text = `  ${where} ${message.type}: ${message.message}`;
  const line = sourceLines[message.lineNum - 1];
  if (line === undefined || message.lineNum === 0) {
    return text;
  }
  const caret = `${" ".repeat(Math.max(0, message.linePos - 1))}^`;
  return `${text}\n      ${line}\n      ${caret}`;
}

/**
 * Creates a shader module and resolves only if it compiled with no error and no warning; otherwise
 * throws an Error listing every message (file:line:col, text, source line). Such a failure is a bug
 * in the code generator, so it is a plain Error, not a CnncUserError.
 */
export async function createCheckedShaderModule(device: GPUDevice, code: string, label: string): Promise<GPUShaderModule> {
  dumpKernel(code, label);
  device.pushErrorScope("validation");
  const module = device.createShaderModule({ code, label });
  const info = await module.getCompilationInfo();
  const scopeError = await device.popErrorScope();
  const problems = info.messages.filter((message) => message.type === "error" || message.type === "warning");
  if (problems.length > 0) {
    const errors = problems.filter((message) => message.type === "error").length;
    const warnings = problems.length - errors;
    const lines = code.split("\n");
    throw new Error(
      `kernel ${label}: WGSL compilation reported ${countOf(errors, "error")} and ${countOf(warnings, "warning")} ` +
        `(generated shaders must compile cleanly):\n` +
        problems.map((message) => formatMessage(message, lines, label)).join("\n"),
    );
  }
  if (scopeError) {
    throw new Error(`kernel ${label}: shader module failed validation: ${scopeError.message.trim()}`);
  }
  return module;
}
