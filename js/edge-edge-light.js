// leadscore/edge for this runtime: its main entry initialises the core, then the edge API.
import './edge-light.js';
export * from './edge/qualify.js';
