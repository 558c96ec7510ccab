// The website collector's public types as a consumer sees them: `leadscore/browser`, `leadscore/react` and
// `window.leadscore` (declared by leadscore/browser).
import { start, type CollectorConfig, type LeadScore, type ScoreCard } from 'leadscore/browser';
import { useLeadScore } from 'leadscore/react';

const config: CollectorConfig = { model: '/leadscore-model.json', endpoint: '/api/leads', downloads: ['pdf'], gtm: true };
const leadscore: LeadScore = start(config);
start({ model: { name: 'inline', rules: [] }, requireConsent: true, fields: 'industry,country', gpc: 'ignore' });
void leadscore.identify('user-42', { email: 'ann@acme.com', company_size: '51-200' });
void leadscore.identify({ job_title: 'CTO' });
void leadscore.reset();
const off: () => void = leadscore.on('qualified', (card: ScoreCard) => card.stage);
off();
leadscore.on('give-up', (detail) => detail.reason);
leadscore.on('ready', (card) => card?.total);
const card: ScoreCard | null = useLeadScore(config);
void card;
declare const page: { leadscore?: LeadScore & { init(config: CollectorConfig): void } };
page.leadscore?.init({ model: '/m.json' });

// @ts-expect-error the model is required
start({ endpoint: '/api/leads' });
// @ts-expect-error listeners get the detail of the event they name
leadscore.on('delivered', (detail: ScoreCard) => detail);

// Consent managers, per-category consent, embedded forms (docs/snippet.md, "Consent managers").
start({ model: '/m.json', consent: 'tcf', forms: ['hubspot', 'tally'] });
void leadscore.consent({ storage: true, sending: false });
leadscore.on('consent', (choice) => choice.sending);
// @ts-expect-error an unknown consent source
start({ model: '/m.json', consent: 'quantcast' });
