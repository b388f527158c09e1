/** Side-effect entry: `import "@daskq/backend-slurm/register"` registers the backend globally. */
import { register } from "./registration.js";

register();
