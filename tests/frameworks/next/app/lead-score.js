'use client';
// Scores the visitor in the browser: `leadscore` resolves to its browser entry, which loads the wasm
// (emitted by Next as a static asset) before this component's module runs.
import { useEffect, useState } from 'react';
import { Scorer } from 'leadscore';
import model from '../model.js';

export default function LeadScore() {
  const [card, setCard] = useState(null);
  useEffect(() => {
    const scorer = new Scorer(model);
    scorer.ingest({ type: 'page_view', ts: Date.now(), path: '/pricing' });
    scorer.ingest({ type: 'identify', ts: Date.now(), traits: { company_size: 120 } });
    setCard(scorer.score());
    scorer.free();
  }, []);
  if (!card) return <p id="score">Scoring…</p>;
  return <p id="score" data-total={card.total} data-stage={card.stage}>{card.total} points ({card.stage})</p>;
}
