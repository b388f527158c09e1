/** Side-effect entry: `import "@daskq/backend-unicore/register"` registers the backend globally. */
import { register } from "./registration.js";

register();
