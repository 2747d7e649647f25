/**
 * The layers of lib/, bottom to top, and the import rules that keep them acyclic
 * (`npm run check` runs `depcruise`; docs/ARCHITECTURE.md explains each layer). A folder imports
 * only its own layer and the layers below it; what a lower layer needs from a higher one is
 * passed down (a parameter, an injected function such as `EngineContext.recordEvents`, a bus
 * message), never imported. Type-only imports count too.
 */
const LAYERS = [
  {
    name: "foundation",
    // ids, time, errors, logger, config, database access, the HTTP kit and outbound client,
    // auth primitives, DTO contracts, the event schema, CEL expressions, the bus
    folders: ["time", "config", "db", "http", "auth", "contracts", "events", "cel", "realtime"],
    rootFiles: true,
  },
  { name: "queue", folders: ["queue"] },
  { name: "registry", folders: ["registry"] },
  // The write side: one engine, bottom to top.
  { name: "run state", folders: ["state"] },
  { name: "flow control", folders: ["flow"] },
  { name: "routing", folders: ["routing"] },
  { name: "ingest", folders: ["ingest"] },
  { name: "schedules", folders: ["schedule"] },
  { name: "execution", folders: ["execution"] },
  { name: "commands", folders: ["commands"] },
  // The read side: page and API queries, DTO mapping. It never writes.
  { name: "read side", folders: ["queries"] },
  { name: "runtime", folders: ["runtime", "metrics"] },
];

const WRITE_SIDE = ["state", "flow", "routing", "ingest", "schedule", "execution", "commands"];

const inFolders = (folders) => `^lib/(${folders.join("|")})/`;
const ALL_FOLDERS = LAYERS.flatMap((l) => l.folders);
const ROOT_FILE = "^lib/[^/]+\\.tsx?$";

const layerRules = LAYERS.slice(0, -1).map((layer, i) => {
  const above = LAYERS.slice(i + 1);
  return {
    name: `layer-${layer.name.replace(/ /g, "-")}`,
    comment: `${layer.name} imports only itself and the layers below it (${above.map((l) => l.name).join(", ")} are above)`,
    severity: "error",
    from: { path: layer.rootFiles ? [inFolders(layer.folders), ROOT_FILE] : inFolders(layer.folders) },
    to: { path: inFolders(above.flatMap((l) => l.folders)) },
  };
});

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: "no-folder-cycles",
      comment: "lib/ folders form no cycle: a lower folder gets what it needs passed down, never imported",
      severity: "error",
      scope: "folder",
      from: { path: "^lib/" },
      to: { circular: true },
    },
    {
      name: "no-module-cycles",
      comment: "no module of lib/ reaches itself through its imports (a cycle of type imports is harmless)",
      severity: "error",
      from: { path: "^lib/" },
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
    ...layerRules,
    {
      name: "read-side-never-writes",
      comment: "lib/queries reads; changes go through lib/commands and the engine, which it never imports",
      severity: "error",
      from: { path: "^lib/queries/" },
      to: { path: inFolders(WRITE_SIDE) },
    },
    {
      name: "lib-in-no-layer",
      comment: `every lib/ folder belongs to a layer (add a new one to LAYERS in .dependency-cruiser.mjs)`,
      severity: "error",
      from: { path: "^lib/[^/]+/", pathNot: inFolders(ALL_FOLDERS) },
      to: {},
    },
    {
      name: "lib-to-folder-in-no-layer",
      comment: `every lib/ folder belongs to a layer (add a new one to LAYERS in .dependency-cruiser.mjs)`,
      severity: "error",
      from: {},
      to: { path: "^lib/[^/]+/", pathNot: inFolders(ALL_FOLDERS) },
    },
    {
      name: "lib-not-ui",
      comment: "lib/ is the domain: no Next.js, React, app/ or components/ imports",
      severity: "error",
      from: { path: "^lib/" },
      to: { path: ["^(app|components)/", "^node_modules/(next|react|react-dom)/", "^(next|react|react-dom)(/|$)"] },
    },
    {
      name: "contracts-client-safe",
      comment: "lib/contracts is bundled into the browser: it imports only itself and zod",
      severity: "error",
      from: { path: "^lib/contracts/" },
      to: { path: "^(lib/(?!contracts/)|app/|components/)" },
    },
    {
      name: "components-talk-to-the-api",
      comment: "components use the HTTP API; from lib/ they import only the DTO contracts",
      severity: "error",
      from: { path: "^components/" },
      to: { path: ["^lib/(?!contracts/)", "^node_modules/(@prisma|better-sqlite3|pg)/"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^lib/db/generated/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".tsx", ".js", ".mjs", ".json"] },
  },
};
