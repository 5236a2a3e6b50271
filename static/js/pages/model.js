/* The model page: choosing another model's card loads /model?model=<name> (lecture mode kept). */

import "../core/shell.js";
import { setupModelSelect } from "../widgets/model-select.js";

setupModelSelect(document);
