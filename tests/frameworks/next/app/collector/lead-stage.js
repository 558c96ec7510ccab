'use client';
// The website collector in a client component: `useLeadScore` starts it once per page (page views,
// engaged time, clicks, forms; the state in localStorage) and returns the live score card.
import { useLeadScore } from 'leadscore/react';
import model from '../../model.js';

export default function LeadStage() {
  const card = useLeadScore({ model });
  if (!card) return <p id="stage">Scoring…</p>;
  return <p id="stage" data-stage={card.stage} data-total={card.total}>{card.stage} ({card.total} points)</p>;
}
