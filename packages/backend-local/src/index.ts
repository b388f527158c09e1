export { LocalBackend } from "./local-backend.js";
export { localBackend } from "./local-descriptor.js";
export { register } from "./registration.js";
