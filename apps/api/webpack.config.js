const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { join } = require('path');

module.exports = {
  output: {
    path: join(__dirname, '../../dist/apps/api'),
    clean: true,
    ...(process.env.NODE_ENV !== 'production' && {
      devtoolModuleFilenameTemplate: '[absolute-resource-path]',
    }),
  },
  plugins: [
    new NxAppWebpackPlugin({
      target: 'node',
      compiler: 'tsc',
      main: './src/main.ts',
      // The migration entry point ships in the api image: `node migrate.js` (a Helm hook Job).
      additionalEntryPoints: [{ entryName: 'migrate', entryPath: './src/migrate.ts' }],
      // Derives the OpenAPI schemas from the DTOs' types and class-validator rules, so the
      // document served at /api/v1/openapi.json matches what the code accepts.
      transformers: [
        { name: '@nestjs/swagger/plugin', options: { classValidatorShim: true, introspectComments: true } },
      ],
      tsConfig: './tsconfig.app.json',
      // The dashboard (apps/dashboard, built first: see project.json) ships inside the api's
      // bundle directory, where main.ts serves it at `/`; so do the Docker image and the chart.
      assets: [{ input: join(__dirname, '../../dist/apps/dashboard'), glob: '**/*', output: 'dashboard' }],

      optimization: false,
      outputHashing: 'none',
      generatePackageJson: true,
      sourceMap: true,
    }),
  ],
};
