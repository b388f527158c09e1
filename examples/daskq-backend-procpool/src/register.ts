/** Side-effect entry: `import "daskq-backend-procpool/register"` registers the backend globally. */
import { register } from "./registration.js";

register();
