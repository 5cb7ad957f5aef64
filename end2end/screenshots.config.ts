import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// Full-page pictures for review (`make screenshots`), saved to end2end/screenshots/*.png and
// never compared. They are not tests, so they run apart from `make test` and its count: only
// the files named *.shots.ts, which the main config's default pattern (*.spec.ts) leaves out.
export default defineConfig({
  ...base,
  testMatch: '**/*.shots.ts',
});
