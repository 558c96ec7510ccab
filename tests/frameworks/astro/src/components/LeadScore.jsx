// A client island: scores the visitor in the browser, where `leadscore` resolves to its browser entry
// (the wasm is emitted as an asset by Vite and loaded before this module runs).
import { useEffect, useState } from 'preact/hooks';
import { Scorer } from 'leadscore';
import model from '../../model.js';

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
