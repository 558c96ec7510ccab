// Slack incoming webhook (https://api.slack.com/messaging/webhooks): one JSON POST of `text` (the
// notification's fallback) and `blocks` that a person reads at a glance: who, score, stage, why, next step.
import { leadName, topReasons } from '../lead.js';

/** Slack's mrkdwn treats &, < and > as control characters: escape them in everything we did not write. */
const escape = (text) => String(text).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const section = (text) => ({ type: 'section', text: { type: 'mrkdwn', text } });

/** The message for a lead: `{ text, blocks }`. */
export function slackMessage(lead) {
  const who = escape(leadName(lead));
  const stage = escape(String(lead.stage).toUpperCase());
  const reasons = topReasons(lead);
  const blocks = [
    section(`*New ${stage} lead: ${who}*\nScore *${lead.total}* (fit ${lead.fit}, engagement ${lead.engagement}) · grade ${escape(lead.grade)}`),
  ];
  if (reasons.length) blocks.push(section(`*Why*\n${reasons.map((r) => `• ${escape(r)}`).join('\n')}`));
  if (lead.next_step) blocks.push(section(`*Next step:* ${escape(lead.next_step)}`));
  const context = [`model ${escape(lead.model)}${lead.model_version ? ` v${escape(lead.model_version)}` : ''}`, `lead ${escape(lead.lead_id)}`];
  if (lead.page) context.push(escape(lead.page));
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });
  return { text: `New ${stage} lead: ${who}, score ${lead.total}`, blocks };
}

/** `slack(webhookUrl)`: the URL Slack gives when the app's incoming webhook is added to a channel. */
export function slack(url) {
  const target = String(url);
  return {
    name: 'slack',
    url: target,
    build: (lead) => ({ url: target, headers: { 'content-type': 'application/json' }, body: JSON.stringify(slackMessage(lead)) }),
  };
}
