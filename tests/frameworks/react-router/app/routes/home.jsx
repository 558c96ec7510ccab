// Scores the visitor in the browser (effects run only there): `leadscore` resolves to its browser
// entry, and Vite emits the wasm as an asset.
import { useEffect, useState } from 'react';
import { Scorer } from 'leadscore';
import model from '../model.js';

export default function Home() {
  const [card, setCard] = useState(null);
  useEffect(() => {
    const scorer = new Scorer(model);
    scorer.ingest({ type: 'page_view', ts: Date.now(), path: '/pricing' });
    scorer.ingest({ type: 'identify', ts: Date.now(), traits: { company_size: 120 } });
    setCard(scorer.score());
    scorer.free();
  }, []);
  return (
    <main>
      <h1>Your lead score</h1>
      {card
        ? <p id="score" data-total={card.total} data-stage={card.stage}>{card.total} points ({card.stage})</p>
        : <p id="score">Scoring…</p>}
    </main>
  );
}
