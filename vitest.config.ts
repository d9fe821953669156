import { defineConfig } from "vitest/config";

// Dawn's OpenGL ES backend on Mesa needs EGL_PLATFORM in the real process environment before
// dawn.node loads; forked test workers inherit it from here (worker threads would not).
process.env.EGL_PLATFORM ??= "surfaceless";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
