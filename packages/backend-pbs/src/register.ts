/** Side-effect entry: `import "@daskq/backend-pbs/register"` registers the backend globally. */
import { register } from "./registration.js";

register();
