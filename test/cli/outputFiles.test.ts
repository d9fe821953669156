// `cnnc run`'s output files are checked before any work: writable, not a file the run reads (however
// the path is spelled), and not the same file twice.
import { closeSync, existsSync, linkSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { writeNpy } from "../../runtime/npy.js";
import { type FileRead, planOutputFiles } from "../../src/cli/outputFiles.js";
import { runModel, type RunOptions } from "../../src/cli/run.js";
import { makeTensor } from "../../src/tensor.js";
import { cnncProcess } from "../support/cnncProcess.js";
import { userError } from "../support/userError.js";

const dir = mkdtempSync(join(tmpdir(), "cnnc-outputs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const model = join(dir, "net.cnn");
const MODEL = 'use "lib.cnn"\nnetwork Net {\n  input x: 2x4x4\n  unit\n  global_avgpool\n  fc(3)\n}\n';
writeFileSync(model, MODEL);
writeFileSync(join(dir, "lib.cnn"), "block unit {\n  conv(2, 3, pad=1) -> relu\n}\n");
const input = join(dir, "x.npy");
writeFileSync(input, writeNpy(makeTensor([1, 2, 4, 4])));

const reads: FileRead[] = [
  { path: model, role: "the model source" },
  { path: join(dir, "lib.cnn"), role: "a file the model `use`s" },
  { path: input, role: "the --input file" },
];

describe("planOutputFiles", () => {
  it("expands --output per output when there are several, and checks the expanded paths", () => {
    const files = planOutputFiles({ output: join(dir, "y.npy"), saveWeights: join(dir, "w.safetensors") }, ["a", "b"], reads);
    expect([...files.outputs]).toEqual([
      ["a", join(dir, "y.a.npy")],
      ["b", join(dir, "y.b.npy")],
    ]);
    expect(files.weights).toBe(join(dir, "w.safetensors"));
    const clash = userError(() => planOutputFiles({ output: join(dir, "y.npy"), saveWeights: join(dir, "y.b.npy") }, ["a", "b"], reads));
    expect(clash.message).toBe(`--output (output b) and --save-weights name the same file \`${join(dir, "y.b.npy")}\``);
  });

  it("refuses to overwrite the model, a used file or an input, however the path is spelled", () => {
    const cwdRelative = relative(process.cwd(), model);
    mkdirSync(join(dir, "sub"), { recursive: true });
    const dotted = `${dir}/./sub/../net.cnn`; // path.join would normalize the spelling away
    const link = join(dir, "link.cnn");
    symlinkSync("net.cnn", link);
    const hardLink = join(dir, "hard.npy");
    linkSync(input, hardLink);
    for (const [output, role] of [
      [model, "the model source"],
      [cwdRelative, "the model source"],
      [dotted, "the model source"],
      [link, "the model source"],
      [join(dir, "lib.cnn"), "a file the model `use`s"],
      [hardLink, "the --input file"],
    ] as const) {
      const error = userError(() => planOutputFiles({ output }, ["y"], reads));
      expect(error.message, output).toMatch(new RegExp(`^--output \`.*\` is ${role.replace(/[`-]/g, "\\$&")}.*: this run reads it, so cnnc will not overwrite it$`));
      expect(error.hint).toBe("give --output another file name");
    }
    expect(userError(() => planOutputFiles({ saveWeights: input }, [], reads)).message).toBe(
      `--save-weights \`${input}\` is the --input file: this run reads it, so cnnc will not overwrite it`,
    );
  });

  it("keeps `..` in a path as written: the directory before it must exist, also for per-output names", () => {
    const path = `${dir}/nosuch/../y.npy`;
    const message = `--output \`${path}\`: the directory \`${dir}/nosuch/..\` does not exist`;
    expect(userError(() => planOutputFiles({ output: path }, ["y"], reads)).message).toBe(message);
    const several = userError(() => planOutputFiles({ output: path }, ["a", "b"], reads));
    expect(several.message).toBe(`--output (output a) \`${dir}/nosuch/../y.a.npy\`: the directory \`${dir}/nosuch/..\` does not exist`);
  });

  it("refuses --output and --save-weights naming one new file through different spellings", () => {
    mkdirSync(join(dir, "sub"), { recursive: true });
    const spelled = `${dir}/sub/../out.bin`;
    const error = userError(() => planOutputFiles({ output: join(dir, "out.bin"), saveWeights: spelled }, ["y"], reads));
    expect(error.message).toBe(`--output and --save-weights name the same file \`${spelled}\``);
  });
});

describe("cnnc run output checks", () => {
  async function run(options: RunOptions): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await runModel(model, options, { stdout: (text) => (out += text), stderr: (text) => (err += text) });
    return { code, out, err };
  }

  it("reports a bad output path before opening the device, not after the run", async () => {
    for (const [options, message] of [
      [{ output: join(dir, "missing", "y.npy") }, `error: --output \`${join(dir, "missing", "y.npy")}\`: the directory \`${join(dir, "missing")}\` does not exist`],
      [{ saveWeights: dir }, `error: --save-weights \`${dir}\` is a directory`],
      [{ output: model }, `error: --output \`${model}\` is the model source: this run reads it, so cnnc will not overwrite it`],
      [{ output: join(dir, "same"), saveWeights: join(dir, "same") }, `error: --output and --save-weights name the same file \`${join(dir, "same")}\``],
    ] as const) {
      const result = await run({ input: [input], ...options });
      expect(result.code).toBe(1);
      expect(result.out).toBe(""); // no adapter line: the device was never opened
      expect(result.err.split("\n")[0]).toBe(message);
    }
    expect(readFileSync(model, "utf8")).toBe(MODEL);
  });

  // A child process, so that its standard output can be a pipe or a file as the test needs.
  it.skipIf(!existsSync("/dev/stdout"))("refuses /dev/stdout, a pipe or the file standard output goes to, before the run", () => {
    const piped = cnncProcess(["run", model, "--random-input", "--output", "/dev/stdout"]);
    expect(piped.code).toBe(1);
    expect(piped.stdout).toBe("");
    // Node gives a child a socket pair for a pipe; a shell's `|` gives a FIFO.
    expect(piped.stderr).toMatch(/^error: --output `\/dev\/stdout` is (a socket|a named pipe \(FIFO\)), not a regular file\n/m);

    const log = join(dir, "log.txt");
    const fd = openSync(log, "w");
    try {
      writeSync(fd, "printed before cnnc ran\n");
      const redirected = cnncProcess(["run", model, "--random-input", "--output", "/dev/stdout"], { stdoutFd: fd });
      expect(redirected.code).toBe(1);
      expect(redirected.stderr).toContain(
        "error: --output `/dev/stdout` is the file cnnc's standard output goes to: cnnc replaces an output file " +
          "(a temporary file renamed over it), which would lose what is printed there\n",
      );
      const same = cnncProcess(["run", model, "--random-input", "--output", log], { stdoutFd: fd });
      expect(same.stderr).toContain(`error: --output \`${log}\` is the file cnnc's standard output goes to`);
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(log, "utf8")).toBe("printed before cnnc ran\n");
  });
});
