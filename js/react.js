'use client';
// `leadscore/react`: the website collector in a React component (Next.js App Router client components too).
//
//   const card = useLeadScore({ model: '/leadscore-model.json', endpoint: '/api/leads' });
//
// Starts the collector once per page (the first config wins: `start` of leadscore/browser) and returns the
// live score card (null until the engine has scored). Unmounting removes the listener; the collector keeps
// running for the page, as the page's visitor is still there.
import { useEffect, useState } from 'react';
import { start } from './browser/index.js';

export function useLeadScore(config) {
  const [card, setCard] = useState(null);
  useEffect(() => start(config).on('score', setCard), []); // eslint-disable-line react-hooks/exhaustive-deps
  return card;
}
