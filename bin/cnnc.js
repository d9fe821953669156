#!/usr/bin/env node
// The cnnc executable: runs the compiled CLI (dist/, built by `npm install` through `prepare`).
// Dawn's OpenGL ES backend on Mesa needs EGL_PLATFORM in the environment before dawn.node loads.
process.env.EGL_PLATFORM ??= "surfaceless";

let cli;
try {
  cli = await import("../dist/src/cli/main.js");
} catch (error) {
  process.stderr.write(`cnnc is not built (${error instanceof Error ? error.message : String(error)})\n  = help: run \`npm install\` or \`npm run build\` in the cnnc directory\n`);
  process.exit(2);
}
const code = await cli.runCli(process.argv.slice(2));
// A command may also have set process.exitCode itself; keep the more severe status.
process.exitCode = Math.max(code, Number(process.exitCode ?? 0));
