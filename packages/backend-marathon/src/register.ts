/** Side-effect entry: `import "@daskq/backend-marathon/register"` registers the backend globally. */
import { register } from "./registration.js";

register();
