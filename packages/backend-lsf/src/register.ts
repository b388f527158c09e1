/** Side-effect entry: `import "@daskq/backend-lsf/register"` registers the backend globally. */
import { register } from "./registration.js";

register();
