import LeadStage from './lead-stage.js';

export default function Collector() {
  return (
    <main>
      <h1>Pricing</h1>
      <LeadStage />
    </main>
  );
}
