import nx from '@nx/eslint-plugin';
import { caravanPlugin } from './eslint-file-names.mjs';

/**
 * Dependency rules of docs/architecture.md#layout-and-dependency-rules, enforced on every import:
 *   domain        → nothing of ours, no framework (only ulid, re2js, ipaddr.js and Node built-ins)
 *   config        → domain
 *   observability → domain, config
 *   persistence   → domain, config, observability      (never messaging)
 *   messaging     → domain, config, observability      (never persistence)
 *   intake        → domain, config, observability, persistence, messaging, sandbox
 *   meta-events   → domain, config, observability, persistence, messaging
 *   platform      → every lib above (the root module every app stands on, the service runner)
 *   sandbox       → domain, no framework (QuickJS and Node built-ins: usable by every app)
 *   apps          → any lib, never another app; libs/testing only from test files
 *   testing       → any lib
 */
const FRAMEWORKS = [
  '@nestjs/*',
  'typeorm',
  'pg',
  'kafkajs',
  'express',
  'got',
  'prom-client',
  'class-validator',
  'class-transformer',
  'amqplib',
  '@aws-sdk/*',
  '@google-cloud/*',
];

const productionConstraints = [
  {
    sourceTag: 'layer:domain',
    onlyDependOnLibsWithTags: ['layer:domain'],
    bannedExternalImports: FRAMEWORKS,
  },
  { sourceTag: 'layer:config', onlyDependOnLibsWithTags: ['layer:domain'] },
  { sourceTag: 'layer:observability', onlyDependOnLibsWithTags: ['layer:domain', 'layer:config'] },
  {
    sourceTag: 'layer:persistence',
    onlyDependOnLibsWithTags: ['layer:domain', 'layer:config', 'layer:observability'],
  },
  {
    sourceTag: 'layer:messaging',
    onlyDependOnLibsWithTags: ['layer:domain', 'layer:config', 'layer:observability'],
  },
  {
    sourceTag: 'layer:intake',
    onlyDependOnLibsWithTags: [
      'layer:domain',
      'layer:config',
      'layer:observability',
      'layer:persistence',
      'layer:messaging',
      'layer:sandbox',
    ],
  },
  {
    sourceTag: 'layer:meta-events',
    onlyDependOnLibsWithTags: [
      'layer:domain',
      'layer:config',
      'layer:observability',
      'layer:persistence',
      'layer:messaging',
    ],
  },
  {
    sourceTag: 'layer:platform',
    onlyDependOnLibsWithTags: [
      'layer:domain',
      'layer:config',
      'layer:observability',
      'layer:persistence',
      'layer:messaging',
      'layer:sandbox',
      'layer:intake',
      'layer:meta-events',
    ],
  },
  {
    sourceTag: 'layer:sandbox',
    onlyDependOnLibsWithTags: ['layer:domain'],
    bannedExternalImports: FRAMEWORKS,
  },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
];

// Test files may also use libs/testing (fixtures, real-infra helpers).
const testConstraints = productionConstraints.map((constraint) =>
  constraint.sourceTag.startsWith('layer:') || constraint.sourceTag === 'type:app'
    ? { ...constraint, onlyDependOnLibsWithTags: [...constraint.onlyDependOnLibsWithTags, 'type:testing'] }
    : constraint,
);

const boundaries = (depConstraints, ignoredCircularDependencies = []) => [
  'error',
  {
    enforceBuildableLibDependency: true,
    allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$'],
    depConstraints,
    ignoredCircularDependencies,
  },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/out-tsc', '**/node_modules', '.cache/**', '.run/**', 'tmp/**'] },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs', '**/*.cjs', '**/*.cts', '**/*.mts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(productionConstraints) },
  },
  {
    files: ['**/*.spec.ts', '**/*.test.ts', 'libs/testing/**/*.ts', 'apps/*/src/testing/**/*.ts', 'test/**/*.ts'],
    // persistence's own tests use libs/testing's databases, which are built from persistence's
    // migrations: a cycle that exists only through test files, never in shipped code.
    rules: {
      '@nx/enforce-module-boundaries': boundaries(testConstraints, [['persistence', 'testing']]),
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // kebab-case.<role>.ts for the services' and libraries' sources (eslint-file-names.mjs).
    files: ['apps/{api,ingester,dispatcher}/src/**/*.ts', 'libs/*/src/**/*.ts'],
    plugins: { caravan: caravanPlugin },
    rules: { 'caravan/file-names': 'error' },
  },
  {
    // Apps reach Postgres only through libs/persistence's intent-named repository methods, which
    // own their statements and transactions (docs/architecture.md#persistence-one-style-per-kind-of-query).
    files: ['apps/**/*.ts', 'apps/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['typeorm', '@nestjs/typeorm', 'pg'].map((name) => ({
            name,
            message:
              'Apps use the repositories of @caravan/persistence; a multi-statement write is a repository method.',
          })),
          patterns: [{ group: ['typeorm/*', 'pg/*'], message: 'Apps use the repositories of @caravan/persistence.' }],
        },
      ],
    },
  },
  {
    // Test harnesses answer with whatever JSON the route returned.
    files: ['apps/*/src/testing/**/*.ts', '**/*.spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
];
