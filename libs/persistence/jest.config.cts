module.exports = {
  displayName: 'persistence',
  preset: '../../jest.preset.js',
  // Real Postgres: the first file in a run may build the template database.
  testTimeout: 30_000,
};
