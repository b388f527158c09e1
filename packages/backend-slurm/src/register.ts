/**
 * Side-effect entry: `import "@daskq/backend-slurm/register"` registers the Slurm backend in the
 * global tsyringe container. It also exports `register(container)` for other containers.
 */
import { register } from "./registration.js";

export { register };

register();
