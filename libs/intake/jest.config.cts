module.exports = {
  displayName: 'intake',
  preset: '../../jest.preset.js',
};
