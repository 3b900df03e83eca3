// A throwaway PostgreSQL cluster of a test's own, on a free port, that the test may stop, kill and start again:
// the honest way to show what a "database restart" does to a running store without touching the shared server on
// 5432 that other suites use. The cluster runs as the `postgres` OS user (initdb refuses root) in a temp folder and
// is deleted by `destroy()`. `privatePostgresUnavailable()` says why one cannot be made here (for `skipIf`).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = process.env.OPENIDCR_PG_BIN ?? '/usr/lib/postgresql/15/bin';

function postgresUser() {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** Why no private cluster can be made on this machine, or undefined when one can. */
export function privatePostgresUnavailable() {
  if (!existsSync(join(BIN, 'initdb')) || !existsSync(join(BIN, 'pg_ctl'))) return `no PostgreSQL binaries in ${BIN} (set OPENIDCR_PG_BIN)`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && !postgresUser()) return 'running as root and there is no postgres OS user to run initdb as';
  return undefined;
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Creates and starts a cluster. Returns `{ url, port, stop(mode), kill(), start(), destroy() }`; `url` is a
 * `postgres://` URL of the `postgres` database (trust authentication, 127.0.0.1 only).
 */
export async function startPrivatePostgres() {
  const why = privatePostgresUnavailable();
  if (why) throw new Error(why);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const owner = isRoot ? postgresUser() : undefined;
  const root = mkdtempSync(join(tmpdir(), 'idcr-private-pg-'));
  if (owner) chownSync(root, owner.uid, owner.gid);
  chmodSync(root, 0o700);
  const data = join(root, 'data');
  const port = await freePort();
  const run = (tool, args) => {
    const result = spawnSync(join(BIN, tool), args, { uid: owner?.uid, gid: owner?.gid, encoding: 'utf8', timeout: 60_000, cwd: root });
    if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`);
    return result.stdout;
  };
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const start = () => {
    run('pg_ctl', ['-D', data, '-o', options, '-l', join(root, 'log'), '-w', '-t', '60', 'start']);
  };
  start();
  let running = true;
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    /** `fast` (clients are told and disconnected, as a clean restart does) or `immediate` (no shutdown checkpoint). */
    stop(mode = 'fast') {
      run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
      running = false;
    },
    start() {
      start();
      running = true;
    },
    get running() {
      return running;
    },
    destroy() {
      if (running) {
        try {
          run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
        } catch {
          // already gone
        }
      }
      running = false;
      rmSync(root, { recursive: true, force: true });
    },
  };
}
