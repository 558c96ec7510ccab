# workerd config for the Cloudflare Worker example (`npm run edge`, and the edge tests).
# Modules are named as a bundler would resolve them: `leadscore/edge` and the package files it imports
# (names resolve like URLs, so the package's relative imports find the entries below).
# `npm run edge` overrides the socket's address: --socket-addr http=127.0.0.1:$PORT.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .edgeWorker),
    # Leads go to public APIs (HubSpot, Segment) or, in tests and demos, to a receiver on this machine.
    (name = "outbound", network = (allow = ["public", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "main") ],
);

const edgeWorker :Workerd.Worker = (
  compatibilityDate = "2025-09-01",
  globalOutbound = "outbound",
  modules = [
    (name = "cloudflare-worker/worker.mjs", esModule = embed "worker.mjs"),
    (name = "app.mjs", esModule = embed "../app.mjs"),
    (name = "model.mjs", esModule = embed "../model.mjs"),
    (name = "leadscore/edge", esModule = embed "../../pkg/edge-workerd.js"),
    (name = "leadscore/workerd.js", esModule = embed "../../pkg/workerd.js"),
    (name = "leadscore/api.js", esModule = embed "../../pkg/api.js"),
    (name = "leadscore/flat.js", esModule = embed "../../pkg/flat.js"),
    (name = "leadscore/scorer.js", esModule = embed "../../pkg/scorer.js"),
    (name = "leadscore/edge/qualify.js", esModule = embed "../../pkg/edge/qualify.js"),
    (name = "leadscore/edge/body.js", esModule = embed "../../pkg/edge/body.js"),
    (name = "leadscore/edge/forward.js", esModule = embed "../../pkg/edge/forward.js"),
    (name = "leadscore/edge/relay.js", esModule = embed "../../pkg/edge/relay.js"),
    (name = "leadscore/edge/common.js", esModule = embed "../../pkg/edge/common.js"),
    (name = "leadscore/edge/lead.js", esModule = embed "../../pkg/edge/lead.js"),
    (name = "leadscore/edge/sign.js", esModule = embed "../../pkg/edge/sign.js"),
    (name = "leadscore/edge/destinations/index.js", esModule = embed "../../pkg/edge/destinations/index.js"),
    (name = "leadscore/edge/destinations/slack.js", esModule = embed "../../pkg/edge/destinations/slack.js"),
    (name = "leadscore/edge/destinations/salesforce.js", esModule = embed "../../pkg/edge/destinations/salesforce.js"),
    (name = "leadscore/edge/destinations/pipedrive.js", esModule = embed "../../pkg/edge/destinations/pipedrive.js"),
    (name = "leadscore/core/leadscore.js", esModule = embed "../../pkg/core/leadscore.js"),
    (name = "leadscore/core/leadscore_bg.wasm", wasm = embed "../../pkg/core/leadscore_bg.wasm"),
  ],
  bindings = [
    (name = "FORWARD_URL", fromEnvironment = "FORWARD_URL"),
    (name = "FORWARD_KIND", fromEnvironment = "FORWARD_KIND"),
    (name = "FORWARD_TIMEOUT_MS", fromEnvironment = "FORWARD_TIMEOUT_MS"),
    (name = "WEBHOOK_SECRET", fromEnvironment = "WEBHOOK_SECRET"),
    (name = "SLACK_WEBHOOK_URL", fromEnvironment = "SLACK_WEBHOOK_URL"),
    (name = "HUBSPOT_PORTAL_ID", fromEnvironment = "HUBSPOT_PORTAL_ID"),
    (name = "HUBSPOT_FORM_GUID", fromEnvironment = "HUBSPOT_FORM_GUID"),
    (name = "HUBSPOT_TOKEN", fromEnvironment = "HUBSPOT_TOKEN"),
    (name = "SEGMENT_WRITE_KEY", fromEnvironment = "SEGMENT_WRITE_KEY"),
    (name = "SALESFORCE_ORG_ID", fromEnvironment = "SALESFORCE_ORG_ID"),
    (name = "PIPEDRIVE_API_TOKEN", fromEnvironment = "PIPEDRIVE_API_TOKEN"),
    (name = "CORS_ORIGIN", fromEnvironment = "CORS_ORIGIN"),
    (name = "LEADSCORE_NOW", fromEnvironment = "LEADSCORE_NOW"),
    (name = "LEADSCORE_EXPOSE_BREAKDOWN", fromEnvironment = "LEADSCORE_EXPOSE_BREAKDOWN"),
    (name = "SHADOW_MODEL", fromEnvironment = "SHADOW_MODEL"),
  ],
);
