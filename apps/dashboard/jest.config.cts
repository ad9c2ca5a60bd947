module.exports = {
  displayName: 'dashboard',
  preset: '../../jest.preset.js',
  moduleNameMapper: { '^@caravan/domain$': '<rootDir>/../../libs/domain/src/browser.ts' },
};
