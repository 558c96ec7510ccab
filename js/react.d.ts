import type { CollectorConfig, ScoreCard } from './browser/index.js';

/** Starts the website collector once per page and returns the live score card (null until scored). */
export function useLeadScore(config: CollectorConfig): ScoreCard | null;
