# workerd config for the golden test: a worker that imports the built package by the name `leadscore`.
# Module names resolve like URLs, so pkg/'s relative imports (./api.js, ./core/...) find the modules below.
# The socket's address is overridden on the command line (--socket-addr http=127.0.0.1:0).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .goldenWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);

const goldenWorker :Workerd.Worker = (
  compatibilityDate = "2025-09-01",
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "golden.mjs", esModule = embed "../js/golden.mjs"),
    (name = "leadscore", esModule = embed "../../pkg/workerd.js"),
    (name = "api.js", esModule = embed "../../pkg/api.js"),
    (name = "flat.js", esModule = embed "../../pkg/flat.js"),
    (name = "scorer.js", esModule = embed "../../pkg/scorer.js"),
    (name = "core/leadscore.js", esModule = embed "../../pkg/core/leadscore.js"),
    (name = "core/leadscore_bg.wasm", wasm = embed "../../pkg/core/leadscore_bg.wasm"),
  ],
);
