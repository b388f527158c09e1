/** Side-effect entry: `import "@daskq/backend-drmaa/register"` registers the backend globally. */
import { register } from "./registration.js";

register();
