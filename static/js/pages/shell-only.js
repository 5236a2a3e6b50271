/* Pages with nothing of their own to run (a class that does not exist): the shell alone (lecture mode, keys). */

import "../core/shell.js";
