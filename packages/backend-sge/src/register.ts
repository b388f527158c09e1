/** Side-effect entry: `import "@daskq/backend-sge/register"` registers the backend globally. */
import { register } from "./registration.js";

register();
