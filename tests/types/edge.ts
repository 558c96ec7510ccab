// Compile-only checks of `leadscore/edge` and `leadscore/edge/init` types.
import {
  createQualifier, hubspot, qualify, segment, webhook, readSubmission, memoryReplayStore, DEFAULT_FIELDS,
  createRelay, relay, slack, salesforce, pipedrive, verifyWebhook, signWebhook, WebhookVerificationError,
  type RelayAnswer, type RelayOptions, type Decision, type ForwardFailure, type QualifiedLead, type QualifyError, type QualifyOptions, type WebRequest,
} from 'leadscore/edge';
import { init, Model } from 'leadscore/edge/init';
import type { ModelDocument } from 'leadscore';

declare const request: WebRequest;
declare const doc: ModelDocument;

const failures: ForwardFailure[] = [];
const options: QualifyOptions = {
  model: doc,
  forward: hubspot({ portalId: 123, formGuid: 'abc', token: 'pat', scoreProperties: { total: 'score' } }),
  fields: { companySize: { trait: 'company_size', type: 'number' }, email: 'email' },
  form: (_request, traits) => (traits.company_size ? 'demo' : undefined),
  now: () => 1,
  maxBodyBytes: 16_384,
  timeoutMs: 2000,
  onForwardError: (failure) => { failures.push(failure); },
  waitUntil: (promise) => { void promise; },
  exposeBreakdown: true,
  cors: ['https://www.example.com'],
  replay: { windowMs: 60_000, store: memoryReplayStore({ max: 100 }) },
};
const withUrl: QualifyOptions = { model: new Model(doc), forward: 'https://hooks.example.com/lead', fields: ['email'] };
const withSegment: QualifyOptions = { model: doc, forward: segment({ writeKey: 'k', userId: (lead: QualifiedLead) => String(lead.traits.email) }) };
const withWebhook: QualifyOptions = { model: doc, forward: webhook('https://x.example', { headers: { authorization: 'x' } }), replay: false };

async function run(): Promise<void> {
  const response = await qualify(request, options);
  const body = (await response.json()) as Decision | QualifyError;
  if (body.ok) {
    const qualified: boolean = body.qualified;
    const status: string = body.forward.status;
    void [qualified, status];
  } else {
    const field: string | null = body.field;
    void field;
  }
  const handler = createQualifier(withUrl);
  await handler(request, { waitUntil: () => {} });
  const read = await readSubmission(request, { fields: DEFAULT_FIELDS });
  if (read.ok) { const traits = read.traits; void traits; } else { const status: 400 | 413 | 415 = read.status; void status; }
}

const relayOptions: RelayOptions = {
  model: doc,
  forward: [webhook('https://crm.example/hook', { secret: ['whsec_a', 'whsec_b'] }), slack('https://hooks.slack.com/services/x'),
    salesforce({ orgId: '00D000000000001', scoreFields: { total: '00N000000000001' } }), pipedrive({ apiToken: 't', ownerId: 1 }), 'https://x.example'],
  traits: ['email', 'company_size'],
  replay: { windowMs: 3_600_000 },
  retryAfterSeconds: 30,
  shadow: doc,
};

async function relayRun(): Promise<void> {
  const response = await relay(request, relayOptions);
  const answer = (await response.json()) as RelayAnswer | QualifyError;
  if ('status' in answer) { const status: RelayAnswer['status'] = answer.status; void status; }
  await createRelay(relayOptions)(request, { waitUntil: () => {} });
  try {
    const lead = await verifyWebhook<QualifiedLead>('whsec_a', request);
    const key: string = lead.idempotency_key;
    const by: 'server' = lead.scored_by;
    const shadow = lead.shadow;
    const shadowStage: string | undefined = shadow && 'stage' in shadow ? shadow.stage : shadow?.error;
    void [key, by, shadowStage];
  } catch (error) {
    void (error instanceof WebhookVerificationError);
  }
  const headers = await signWebhook('whsec_a', { id: 'k', body: '{}' });
  const signature: string = headers['webhook-signature'];
  void signature;
}

init(new Uint8Array(8));

// @ts-expect-error: the model is required
const missingModel: QualifyOptions = { forward: 'https://x.example' };
// @ts-expect-error: field types are auto, string, number or boolean
const badType: QualifyOptions = { model: doc, fields: { a: { type: 'date' } } };

void [run, relayRun, withSegment, withWebhook, missingModel, badType];
