#!/usr/bin/env node
import { Command } from 'commander';
import { resolve } from 'node:path';
import { pino } from 'pino';
import { LocalityConfigError } from '@openidcr/architecture';
import { settingsFromEnv } from './locality.js';
import { startReferenceApp } from './app.js';

const program = new Command()
  .name('openidcr-reference')
  .description('Starts the OpenIDCR reference shared care record.')
  .option('--dir <dir>', 'folder with idcr.config.(ts|mjs|js|json); without one, a synthetic locality is used', '.')
  .option('--reseed', 'send the synthetic feeds again even if the store already has messages (duplicates are harmless)')
  .option('--no-seed', 'do not seed the synthetic locality')
  .parse();

const opts = program.opts<{ dir: string; reseed?: boolean; seed: boolean }>();
const logger = pino({ name: 'openidcr-reference', level: process.env.LOG_LEVEL ?? 'info' });

try {
  const settings = settingsFromEnv();
  const app = await startReferenceApp({ dir: resolve(opts.dir), settings, logger, seed: opts.seed ? (opts.reseed ? 'always' : 'if-empty') : 'never', env: process.env });
  const stop = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
} catch (error) {
  if (error instanceof LocalityConfigError) {
    console.error(`The locality configuration is not valid:\n${error.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
    process.exit(1);
  }
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
