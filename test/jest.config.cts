module.exports = {
  displayName: 'system-tests',
  preset: '../jest.preset.js',
  testMatch: ['<rootDir>/**/*.spec.ts'],
  // The fault suite's helpers are plain ES modules (test/faults/*.mjs) that its specs import.
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  transform: { '^.+\\.mjs$': ['@swc/jest', { jsc: { target: 'es2023' }, module: { type: 'commonjs' } }] },
};
