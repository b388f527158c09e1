/** Side-effect entry: `import "@daskq/backend-slurmrest/register"` registers the backend globally. */
import { register } from "./registration.js";

register();
