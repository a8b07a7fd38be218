/** How every project compiles and runs its tests. */
const base = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: {
          parser: { syntax: "typescript", decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: "es2022",
        },
        module: { type: "commonjs" },
      },
    ],
  },
  setupFiles: ["reflect-metadata"],
  globalSetup: "<rootDir>/test/support/global-setup.ts",
};

/**
 * The suites about GraphQL over HTTP (answers, errors, limits, permissions, faults), run a second
 * time with the fast path off: valid operations then go through Apollo's request pipeline, and
 * both paths must pass the same tests (src/http/fast-path.ts).
 */
const HTTP_SUITES = [
  "<rootDir>/test/server/http.test.ts",
  "<rootDir>/test/server/faults.test.ts",
  "<rootDir>/test/security/**/*.test.ts",
  "<rootDir>/test/tickets/inbox.test.ts",
  "<rootDir>/test/contacts/contact-fields.test.ts",
];

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...base, displayName: "handover" },
    {
      ...base,
      displayName: "without fast path",
      testMatch: HTTP_SUITES,
      setupFiles: [...base.setupFiles, "<rootDir>/test/support/without-fast-path.js"],
    },
  ],
  testTimeout: 60000,
  maxWorkers: 2,
};
