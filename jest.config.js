/** Jest 30 with @swc/jest: Nest 12 packages are ESM-only, so they are transformed too. */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.test.ts'],
  transform: { '^.+\\.(t|j|mj)s$': swc },
  // juice (CSS inliner for mail templates), FormatJS (message catalogues) and the parts of their trees that ship ESM only are transformed too.
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|@bull-board|juice|postcss-nesting|@csstools|entities|intl-messageformat|@formatjs)/)',
  ],
  setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
  testTimeout: 60_000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
