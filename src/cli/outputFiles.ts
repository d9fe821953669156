// The files `cnnc run` writes (--output, --save-weights), decided and checked before the run starts:
// each can be written (runtime/writeUserFile.ts), none is a file this run reads (the model, a file it
// `use`s, an input, the weights) or the file its standard output or error goes to, and no two are the
// same file. Files are compared by identity (device and inode), so `./x.npy` and `x.npy`, symbolic
// links, hard links and /dev/stdout are all caught.
import { fstatSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, extname } from "node:path";

import { checkWritable, writeTarget } from "../../runtime/writeUserFile.js";
import { CnncUserError } from "../errors.js";

/** A file the run reads, and what it is to the run (`the model source`, `an --input file`). */
export interface FileRead {
  path: string;
  role: string;
}

export interface OutputFiles {
  /** Where each network output goes, by output name (empty without --output). */
  outputs: Map<string, string>;
  /** Where --save-weights goes. */
  weights?: string;
}

/**
 * `--output y.npy` for a network with several outputs writes `y.<name>.npy` for each. The path is
 * edited as written (not normalized), so its directory is the one the kernel finds for `base`.
 */
function outputPath(base: string, name: string, outputCount: number): string {
  if (outputCount === 1) return base;
  const extension = extname(base);
  return `${base.slice(0, base.length - extension.length)}.${name}${extension || ".npy"}`;
}

/**
 * What makes two paths the same file: an existing file's device and inode; for a file still to be
 * created, its real directory and name. Undefined when it cannot be told (the path is then checked
 * elsewhere: a file that cannot be stat'ed is not read).
 */
function fileIdentity(path: string): string | undefined {
  try {
    const stats = statSync(path);
    return `file ${stats.dev}:${stats.ino}`;
  } catch {
    // not there (yet)
  }
  try {
    // realpathSync.native: the kernel's resolution (the JavaScript one resolves `..` textually first).
    const target = writeTarget(path);
    return `new ${realpathSync.native(dirname(target))}/${basename(target)}`;
  } catch {
    return undefined;
  }
}

/**
 * The regular files this process's standard output and error go to (`cnnc run ... > log.txt`):
 * replacing one by an output would cut it off from what is printed (and lose what already was).
 */
function standardStreamIdentities(): { identity: string; role: string }[] {
  const streams: { identity: string; role: string }[] = [];
  for (const [fd, role] of [
    [1, "the file cnnc's standard output goes to"],
    [2, "the file cnnc's standard error goes to"],
  ] as const) {
    try {
      const stats = fstatSync(fd);
      if (stats.isFile()) streams.push({ identity: `file ${stats.dev}:${stats.ino}`, role });
    } catch {
      // the stream is closed
    }
  }
  return streams;
}

interface PlannedFile {
  path: string;
  /** `--output`, `--output (output fc1)`, `--save-weights`. */
  label: string;
  option: string;
  identity: string | undefined;
}

/**
 * Decides the output files of a run and checks them, before the run: throws a CnncUserError for a
 * path that cannot be written, that names a file this run reads, or that another output also names.
 */
export function planOutputFiles(
  options: { output?: string; saveWeights?: string },
  outputNames: readonly string[],
  reads: readonly FileRead[],
): OutputFiles {
  const files: Omit<PlannedFile, "identity">[] = [];
  const outputs = new Map<string, string>();
  if (options.output !== undefined) {
    for (const name of outputNames) {
      const path = outputPath(options.output, name, outputNames.length);
      outputs.set(name, path);
      files.push({ path, option: "--output", label: outputNames.length === 1 ? "--output" : `--output (output ${name})` });
    }
  }
  if (options.saveWeights !== undefined) files.push({ path: options.saveWeights, option: "--save-weights", label: "--save-weights" });

  for (const file of files) checkWritable(file.path, file.label);
  const readIdentities = reads.map((read) => ({ ...read, identity: fileIdentity(read.path) }));
  const streams = standardStreamIdentities();
  const planned: PlannedFile[] = [];
  for (const file of files) {
    const identity = fileIdentity(file.path);
    const stream = streams.find((each) => each.identity === identity);
    if (stream !== undefined) {
      throw new CnncUserError(
        `${file.label} \`${file.path}\` is ${stream.role}: cnnc replaces an output file (a temporary file renamed over it), ` +
          "which would lose what is printed there",
        { hint: `give ${file.option} a file of its own` },
      );
    }
    const read = readIdentities.find((each) => each.identity !== undefined && each.identity === identity);
    if (read !== undefined) {
      const spelled = read.path === file.path ? "" : ` (\`${read.path}\`)`;
      throw new CnncUserError(`${file.label} \`${file.path}\` is ${read.role}${spelled}: this run reads it, so cnnc will not overwrite it`, {
        hint: `give ${file.option} another file name`,
      });
    }
    const earlier = planned.find((each) => each.identity !== undefined && each.identity === identity);
    if (earlier !== undefined) {
      throw new CnncUserError(`${earlier.label} and ${file.label} name the same file \`${file.path}\``, {
        hint: "give each output its own file name",
      });
    }
    planned.push({ ...file, identity });
  }
  return options.saveWeights === undefined ? { outputs } : { outputs, weights: options.saveWeights };
}
