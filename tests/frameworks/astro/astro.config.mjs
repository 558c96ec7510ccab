// Pages and endpoints rendered on demand by a Node.js server (@astrojs/node), islands in Preact.
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import preact from '@astrojs/preact';

export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone' }),
  integrations: [preact()],
  // The host names this server answers for. Astro refuses a form POST whose Origin is not the site's own
  // (security.checkOrigin), and without this list it takes the site's origin to be http://localhost.
  security: { allowedDomains: [{ hostname: '127.0.0.1' }, { hostname: 'www.example.com', protocol: 'https' }] },
});
