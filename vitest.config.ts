import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

// Two projects: fast unit tests (fake browser via WXT's plugin) and E2E tests that drive
// real browsers with the built extension. E2E runs files one at a time: 2 cores, heavy browsers.
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [WxtVitest()],
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          // Real browsers on a shared 2-core machine: one retry absorbs scheduling noise; a test
          // that fails twice fails the run.
          retry: 1,
          testTimeout: 180_000,
          hookTimeout: 240_000,
          globalSetup: ['test/e2e/global-setup.ts'],
        },
      },
    ],
  },
});
