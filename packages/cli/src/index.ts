export { main, MAIN_HELP } from "./main.js";
export { findBackendPackages, loadBackends, type BackendPackage } from "@daskq/core";
