// The model the edge examples score with: fit from the form's answers, engagement from the
// behaviour summary the snippet attaches. A JS module (not .json) so every runtime imports it alike.
export default {
  name: 'b2b',
  version: '1',
  rules: [
    { id: 'pricing', label: 'Viewed the pricing page', points: 15, max: 1, when: { page_view: { path: '/pricing*' } } },
    { id: 'pricing-time', label: '10 minutes on pricing', points: 15, when: { engaged: { path: '/pricing*', seconds: 600 } } },
    { id: 'whitepaper', label: 'Downloaded the whitepaper', points: 10, max: 1, when: { download: { url: '*whitepaper*' } } },
    { id: 'returning', label: 'Came back', points: 10, when: { visits: { at_least: 2 } } },
    { id: 'webinar', label: 'Registered for the webinar', points: 20, max: 1, when: { form_submit: { form: 'webinar' } } },
    { id: 'demo', label: 'Asked for a demo', points: 30, max: 1, when: { form_submit: { form: 'demo' } } },
    { id: 'company-size', label: 'Company size 50-1000', points: 25, when: { trait: 'company_size', between: [50, 1000] } },
    { id: 'job-title', label: 'Buyer job title', points: 10, when: { trait: 'job_title', contains: ['head of', 'director', 'vp', 'manager'] } },
    { id: 'free-email', label: 'Free email domain', points: -15, when: { email_domain: { free: true } } },
    { id: 'competitor', label: 'Competitor', points: -50, disqualify: true, when: { email_domain: { in: ['rival.example'] } } },
  ],
  stages: [{ name: 'new' }, { name: 'warm', min: 20 }, { name: 'mql', min: 50 }, { name: 'sql', above: 80 }],
  qualify: { stage: 'mql', min_fit: 20 },
  next_steps: { new: 'Nurture', warm: 'Add to the nurture sequence', mql: 'Sales: review and call', sql: 'Call within 24 hours' },
};
