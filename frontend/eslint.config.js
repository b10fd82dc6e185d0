// ESLint for the room island (`npm run lint`; `npm test` runs it before Vitest).
import js from "@eslint/js";
import react from "eslint-plugin-react";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";

export default [
  // The build writes to ../static/app/, outside this folder; a local dist/ is ignored too.
  { ignores: ["dist/", "static/", "coverage/"] },
  js.configs.recommended,
  {
    files: ["src/**/*.{js,jsx}"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: globals.browser,
      parserOptions: { ecmaFeatures: { jsx: true } },
    },
    settings: { react: { version: "19.3" } },
    plugins: { react },
    rules: {
      ...react.configs.flat.recommended.rules,
      ...react.configs.flat["jsx-runtime"].rules,
      // React 19 ignores propTypes; props are documented in JSDoc instead.
      "react/prop-types": "off",
    },
  },
  { ...reactHooks.configs.flat.recommended, files: ["src/**/*.{js,jsx}"] },
  {
    // Unit tests run in Node.
    files: ["src/**/*.test.js"],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
  {
    // Build and tool scripts.
    files: ["*.js", "*.mjs", "scripts/**/*.{js,mjs}"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.node },
  },
];
