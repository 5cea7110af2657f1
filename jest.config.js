// jest 29 + ts-jest (jest 30 pulls native resolver builds the registry here lacks; see ENVIRONMENT.md).
// Type-checking is done once by `npm run typecheck`; here ts-jest only transpiles, which keeps runs fast.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/protocol', '<rootDir>/server', '<rootDir>/client', '<rootDir>/test'],
  testMatch: ['**/__tests__/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/test/helpers/jest-setup.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/helpers/jest-after-each.ts'],
  testTimeout: 30000,
  // Daemons run in child processes; give them time to exit before jest reports open handles.
  openHandlesTimeout: 2000,
}
