const nxPreset = require('@nx/jest/preset').default;

// SWC instead of ts-jest: an order of magnitude faster, and it emits the decorator
// metadata NestJS's dependency injection needs. Types are checked by `npm run typecheck`.
module.exports = {
  ...nxPreset,
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
