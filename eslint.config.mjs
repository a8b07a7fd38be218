import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "data/", "coverage/", "web/", "bench/db/", "bench/.postgraphile/", "examples/client/generated/", "scratch/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unsafe-function-type": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": ["error", { allow: ["error"] }],
    },
  },
  {
    // Every password check goes through the one throttled gate.
    files: ["src/**/*.ts", "scripts/**/*.ts", "bench/**/*.ts", "examples/**/*.ts"],
    ignores: ["src/auth/password-gate.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/auth/password", "./password"],
              importNames: ["verifyPassword"],
              message: "Check passwords with PasswordGate (src/auth/password-gate.ts): it counts every check toward the logIn lockout.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["test/**/*.ts", "scripts/**/*.ts", "bench/**/*.ts", "examples/**/*.ts"],
    rules: { "no-console": "off", "@typescript-eslint/no-non-null-assertion": "off" },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: {
      globals: {
        console: "readonly",
        process: "readonly",
        module: "writable",
        require: "readonly",
        __dirname: "readonly",
        URL: "readonly",
      },
    },
  },
);
