import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/setup/build.ts", "test/setup/web.ts"],
    testTimeout: 30_000,
    pool: "forks",
  },
});
