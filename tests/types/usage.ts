// Compile-only checks of the package's types: what should type-check does, what must not is marked.
import {
  Model, Scorer, engineVersion, scoreLead, validateModel,
  type LeadEvent, type LeadscoreError, type ModelDocument, type ScoreCard, type ScoreSummary, type VisitorState,
} from 'leadscore';

const doc: ModelDocument = {
  models: [{
    name: 'b2b',
    version: '1',
    rules: [
      { id: 'pricing', label: 'Viewed pricing', score: 'engagement', points: 15, max: 1, per: '1d', window: '30d',
        decay: { half_life: '30d' }, group: 'web', when: { page_view: { path: '/pricing*' } } },
      { id: 'size', points: 25, when: { trait: 'company_size', between: [50, 200] } },
      { id: 'title', score: 'fit', points: 10, when: { trait: 'job_title', contains: ['director', 'head of sales'] } },
      { id: 'free', points: -15, when: { email_domain: { free: true } } },
      { id: 'rival', points: -50, disqualify: true, when: { email_domain: { in: ['rival.com'] } } },
      { id: 'stale', points: -20, decay: { percent: 25, every: '30d' }, when: { inactive: { for: '90d' } } },
      { id: 'deep', points: 5, when: { all: [{ visits: { at_least: 2 } }, { not: { scroll: { depth: 75 } } }] } },
      { id: 'nl', points: 3, when: { campaign: { source: 'newsletter' } } },
    ],
    groups: [{ id: 'web', max: 40, min: -20, decay: { half_life: '60d' } }],
    caps: { fit: 60, engagement: 80 },
    scale: { min: 0, max: 100 },
    stages: [{ name: 'new' }, { name: 'warm', min: 20 }, { name: 'sql', above: 80 }],
    grades: { fit: [{ grade: 'A', min: 40 }], engagement: [{ grade: '1', min: 40 }] },
    qualify: { stage: 'warm', min_total: 60, min_fit: 20, min_engagement: 0, rules: ['pricing'] },
    next_steps: { new: 'Nurture' },
  }],
};

const events: LeadEvent[] = [
  { type: 'page_view', ts: 1, id: 'a', path: '/pricing', utm: { source: 'newsletter' } },
  { type: 'engaged', ts: 2, path: '/pricing', seconds: 42 },
  { type: 'form_submit', ts: 3, form: 'webinar', traits: { email: 'a@acme.com', company_size: 120, vip: true } },
  { type: 'identify', ts: 4, traits: { company_size: 120 } },
];

const checked = validateModel(JSON.parse('{}') as unknown);
if (checked.ok) { const names: string[] = checked.models; void names; } else { checked.errors[0]?.path.toUpperCase(); }

const model = new Model(doc, { model: 'b2b' });
const name: string = model.name;
const version: string | undefined = model.version;
const card: ScoreCard = model.scoreLead({ traits: { company_size: 120 }, events }, Date.now());
model.free();

const scorer = new Scorer(doc);
const one: { accepted: boolean; duplicate: boolean; errors?: { path: string; message: string }[] } = scorer.ingest(events[0]!);
const many = scorer.ingestMany(events);
const rejectedAt: number | undefined = many.rejected[0]?.index;
const state: VisitorState = scorer.exportState();
scorer.importState(state);
const cards: ScoreCard[] = scorer.scoreAll();
const tracked: ScoreSummary = scorer.track({ type: 'page_view', ts: Date.now(), path: '/pricing' }, Date.now());
const { total: summaryTotal, stage, qualified }: { total: number; stage: string; qualified: boolean } = scorer.summary();
const modelName: string = scorer.modelName;
scorer.free();

const total: number = scoreLead(doc, { events, state }, undefined, { model: 'b2b' }).total;
const version2: string = engineVersion();
const lineRule: string | undefined = card.breakdown[0]?.rule;

try { new Model(doc); } catch (e) { const errors = (e as LeadscoreError).errors; void errors; }

// @ts-expect-error: points are numbers
const badPoints: ModelDocument = { name: 'x', rules: [{ id: 'r', points: '15', when: { click: {} } }] };
// @ts-expect-error: durations carry a unit
const badDuration: ModelDocument = { name: 'x', rules: [{ id: 'r', points: 1, per: '30', when: { click: {} } }] };
// @ts-expect-error: unknown event type
const badEvent: LeadEvent = { type: 'pageview', ts: 1 };
// @ts-expect-error: score is fit or engagement
const badScore: ModelDocument = { name: 'x', rules: [{ id: 'r', points: 1, score: 'both', when: { click: {} } }] };

// @ts-expect-error: track takes one event, not a batch
scorer.track(events);

void [one, rejectedAt, cards, tracked, summaryTotal, stage, qualified, modelName, total, version2, lineRule, name, version,
  badPoints, badDuration, badEvent, badScore];
