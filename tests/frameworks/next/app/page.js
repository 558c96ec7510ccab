import LeadScore from './lead-score.js';

export default function Home() {
  return (
    <main>
      <h1>Your lead score</h1>
      <LeadScore />
    </main>
  );
}
