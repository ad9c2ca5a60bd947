const nxPreset = require('@nx/jest/preset').default;

// SWC instead of ts-jest: an order of magnitude faster, and it emits the decorator
// metadata NestJS's dependency injection needs. Types are checked by `npm run typecheck`.
// got (the HTTP sender) and its dependencies ship only as ES modules. Node 24 loads them from
// the CommonJS bundles natively, but Jest's module system cannot, so Jest compiles them too.
const ESM_PACKAGES = [
  'got',
  '@sindresorhus/is',
  'byte-counter',
  'cacheable-request',
  'get-stream',
  '@sec-ant/readable-stream',
  'is-stream',
  'keyv',
  '@keyv/serialize',
  'mimic-response',
  'normalize-url',
  'responselike',
  'lowercase-keys',
  'chunk-data',
  'decompress-response',
  'type-fest',
  'tagged-tag',
  'uint8array-extras',
  '@octokit/webhooks-methods',
];

const { join } = require('node:path');

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
