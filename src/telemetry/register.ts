/**
 * Preloaded by `npm start` (`node --import`), so the Azure Monitor distro is running before any other
 * module is imported, as the distro requires. Nothing happens unless APPLICATIONINSIGHTS_CONNECTION_STRING is set.
 */
import { startAzureMonitor } from './azure-monitor.js';

await startAzureMonitor(process.env);
