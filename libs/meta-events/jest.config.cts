module.exports = {
  displayName: 'meta-events',
  preset: '../../jest.preset.js',
};
