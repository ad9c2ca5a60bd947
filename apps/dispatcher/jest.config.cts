module.exports = {
  displayName: 'dispatcher',
  preset: '../../jest.preset.js',
};
