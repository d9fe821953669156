import { Command } from "commander";
import { describe, expect, it } from "vitest";

import { registerDoctor, runDoctor, type DoctorOutput } from "../../src/cli/doctor.js";
import { findHardwareVulkanIcds } from "../../runtime/vulkanIcd.js";

function capture(): DoctorOutput & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line) };
}

describe("cnnc doctor", () => {
  it("reports the adapter, backend, limits and a passing compute check", async () => {
    const output = capture();
    expect(await runDoctor({}, output)).toBe(0);
    const text = output.stdout.join("\n");
    expect(text).toMatch(/^adapter: +(Vulkan|OpenGL ES) on .+ mode$/m);
    expect(text).toMatch(/^backend: +(vulkan|opengles) \(asked for: auto\)$/m);
    expect(text).toMatch(/^feature level: +(core|compatibility)$/m);
    expect(text).toMatch(/^ {2}maxStorageBuffersPerShaderStage +\d+ \/ \d+$/m);
    expect(text).toMatch(/^ {2}maxStorageBufferBindingSize +\d+ \(.+iB\) \/ \d+ \(.+iB\)$/m);
    expect(text).toMatch(/^compute check: +ok \(y = 2x \+ 1 over 4096 floats, \d+ ms\)$/m);
    expect(output.stderr).toEqual([]);
  });

  it("rejects an unknown backend with the valid names", async () => {
    const output = capture();
    expect(await runDoctor({ backend: "cuda" }, output)).toBe(1);
    expect(output.stderr.join("\n")).toBe("error: unknown backend `cuda`\n  = help: valid backends are `auto`, `vulkan`, `opengles`");
  });

  it.runIf(findHardwareVulkanIcds().length === 0)("explains what to install when no adapter is found", async () => {
    const output = capture();
    expect(await runDoctor({ backend: "vulkan" }, output)).toBe(1);
    const text = output.stderr.join("\n");
    expect(text).toContain("error: no Vulkan adapter with core WebGPU features was found");
    expect(text).toContain("sudo apt-get install -y libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri");
    expect(text).toContain("export EGL_PLATFORM=surfaceless");
  });

  it("registers as a subcommand with a --backend option", () => {
    const program = new Command("cnnc");
    registerDoctor(program);
    const doctor = program.commands.find((command) => command.name() === "doctor");
    expect(doctor?.options.map((option) => option.long)).toEqual(["--backend"]);
  });
});
