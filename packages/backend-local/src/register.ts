/** Side-effect entry: `import "@daskq/backend-local/register"` registers the backend globally. */
import { register } from "./registration.js";

register();
