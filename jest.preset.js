const nxPreset = require('@nx/jest/preset').default;

// SWC instead of ts-jest: an order of magnitude faster, and it emits the decorator
// metadata NestJS's dependency injection needs. Types are checked by `npm run typecheck`.
// got (the HTTP sender) and its dependencies ship only as ES modules. Node 24 loads them from
// the CommonJS bundles natively (require(esm)), but Jest's module system does so only under
// the experimental `--experimental-vm-modules` flag, so Jest compiles them to CommonJS instead.
// The list is derived from the installed packages (every ES-module package reachable from
// these roots), so an upgrade of got needs no edit here.
const ESM_ROOTS = ['got', '@octokit/webhooks-methods'];

const { dirname, join } = require('node:path');
const { existsSync, readFileSync } = require('node:fs');

function esmPackages(roots) {
  const found = new Set();
  const seen = new Set();
  const visit = (name, fromDir) => {
    // Node's resolution by hand: many of these packages do not export their package.json.
    let manifestPath;
    for (let dir = fromDir; !manifestPath; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', name, 'package.json');
      if (existsSync(candidate)) manifestPath = candidate;
      else if (dirname(dir) === dir) return; // an optional dependency that is not installed
    }
    if (seen.has(manifestPath)) return;
    seen.add(manifestPath);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    const conditions = JSON.stringify(manifest.exports ?? {});
    if (manifest.type === 'module' || (conditions.includes('"import"') && !conditions.includes('"require"'))) {
      found.add(name);
    }
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency, dirname(manifestPath));
  };
  for (const root of roots) visit(root, __dirname);
  return [...found].sort();
}

const ESM_PACKAGES = esmPackages(ESM_ROOTS);

module.exports = {
  ...nxPreset,
  // Exports only an `import` condition, which Jest's CommonJS resolver does not try.
  moduleNameMapper: {
    '^@octokit/webhooks-methods$': join(__dirname, 'node_modules/@octokit/webhooks-methods/dist-node/index.js'),
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.[tj]s$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2023',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
};
