// Destinations beyond the generic webhook, HubSpot and Segment (forward.js): one small file each.
export { slack } from './slack.js';
export { salesforce } from './salesforce.js';
export { pipedrive } from './pipedrive.js';
