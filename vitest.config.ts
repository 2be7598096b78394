import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The CLI tests run the compiled bin (dist/), as users do: build it first.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30000,
  },
});
