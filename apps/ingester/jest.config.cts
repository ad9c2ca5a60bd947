module.exports = {
  displayName: 'ingester',
  preset: '../../jest.preset.js',
};
