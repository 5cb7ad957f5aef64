import { defineConfig, devices } from '@playwright/test';

// End-to-end tests against the release build (run `make build` first, or use
// `make e2e` / `make test`). Browsers are never downloaded: Debian's Chromium
// at /usr/bin/chromium is used (see /work/shared/TOOLCHAIN.md).
const BASE_URL = `http://127.0.0.1:${process.env.E2E_PORT ?? '3300'}`;

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: 'list',

  use: {
    baseURL: BASE_URL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      // --no-sandbox: Chromium runs as root here. The networking flags stop
      // background connections that are refused on this offline machine.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },

  projects: [
    {
      name: 'chromium',
      use: { ...devices['Desktop Chrome'] },
    },
  ],

  webServer: {
    // Starts the already-built release server on a fresh SQLite database.
    command: 'bash ../scripts/e2e-server.sh',
    url: `${BASE_URL}/healthz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    // SIGTERM first so the server can shut down cleanly; SIGKILL after 5 s.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
  },
});
