import { unsupportedRuntimeWarning } from './runtime.js';

// An end-of-life Node still runs the bot where it can, but gets no security fixes: say so once.
const warning = unsupportedRuntimeWarning();
if (warning) console.error(warning);
