// Challenger models for the shadow tests, derived from the examples' model (the champion).
import model from '../../examples/model.mjs';

/** Adds 20 points for the webinar and asks for more fit: qualifies none of the tests' buyers (fit 35). */
export const strictChallenger = {
  ...model, name: 'b2b-strict', version: '2',
  rules: [...model.rules, { id: 'webinar-buyer', label: 'Webinar again', points: 20, max: 1, when: { form_submit: { form: 'webinar' } } }],
  qualify: { stage: 'mql', min_fit: 50 },
};

/** Qualifies every visitor, even one who only looked at a page. */
export const lenientChallenger = { ...model, name: 'b2b-lenient', version: '3', qualify: { stage: 'new' } };
