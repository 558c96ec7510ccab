// Salesforce Web-to-Lead (https://help.salesforce.com/s/articleView?id=sf.setting_up_web-to-lead.htm):
// one form-encoded POST to the servlet with the org id (`oid`) and the standard lead fields. The score
// goes to `description`, and to custom lead fields when their ids (`00N…`) are given in `scoreFields`.
import { breakdownText } from '../forward.js';

const WEB_TO_LEAD = 'https://webto.salesforce.com/servlet/servlet.WebToLead?encoding=UTF-8';
/** Our traits -> Web-to-Lead's standard field names. */
const STANDARD = {
  first_name: 'first_name', last_name: 'last_name', email: 'email', company: 'company', job_title: 'title',
  phone: 'phone', website: 'URL', industry: 'industry', country: 'country', company_size: 'employees',
};

export function salesforce({ orgId, url = WEB_TO_LEAD, leadSource = 'leadscore', scoreFields = {} } = {}) {
  const target = String(url);
  return {
    name: 'salesforce',
    url: target,
    build(lead) {
      const form = new URLSearchParams({ oid: String(orgId ?? ''), lead_source: leadSource });
      for (const [trait, field] of Object.entries(STANDARD)) {
        if (lead.traits[trait] !== undefined) form.set(field, String(lead.traits[trait]));
      }
      const summary = `leadscore: ${lead.stage}, ${lead.total} points (fit ${lead.fit}, engagement ${lead.engagement}), grade ${lead.grade}.`
        + ` ${breakdownText(lead)}.${lead.next_step ? ` Next step: ${lead.next_step}.` : ''}`;
      form.set('description', summary.slice(0, 32_000));
      const values = { total: lead.total, grade: lead.grade, stage: lead.stage, lead_id: lead.lead_id };
      for (const [key, id] of Object.entries(scoreFields)) if (id && values[key] !== undefined) form.set(id, String(values[key]));
      return { url: target, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() };
    },
  };
}
