#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so `npx deepcorrect` works right after `npm ci` without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../electron/engine/source-maps-off.mjs');
await import('../electron/engine/cli/main.ts');
