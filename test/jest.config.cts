module.exports = {
  displayName: 'system-tests',
  preset: '../jest.preset.js',
  testMatch: ['<rootDir>/**/*.spec.ts'],
};
