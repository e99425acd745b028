/** The arrows ARCHITECTURE.md forbids, enforced on every `npm run lint`. */
module.exports = {
  forbidden: [
    {
      name: "shared-is-pure",
      comment: "shared/ imports nothing else of the project, and no Node built-ins.",
      severity: "error",
      from: { path: "^shared/" },
      to: { path: "^(renderer|hardware|host|central|electron|desk|scripts|bench|e2e)/" },
    },
    {
      name: "shared-no-node",
      severity: "error",
      from: { path: "^shared/", pathNot: "\\.test\\.ts$" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "renderer-only-through-bridge",
      comment: "renderer/ never imports electron, hardware/, host/ or Node built-ins.",
      severity: "error",
      from: { path: "^renderer/" },
      to: { path: "^(hardware|host|central|electron)/|^node_modules/(electron|node-hid)/" },
    },
    {
      name: "renderer-no-node",
      severity: "error",
      from: { path: "^renderer/", pathNot: "\\.test\\.tsx?$" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "desk-only-shared",
      comment: "desk/ (the DCC desk web app) imports only shared/ and its own code; it reaches central over HTTP.",
      severity: "error",
      from: { path: "^desk/" },
      to: { path: "^(renderer|hardware|host|central|electron|scripts|bench|e2e)/|^node_modules/(electron|node-hid)/" },
    },
    {
      name: "desk-no-node",
      severity: "error",
      from: { path: "^desk/", pathNot: "(\\.test\\.tsx?|vite\\.config\\.ts)$" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "hardware-not-ui",
      comment: "hardware/ never imports renderer/ or electron.",
      severity: "error",
      from: { path: "^hardware/" },
      to: { path: "^(renderer|electron|host|central)/|^node_modules/electron/" },
    },
    {
      name: "central-only-shared",
      comment: "central/ imports only shared/.",
      severity: "error",
      from: { path: "^central/" },
      to: { path: "^(renderer|hardware|host|electron|desk)/|^node_modules/(electron|node-hid)/" },
    },
    {
      name: "host-no-electron",
      comment: "host/ runs without Electron (the browser shell).",
      severity: "error",
      from: { path: "^host/" },
      to: { path: "^(renderer|electron)/|^node_modules/electron/" },
    },
    {
      name: "no-circular",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|dist)/" },
    tsConfig: { fileName: "tsconfig.base.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
