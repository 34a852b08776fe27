import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts", "host/**/*.test.ts"],
    // Builds the module and the CLI bundle first if they are older than the sources.
    globalSetup: ["tests/helpers/global-setup.ts"],
    // Several tests spawn the CLI and train real models: generous, and no test
    // depends on how fast anything runs.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: two test files at a time (each may spawn a child process).
    fileParallelism: true,
    maxWorkers: 2,
    pool: "forks",
  },
});
